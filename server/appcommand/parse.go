package appcommand

import (
	"fmt"
	"sort"
	"strings"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
)

// Resolver finds the users and channels named in commands.
type Resolver interface {
	GetUserByUsername(name string) (*model.User, *model.AppError)
	GetChannelByName(teamID, name string, includeDeleted bool) (*model.Channel, *model.AppError)
}

// parseValues reads command words against a form: "--label value" (or
// --label=value; a bool flag alone means true) and positional words for
// fields with a position (in order; position -1 is last and takes the rest
// of the line). Values are typed as the app expects them: text as a string,
// bool as a bool, selects, users and channels as {"label","value"} options
// (lists for multiselects). Fields not given get their default; required
// ones still missing are returned.
func parseValues(r Resolver, form apps.Form, words []string, teamID string) (map[string]any, []apps.Field, error) {
	flags := map[string]*apps.Field{}
	var positional []apps.Field
	for i := range form.Fields {
		f := &form.Fields[i]
		if f.Type == apps.FieldTypeMarkdown {
			continue
		}
		flags[strings.ToLower(fieldLabel(*f))] = f
		if f.Name != fieldLabel(*f) {
			if _, taken := flags[strings.ToLower(f.Name)]; !taken {
				flags[strings.ToLower(f.Name)] = f
			}
		}
		if f.Position != 0 {
			positional = append(positional, *f)
		}
	}
	sortPositional(positional)

	values := map[string]any{}
	set := func(f *apps.Field, raw string) error {
		if f.ReadOnly {
			return fmt.Errorf("`--%s` cannot be set", fieldLabel(*f))
		}
		v, err := typedValue(r, *f, raw, teamID)
		if err != nil {
			return err
		}
		values[f.Name] = v
		return nil
	}
	pos := 0
	for i := 0; i < len(words); i++ {
		w := words[i]
		if strings.HasPrefix(w, "--") && len(w) > 2 {
			name, raw, hasValue := strings.Cut(w[2:], "=")
			f := flags[strings.ToLower(name)]
			if f == nil {
				return nil, nil, fmt.Errorf("unknown flag `--%s`", name)
			}
			if !hasValue {
				switch {
				case f.Type == apps.FieldTypeBool:
					raw = "true"
					if i+1 < len(words) && isBoolWord(words[i+1]) {
						raw = words[i+1]
						i++
					}
				case i+1 < len(words):
					raw = words[i+1]
					i++
				default:
					return nil, nil, fmt.Errorf("`--%s` needs a value", name)
				}
			}
			if err := set(f, raw); err != nil {
				return nil, nil, err
			}
			continue
		}
		for pos < len(positional) && values[positional[pos].Name] != nil {
			pos++
		}
		if pos >= len(positional) {
			return nil, nil, fmt.Errorf("unexpected argument `%s`", w)
		}
		f := positional[pos]
		raw := w
		if f.Position < 0 {
			// The last positional field takes the rest, up to the next flag.
			j := i + 1
			for j < len(words) && !isFlag(words[j], flags) {
				j++
			}
			raw = strings.Join(words[i:j], " ")
			i = j - 1
		}
		if err := set(&f, raw); err != nil {
			return nil, nil, err
		}
		pos++
	}
	var missing []apps.Field
	for _, f := range form.Fields {
		if f.Type == apps.FieldTypeMarkdown {
			continue
		}
		if _, ok := values[f.Name]; ok {
			continue
		}
		if f.Value != nil {
			values[f.Name] = f.Value
			continue
		}
		if f.IsRequired {
			missing = append(missing, f)
		}
	}
	return values, missing, nil
}

func isFlag(w string, flags map[string]*apps.Field) bool {
	if !strings.HasPrefix(w, "--") || len(w) <= 2 {
		return false
	}
	name, _, _ := strings.Cut(w[2:], "=")
	return flags[strings.ToLower(name)] != nil
}

func isBoolWord(w string) bool {
	_, ok := parseBool(w)
	return ok
}

func parseBool(w string) (bool, bool) {
	switch strings.ToLower(w) {
	case "true", "yes", "on", "1":
		return true, true
	case "false", "no", "off", "0":
		return false, true
	}
	return false, false
}

// typedValue converts one command word to the value the field expects.
func typedValue(r Resolver, f apps.Field, raw, teamID string) (any, error) {
	label := fieldLabel(f)
	switch f.Type {
	case apps.FieldTypeBool:
		b, ok := parseBool(raw)
		if !ok {
			return nil, fmt.Errorf("`--%s` is true or false, not `%s`", label, raw)
		}
		return b, nil
	case apps.FieldTypeStaticSelect, apps.FieldTypeDynamicSelect, apps.FieldTypeUser, apps.FieldTypeChannel:
		if !f.SelectIsMulti {
			return option(r, f, raw, teamID)
		}
		var out []apps.SelectOption
		for _, part := range strings.Split(raw, ",") {
			if part = strings.TrimSpace(part); part == "" {
				continue
			}
			o, err := option(r, f, part, teamID)
			if err != nil {
				return nil, err
			}
			out = append(out, o)
		}
		return out, nil
	}
	if f.MaxLength > 0 && len([]rune(raw)) > f.MaxLength {
		return nil, fmt.Errorf("`--%s` is at most %d characters", label, f.MaxLength)
	}
	return raw, nil
}

func option(r Resolver, f apps.Field, raw, teamID string) (apps.SelectOption, error) {
	label := fieldLabel(f)
	switch f.Type {
	case apps.FieldTypeStaticSelect:
		for _, o := range f.Options {
			if strings.EqualFold(o.Value, raw) || strings.EqualFold(o.Label, raw) {
				return apps.SelectOption{Label: o.Label, Value: o.Value}, nil
			}
		}
		var opts []string
		for _, o := range f.Options {
			opts = append(opts, o.Value)
		}
		return apps.SelectOption{}, fmt.Errorf("`%s` is not an option of `--%s` (options: %s)", raw, label, strings.Join(opts, ", "))
	case apps.FieldTypeUser:
		name := strings.TrimPrefix(raw, "@")
		u, appErr := r.GetUserByUsername(name)
		if appErr != nil || u == nil {
			return apps.SelectOption{}, fmt.Errorf("`--%s`: no user @%s", label, name)
		}
		return apps.SelectOption{Label: u.Username, Value: u.Id}, nil
	case apps.FieldTypeChannel:
		name := strings.TrimPrefix(raw, "~")
		ch, appErr := r.GetChannelByName(teamID, name, false)
		if appErr != nil || ch == nil {
			return apps.SelectOption{}, fmt.Errorf("`--%s`: no channel ~%s", label, name)
		}
		return apps.SelectOption{Label: ch.DisplayName, Value: ch.Id}, nil
	}
	return apps.SelectOption{Label: raw, Value: raw}, nil
}

// formUsage describes a form as a command line.
func formUsage(command string, form apps.Form) string {
	var pos, named []apps.Field
	for _, f := range form.Fields {
		switch {
		case f.Type == apps.FieldTypeMarkdown:
		case f.Position != 0:
			pos = append(pos, f)
		default:
			named = append(named, f)
		}
	}
	sortPositional(pos)
	var line strings.Builder
	line.WriteString(command)
	isPos := map[string]bool{}
	for _, f := range pos {
		isPos[f.Name] = true
		if f.IsRequired {
			fmt.Fprintf(&line, " <%s>", fieldLabel(f))
		} else {
			fmt.Fprintf(&line, " [%s]", fieldLabel(f))
		}
	}
	for _, f := range named {
		arg := "--" + fieldLabel(f)
		if f.Type != apps.FieldTypeBool {
			arg += " " + valueHint(f)
		}
		if !f.IsRequired {
			arg = "[" + arg + "]"
		}
		line.WriteString(" " + arg)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Usage: `%s`", line.String())
	if form.Title != "" {
		b.WriteString(" — " + form.Title)
	}
	for _, f := range form.Fields {
		if f.Type == apps.FieldTypeMarkdown {
			continue
		}
		name := "--" + fieldLabel(f)
		if isPos[f.Name] {
			name = fieldLabel(f)
		}
		desc := firstNonEmpty(f.Description, f.Hint, f.ModalLabel)
		req := ""
		if f.IsRequired {
			req = " (required)"
		}
		fmt.Fprintf(&b, "\n- `%s`%s: %s", name, req, strings.TrimSpace(desc+" "+optionsHint(f)))
	}
	return b.String()
}

func valueHint(f apps.Field) string {
	if f.Type == apps.FieldTypeStaticSelect && len(f.Options) > 0 && len(f.Options) <= 5 {
		var vs []string
		for _, o := range f.Options {
			vs = append(vs, o.Value)
		}
		return strings.Join(vs, "|")
	}
	return typeHint(f)
}

func optionsHint(f apps.Field) string {
	switch f.Type {
	case apps.FieldTypeStaticSelect:
		var vs []string
		for _, o := range f.Options {
			vs = append(vs, o.Value)
		}
		return "(one of: " + strings.Join(vs, ", ") + ")"
	case apps.FieldTypeBool:
		return "(true or false)"
	}
	return ""
}

// subcommandUsage lists a command's subcommands.
func subcommandUsage(command string, b apps.Binding) string {
	var labels []string
	for _, sub := range b.Bindings {
		labels = append(labels, strings.ToLower(sub.Label))
	}
	sort.Strings(labels)
	var out strings.Builder
	fmt.Fprintf(&out, "Usage: `%s <%s>`", command, strings.Join(labels, "|"))
	for _, sub := range b.Bindings {
		fmt.Fprintf(&out, "\n- `%s`: %s", strings.ToLower(sub.Label), firstNonEmpty(sub.Description, sub.Hint))
	}
	return out.String()
}

func joinFlags(fields []apps.Field) string {
	var out []string
	for _, f := range fields {
		out = append(out, "`--"+fieldLabel(f)+"`")
	}
	return strings.Join(out, ", ")
}
