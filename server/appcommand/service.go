// Package appcommand turns apps' /command bindings into real slash commands:
// one registered command (with autocomplete: subcommands, --flags and
// positional arguments) per top-level command binding of each enabled app,
// kept in step with installs, enable/disable and refresh_bindings. Running
// one parses the command line into a call made through the proxy, the same
// path as the REST /call route; a form answer opens an interactive dialog,
// or where none can open, answers with usage text.
package appcommand

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/server/config"
	"github.com/mattermost-community/apps-plugin/server/mmplugin"
	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
	"github.com/mattermost-community/apps-plugin/server/proxy"
)

// ReservedTriggers are never registered for apps.
var ReservedTriggers = map[string]bool{"apps": true}

// syncSlack is added to the bindings timeout for one app's registration.
const syncSlack = time.Second

// Service registers and runs app slash commands.
type Service struct {
	api   mmplugin.API
	conf  *config.Service
	proxy *proxy.Proxy

	syncMu sync.Mutex // one registration change at a time

	mu       sync.RWMutex
	triggers map[string]apps.AppID            // registered trigger -> app
	byApp    map[apps.AppID]map[string]string // app -> trigger -> registration hash
	pending  map[apps.AppID]bool              // background syncs queued
	retry    map[apps.AppID]bool              // apps whose commands could not be read
	retrying bool

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// New returns the service; it follows the proxy's bindings changes.
func New(api mmplugin.API, conf *config.Service, p *proxy.Proxy) *Service {
	ctx, cancel := context.WithCancel(context.Background())
	s := &Service{
		api: api, conf: conf, proxy: p,
		triggers: map[string]apps.AppID{}, byApp: map[apps.AppID]map[string]string{}, pending: map[apps.AppID]bool{},
		retry: map[apps.AppID]bool{},
		ctx:   ctx, cancel: cancel,
	}
	p.OnBindingsChanged(s.bindingsChanged)
	return s
}

// Start registers the commands of every enabled app, in the background
// (apps may be slow or down at activation).
func (s *Service) Start() { s.SyncAllAsync() }

// Stop ends background work. The server forgets a plugin's commands when
// it stops the plugin, so they are not unregistered here (a new activation
// may already have registered them again).
func (s *Service) Stop() {
	s.cancel()
	s.wg.Wait()
}

// Handles reports whether trigger is an app's registered command.
func (s *Service) Handles(trigger string) bool {
	_, ok := s.appFor(trigger)
	return ok
}

func (s *Service) appFor(trigger string) (apps.AppID, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	id, ok := s.triggers[strings.ToLower(trigger)]
	return id, ok
}

// Triggers lists the registered triggers and their apps.
func (s *Service) Triggers() map[string]apps.AppID {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make(map[string]apps.AppID, len(s.triggers))
	for t, id := range s.triggers {
		out[t] = id
	}
	return out
}

func (s *Service) bindingsChanged(ch proxy.BindingsChange) {
	if ch.Lifecycle {
		// Installs, enables, ... wait for the registration, so the command
		// works as soon as the admin's command returns.
		ctx, cancel := context.WithTimeout(s.ctx, s.proxy.BindingsTimeout()+syncSlack)
		defer cancel()
		if err := s.SyncApp(ctx, ch.AppID); err != nil {
			s.retryLater(ch.AppID)
		}
		return
	}
	s.SyncAppAsync(ch.AppID)
}

// SyncAppAsync re-registers an app's commands in the background (at most
// one queued sync per app).
func (s *Service) SyncAppAsync(id apps.AppID) {
	s.mu.Lock()
	if s.pending[id] {
		s.mu.Unlock()
		return
	}
	s.pending[id] = true
	s.mu.Unlock()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.mu.Lock()
		delete(s.pending, id)
		s.mu.Unlock()
		ctx, cancel := context.WithTimeout(s.ctx, s.proxy.BindingsTimeout()+syncSlack)
		defer cancel()
		if app, err := s.proxy.GetInstalledApp(id); err == nil {
			// The bot's own cached bindings may predate the change.
			s.proxy.InvalidateUserBindings(id, app.BotUserID)
		}
		_ = s.SyncApp(ctx, id)
	}()
}

// Retries of apps whose commands could not be read (down at activation).
const (
	retryFirst = 30 * time.Second
	retryMax   = 5 * time.Minute
)

// SyncAllAsync re-registers every app's commands in the background; apps
// that cannot be read are retried (one retry loop), less and less often,
// until they answer.
func (s *Service) SyncAllAsync() {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.retryLater(s.SyncAll(s.ctx)...)
	}()
}

// retryLater queues apps for the retry loop, starting it if needed.
func (s *Service) retryLater(ids ...apps.AppID) {
	if len(ids) == 0 || s.ctx.Err() != nil {
		return
	}
	s.mu.Lock()
	for _, id := range ids {
		s.retry[id] = true
	}
	start := !s.retrying
	s.retrying = true
	s.mu.Unlock()
	if start {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.retryLoop()
		}()
	}
}

func (s *Service) retryLoop() {
	for wait := retryFirst; ; wait = min(2*wait, retryMax) {
		select {
		case <-s.ctx.Done():
			s.mu.Lock()
			s.retrying = false
			s.mu.Unlock()
			return
		case <-time.After(wait):
		}
		s.mu.Lock()
		var ids []apps.AppID
		for id := range s.retry {
			ids = append(ids, id)
		}
		s.mu.Unlock()
		for _, id := range ids {
			ctx, cancel := context.WithTimeout(s.ctx, s.proxy.BindingsTimeout()+syncSlack)
			err := s.SyncApp(ctx, id)
			cancel()
			if err == nil {
				s.mu.Lock()
				delete(s.retry, id)
				s.mu.Unlock()
			}
		}
		s.mu.Lock()
		if len(s.retry) == 0 {
			s.retrying = false
			s.mu.Unlock()
			return
		}
		s.mu.Unlock()
	}
}

// SyncAll registers the commands of every enabled app and drops those of
// apps that are gone. It returns the apps whose commands could not be read.
func (s *Service) SyncAll(ctx context.Context) (failed []apps.AppID) {
	installed := map[apps.AppID]bool{}
	var wg sync.WaitGroup
	var mu sync.Mutex
	for _, app := range s.proxy.InstalledApps() {
		installed[app.AppID] = true
		wg.Add(1)
		go func(id apps.AppID) {
			defer wg.Done()
			cctx, cancel := context.WithTimeout(ctx, s.proxy.BindingsTimeout()+syncSlack)
			defer cancel()
			if err := s.SyncApp(cctx, id); err != nil {
				mu.Lock()
				failed = append(failed, id)
				mu.Unlock()
			}
		}(app.AppID)
	}
	wg.Wait()
	s.mu.RLock()
	var gone []apps.AppID
	for id := range s.byApp {
		if !installed[id] {
			gone = append(gone, id)
		}
	}
	s.mu.RUnlock()
	for _, id := range gone {
		_ = s.SyncApp(ctx, id)
	}
	return failed
}

// SyncApp fetches the app's command bindings (as its bot sees them) and
// registers, updates or unregisters its commands. When the bindings cannot
// be fetched the current registration is kept.
func (s *Service) SyncApp(ctx context.Context, id apps.AppID) error {
	var want []*model.Command
	app, err := s.proxy.GetInstalledApp(id)
	if err == nil && app.DeployType == apps.DeployBuiltin {
		return nil // /apps is registered by the command package
	}
	if err == nil && !app.Disabled && grantsCommands(app) {
		bb, err := s.proxy.BotBindings(ctx, id)
		if err != nil {
			if ctx.Err() == nil {
				s.api.LogWarn("Could not read an app's commands; its slash commands stay as they were", "app_id", string(id), "error", err.Error())
			}
			return err
		}
		want = commandsFrom(app, bb)
	}
	s.apply(id, want)
	return nil
}

// grantsCommands: the app may have /command bindings.
func grantsCommands(app apps.App) bool {
	for _, l := range app.GrantedLocations {
		if l.In(apps.LocationCommand) || apps.LocationCommand.In(l) {
			return true
		}
	}
	return false
}

// apply makes the registered commands of app id match want.
func (s *Service) apply(id apps.AppID, want []*model.Command) {
	s.syncMu.Lock()
	defer s.syncMu.Unlock()
	s.mu.RLock()
	old := s.byApp[id]
	s.mu.RUnlock()

	next := map[string]string{}
	for _, cmd := range want {
		t := cmd.Trigger
		if ReservedTriggers[t] {
			s.api.LogWarn("An app's command uses a trigger the plugin reserves; it is not registered", "app_id", string(id), "trigger", t)
			continue
		}
		if owner, ok := s.appFor(t); ok && owner != id {
			s.api.LogWarn("An app's command is already registered by another app; it is not registered", "app_id", string(id), "trigger", t, "owner", string(owner))
			continue
		}
		hash := commandHash(cmd)
		if old[t] != hash {
			if err := s.api.RegisterCommand(cmd); err != nil {
				s.api.LogWarn("Could not register an app's slash command", "app_id", string(id), "trigger", t, "error", err.Error())
				continue
			}
		}
		next[t] = hash
	}
	for t := range old {
		if _, ok := next[t]; !ok {
			if err := s.api.UnregisterCommand("", t); err != nil {
				s.api.LogWarn("Could not unregister an app's slash command", "app_id", string(id), "trigger", t, "error", err.Error())
			}
		}
	}
	s.mu.Lock()
	for t := range old {
		if s.triggers[t] == id {
			delete(s.triggers, t)
		}
	}
	for t := range next {
		s.triggers[t] = id
	}
	if len(next) == 0 {
		delete(s.byApp, id)
	} else {
		s.byApp[id] = next
	}
	s.mu.Unlock()
}

func commandHash(cmd *model.Command) string {
	b, _ := json.Marshal(cmd)
	return string(b)
}

// commandsFrom builds one command per top-level /command binding.
func commandsFrom(app apps.App, bb []apps.Binding) []*model.Command {
	var out []*model.Command
	for _, top := range bb {
		if top.Location != apps.LocationCommand {
			continue
		}
		for _, b := range top.Bindings {
			trigger := strings.ToLower(b.Label)
			if trigger == "" {
				continue
			}
			desc := firstNonEmpty(b.Description, b.Hint, app.DisplayName)
			out = append(out, &model.Command{
				Trigger:          trigger,
				AutoComplete:     true,
				AutoCompleteDesc: desc,
				AutoCompleteHint: b.Hint,
				DisplayName:      app.DisplayName,
				Description:      desc,
				AutocompleteData: autocomplete(b, trigger),
			})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Trigger < out[j].Trigger })
	return out
}

// autocomplete describes a binding: its sub-bindings as subcommands, or its
// form's fields as arguments (positional first, then --flags).
func autocomplete(b apps.Binding, trigger string) *model.AutocompleteData {
	ad := model.NewAutocompleteData(trigger, b.Hint, firstNonEmpty(b.Description, b.Hint, b.Label))
	switch {
	case len(b.Bindings) > 0:
		for _, sub := range b.Bindings {
			ad.AddCommand(autocomplete(sub, strings.ToLower(sub.Label)))
		}
	case b.Form != nil:
		addArguments(ad, *b.Form)
	}
	return ad
}

func addArguments(ad *model.AutocompleteData, form apps.Form) {
	positional, named := splitFields(form.Fields)
	for _, f := range positional {
		help := firstNonEmpty(f.Description, f.Label, f.Name)
		if f.Type == apps.FieldTypeStaticSelect {
			ad.AddStaticListArgument(help, f.IsRequired, listItems(f))
			continue
		}
		ad.AddTextArgument(help, firstNonEmpty(f.Hint, "["+fieldLabel(f)+"]"), "")
	}
	for _, f := range named {
		help := firstNonEmpty(f.Description, f.Label, f.Name)
		label := fieldLabel(f)
		switch f.Type {
		case apps.FieldTypeStaticSelect:
			ad.Arguments = append(ad.Arguments, &model.AutocompleteArg{Name: label, HelpText: help, Type: model.AutocompleteArgTypeStaticList, Required: f.IsRequired, Data: &model.AutocompleteStaticListArg{PossibleArguments: listItems(f)}})
		case apps.FieldTypeBool:
			ad.Arguments = append(ad.Arguments, &model.AutocompleteArg{Name: label, HelpText: help, Type: model.AutocompleteArgTypeStaticList, Required: f.IsRequired, Data: &model.AutocompleteStaticListArg{PossibleArguments: []model.AutocompleteListItem{{Item: "true"}, {Item: "false"}}}})
		default:
			ad.AddNamedTextArgument(label, help, firstNonEmpty(f.Hint, typeHint(f)), "", f.IsRequired)
		}
	}
}

// splitFields separates positional fields (Position > 0 in order, then -1)
// from flags. Markdown fields are neither. A positional field that is not
// required is offered as a flag in autocomplete (the server does not allow
// optional positional text arguments) but still parses positionally.
func splitFields(fields []apps.Field) (positional, named []apps.Field) {
	var pos []apps.Field
	for _, f := range fields {
		if f.Type == apps.FieldTypeMarkdown {
			continue
		}
		if f.Position != 0 && (f.IsRequired || f.Type == apps.FieldTypeStaticSelect) {
			pos = append(pos, f)
		} else {
			named = append(named, f)
		}
	}
	sortPositional(pos)
	return pos, named
}

func sortPositional(fields []apps.Field) {
	sort.SliceStable(fields, func(i, j int) bool {
		a, b := fields[i].Position, fields[j].Position
		if a < 0 {
			return false
		}
		if b < 0 {
			return true
		}
		return a < b
	})
}

func listItems(f apps.Field) []model.AutocompleteListItem {
	var items []model.AutocompleteListItem
	for _, o := range f.Options {
		items = append(items, model.AutocompleteListItem{Item: o.Value, HelpText: o.Label})
	}
	return items
}

func fieldLabel(f apps.Field) string {
	return firstNonEmpty(f.Label, f.Name)
}

func typeHint(f apps.Field) string {
	switch f.Type {
	case apps.FieldTypeUser:
		return "@username"
	case apps.FieldTypeChannel:
		return "~channel"
	}
	return "<" + fieldLabel(f) + ">"
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// errorText is what a user sees for a failed command.
func errorText(err error) string {
	return fmt.Sprintf("Error: %v", err)
}
