package proxy

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/mattermost-community/apps-plugin/apps"
)

// Cleaning what apps send before clients see it: bindings the app may show
// (granted locations), one action each, unique labels, one-word command
// labels, and icons turned into URLs the browser can load.

// StaticURL is the URL of an app's static asset, served by the plugin.
func StaticURL(pluginURL string, appID apps.AppID, name string) string {
	return pluginURL + "/apps/" + string(appID) + "/static/" + url.PathEscape(name)
}

// normalizeIcon keeps absolute http(s) URLs and turns a path in the app's
// static folder into the plugin's static URL for it.
func normalizeIcon(pluginURL string, appID apps.AppID, icon string) (string, error) {
	if icon == "" {
		return "", nil
	}
	lower := strings.ToLower(icon)
	if strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://") {
		if err := apps.ValidateHTTPURL(icon); err != nil {
			return "", err
		}
		return icon, nil
	}
	if strings.HasPrefix(icon, pluginURL+"/apps/"+string(appID)+"/static/") {
		return icon, nil
	}
	name, err := apps.CleanStaticPath(strings.TrimPrefix(icon, apps.StaticFolder+"/"))
	if err != nil {
		return "", err
	}
	return StaticURL(pluginURL, appID, name), nil
}

// cleanAppBindings cleans the bindings an app returned (top-level bindings
// are /post_menu, /channel_header and /command containers). It returns
// what is left, one container per location, and what was dropped and why.
func cleanAppBindings(app apps.App, in []apps.Binding, userAgent, pluginURL string) ([]apps.Binding, []error) {
	var out []apps.Binding
	var problems []error
	index := map[apps.Location]int{}
	for _, top := range in {
		loc := top.Location
		if !loc.IsTop() {
			problems = append(problems, fmt.Errorf("top-level location %q is not /post_menu, /channel_header or /command", loc))
			continue
		}
		if !grantedAround(app, loc) {
			problems = append(problems, fmt.Errorf("location %s is not granted to the app", loc))
			continue
		}
		if top.Submit != nil || top.Form != nil {
			problems = append(problems, fmt.Errorf("%s: a top-level binding only holds bindings", loc))
		}
		i, ok := index[loc]
		if !ok {
			i = len(out)
			index[loc] = i
			out = append(out, apps.Binding{AppID: app.AppID, Location: loc})
		}
		used := siblings{}
		for _, b := range out[i].Bindings {
			used.add(b, loc == apps.LocationCommand)
		}
		for _, b := range top.Bindings {
			clean, errs := cleanBinding(app, b, loc, loc, userAgent, pluginURL)
			problems = append(problems, errs...)
			if clean == nil {
				continue
			}
			if err := used.check(*clean, loc, loc == apps.LocationCommand); err != nil {
				problems = append(problems, err)
				continue
			}
			used.add(*clean, loc == apps.LocationCommand)
			out[i].Bindings = append(out[i].Bindings, *clean)
		}
	}
	kept := out[:0]
	for _, top := range out {
		if len(top.Bindings) > 0 {
			kept = append(kept, top)
		}
	}
	return kept, problems
}

// grantedAround reports whether fql is inside a granted location, or
// contains one (a container on the way to a granted location).
func grantedAround(app apps.App, fql apps.Location) bool {
	for _, g := range app.GrantedLocations {
		if fql.In(g) || g.In(fql) {
			return true
		}
	}
	return false
}

// siblings tracks the labels and locations used among sibling bindings.
type siblings struct {
	labels    map[string]bool
	locations map[apps.Location]bool
}

func labelKey(label string, command bool) string {
	if command {
		return strings.ToLower(label)
	}
	return label
}

func (s *siblings) check(b apps.Binding, parent apps.Location, command bool) error {
	if s.labels[labelKey(b.Label, command)] {
		return fmt.Errorf("%s: label %q is used twice", parent, b.Label)
	}
	if s.locations[b.Location] {
		return fmt.Errorf("%s: location %q is used twice", parent, b.Location)
	}
	return nil
}

func (s *siblings) add(b apps.Binding, command bool) {
	if s.labels == nil {
		s.labels, s.locations = map[string]bool{}, map[apps.Location]bool{}
	}
	s.labels[labelKey(b.Label, command)] = true
	s.locations[b.Location] = true
}

// cleanBinding cleans one binding under parent (its full location); top is
// the top-level location. nil means the binding is dropped.
func cleanBinding(app apps.App, b apps.Binding, parent, top apps.Location, userAgent, pluginURL string) (*apps.Binding, []error) {
	b.AppID = app.AppID
	b.Label = strings.TrimSpace(b.Label)
	if b.Location == "" {
		b.Location = apps.Location(b.Label)
	}
	b.Location = apps.Location(strings.Trim(string(b.Location), "/"))
	if b.Location == "" {
		return nil, []error{fmt.Errorf("%s: a binding has neither a location nor a label", parent)}
	}
	fql := parent.Sub(b.Location)
	if err := fql.Validate(); err != nil {
		return nil, []error{err}
	}
	if !grantedAround(app, fql) {
		return nil, []error{fmt.Errorf("location %s is not granted to the app", fql)}
	}
	if b.Label == "" {
		b.Label = string(b.Location)
	}
	command := top == apps.LocationCommand
	if command && strings.ContainsAny(b.Label, " \t\r\n") {
		return nil, []error{fmt.Errorf("%s: command label %q must be one word", fql, b.Label)}
	}
	var problems []error
	if b.Icon != "" {
		icon, err := normalizeIcon(pluginURL, app.AppID, b.Icon)
		if err != nil {
			problems = append(problems, fmt.Errorf("%s: icon dropped: %v", fql, err))
		}
		b.Icon = icon
	}
	if parent == apps.LocationChannelHeader && b.Icon == "" && userAgent == "webapp" {
		return nil, append(problems, fmt.Errorf("%s: a channel header binding needs an icon", fql))
	}
	n := 0
	if b.Submit != nil {
		n++
	}
	if b.Form != nil {
		n++
	}
	if len(b.Bindings) > 0 {
		n++
	}
	if n != 1 {
		return nil, append(problems, fmt.Errorf("%s: exactly one of submit, form or bindings must be set", fql))
	}
	switch {
	case b.Submit != nil:
		if err := b.Submit.Validate(); err != nil {
			return nil, append(problems, fmt.Errorf("%s: %v", fql, err))
		}
	case b.Form != nil:
		form, dropped, err := cleanForm(*b.Form, pluginURL, app.AppID)
		for _, d := range dropped {
			problems = append(problems, fmt.Errorf("%s: %v", fql, d))
		}
		if err != nil {
			return nil, append(problems, fmt.Errorf("%s: %v", fql, err))
		}
		b.Form = &form
	default:
		var subs []apps.Binding
		used := siblings{}
		for _, sub := range b.Bindings {
			clean, errs := cleanBinding(app, sub, fql, top, userAgent, pluginURL)
			problems = append(problems, errs...)
			if clean == nil {
				continue
			}
			if err := used.check(*clean, fql, command); err != nil {
				problems = append(problems, err)
				continue
			}
			used.add(*clean, command)
			subs = append(subs, *clean)
		}
		if len(subs) == 0 {
			return nil, append(problems, fmt.Errorf("%s: no valid sub-bindings", fql))
		}
		b.Bindings = subs
	}
	return &b, problems
}

// cleanForm checks a form an app sent: a submit or a source call; fields with
// unique one-word names and labels (the command flags), options for static
// selects, a lookup for dynamic selects. Invalid fields are dropped (and
// listed in dropped); a form without a valid call is an error. Icons become
// URLs.
func cleanForm(in apps.Form, pluginURL string, appID apps.AppID) (_ apps.Form, dropped []error, _ error) {
	out := in
	if in.Submit == nil && in.Source == nil {
		return out, nil, fmt.Errorf("%w: the form has neither a submit nor a source call", ErrInvalid)
	}
	for _, c := range []*apps.Call{in.Submit, in.Source} {
		if c != nil {
			if err := c.Validate(); err != nil {
				return out, nil, err
			}
		}
	}
	var problems []error
	if in.Icon != "" {
		icon, err := normalizeIcon(pluginURL, appID, in.Icon)
		if err != nil {
			problems = append(problems, fmt.Errorf("icon dropped: %v", err))
		}
		out.Icon = icon
	}
	out.Fields = nil
	names, labels := map[string]bool{}, map[string]bool{}
	for _, f := range in.Fields {
		if f.Type == "" {
			f.Type = apps.FieldTypeText
		}
		if err := f.Validate(); err != nil {
			problems = append(problems, err)
			continue
		}
		if f.Type == apps.FieldTypeMarkdown {
			out.Fields = append(out.Fields, f)
			continue
		}
		label := f.Label
		if label == "" {
			label = f.Name
		}
		switch {
		case strings.ContainsAny(f.Name, " \t\r\n"):
			problems = append(problems, fmt.Errorf("field name %q must be one word", f.Name))
			continue
		case strings.ContainsAny(label, " \t\r\n"):
			problems = append(problems, fmt.Errorf("field %q: label %q must be one word", f.Name, label))
			continue
		case names[f.Name]:
			problems = append(problems, fmt.Errorf("field name %q is used twice", f.Name))
			continue
		case labels[strings.ToLower(label)]:
			problems = append(problems, fmt.Errorf("field label %q is used twice", label))
			continue
		}
		switch f.Type {
		case apps.FieldTypeStaticSelect:
			f.Options = cleanOptions(f.Options)
			if len(f.Options) == 0 {
				problems = append(problems, fmt.Errorf("field %q: a static select needs options", f.Name))
				continue
			}
		case apps.FieldTypeDynamicSelect:
			if f.Lookup == nil {
				problems = append(problems, fmt.Errorf("field %q: a dynamic select needs a lookup call", f.Name))
				continue
			}
			if err := f.Lookup.Validate(); err != nil {
				problems = append(problems, fmt.Errorf("field %q: %v", f.Name, err))
				continue
			}
		}
		names[f.Name], labels[strings.ToLower(label)] = true, true
		out.Fields = append(out.Fields, f)
	}
	if out.SubmitButtons != "" && !names[out.SubmitButtons] {
		problems = append(problems, fmt.Errorf("submit_buttons %q names no field", out.SubmitButtons))
		out.SubmitButtons = ""
	}
	return out, problems, nil
}

// cleanOptions drops options without a value and repeated values or labels.
func cleanOptions(in []apps.SelectOption) []apps.SelectOption {
	var out []apps.SelectOption
	values, labels := map[string]bool{}, map[string]bool{}
	for _, o := range in {
		if o.Value == "" {
			continue
		}
		if o.Label == "" {
			o.Label = o.Value
		}
		if values[o.Value] || labels[o.Label] {
			continue
		}
		values[o.Value], labels[o.Label] = true, true
		out = append(out, o)
	}
	return out
}

// mergeBindings merges the cleaned bindings of several apps (in app order)
// into one container per top-level location. A command label already used
// by an earlier app is dropped, since a command must name one app.
func mergeBindings(perApp [][]apps.Binding) ([]apps.Binding, []error) {
	out := []apps.Binding{}
	index := map[apps.Location]int{}
	commands := map[string]apps.AppID{}
	var problems []error
	for _, bb := range perApp {
		for _, top := range bb {
			i, ok := index[top.Location]
			if !ok {
				i = len(out)
				index[top.Location] = i
				out = append(out, apps.Binding{Location: top.Location})
			}
			for _, b := range top.Bindings {
				if top.Location == apps.LocationCommand {
					key := strings.ToLower(b.Label)
					if other, used := commands[key]; used && other != b.AppID {
						problems = append(problems, fmt.Errorf("app %s: command /%s is already used by app %s", b.AppID, b.Label, other))
						continue
					}
					commands[key] = b.AppID
				}
				out[i].Bindings = append(out[i].Bindings, b)
			}
		}
	}
	return out, problems
}

func joinProblems(errs []error) string {
	return errors.Join(errs...).Error()
}
