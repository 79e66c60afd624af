package fakemm

import (
	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
)

// Deep copies of everything the server stores or hands out.

func copyBytes(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte(nil), b...)
}

func copyStrings(s []string) []string {
	if s == nil {
		return nil
	}
	return append([]string(nil), s...)
}

func copyStrMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	c := make(map[string]string, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

func copyPtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// copyAnyMap deep-copies a props/payload map.
func copyAnyMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	c := make(map[string]any, len(m))
	for k, v := range m {
		c[k] = copyAny(v)
	}
	return c
}

// copyAny deep-copies the value kinds that travel in interface-typed fields:
// basic values are immutable; containers and the registered model types are
// copied; anything else is returned as is.
func copyAny(v any) any {
	switch t := v.(type) {
	case map[string]any:
		return copyAnyMap(t)
	case []any:
		if t == nil {
			return t
		}
		c := make([]any, len(t))
		for i, e := range t {
			c[i] = copyAny(e)
		}
		return c
	case map[string]string:
		return copyStrMap(t)
	case []string:
		return copyStrings(t)
	case []byte:
		return copyBytes(t)
	case map[string]bool:
		if t == nil {
			return t
		}
		c := make(map[string]bool, len(t))
		for k, b := range t {
			c[k] = b
		}
		return c
	case []*model.SlackAttachment:
		return copyAttachments(t)
	case *model.SlackAttachment:
		return copyAttachment(t)
	default:
		return v
	}
}

func copyAttachments(list []*model.SlackAttachment) []*model.SlackAttachment {
	if list == nil {
		return nil
	}
	c := make([]*model.SlackAttachment, len(list))
	for i, a := range list {
		c[i] = copyAttachment(a)
	}
	return c
}

func copyAttachment(a *model.SlackAttachment) *model.SlackAttachment {
	if a == nil {
		return nil
	}
	c := *a
	c.Timestamp = copyAny(a.Timestamp)
	if a.Fields != nil {
		c.Fields = make([]*model.SlackAttachmentField, len(a.Fields))
		for i, f := range a.Fields {
			if f != nil {
				fc := *f
				fc.Value = copyAny(f.Value)
				c.Fields[i] = &fc
			}
		}
	}
	if a.Actions != nil {
		c.Actions = make([]*model.PostAction, len(a.Actions))
		for i, act := range a.Actions {
			c.Actions[i] = copyPostAction(act)
		}
	}
	return &c
}

func copyPostAction(a *model.PostAction) *model.PostAction {
	if a == nil {
		return nil
	}
	c := *a
	c.Options = copyActionOptions(a.Options)
	if a.Integration != nil {
		ic := *a.Integration
		ic.Context = copyAnyMap(a.Integration.Context)
		c.Integration = &ic
	}
	return &c
}

func copyActionOptions(opts []*model.PostActionOptions) []*model.PostActionOptions {
	if opts == nil {
		return nil
	}
	c := make([]*model.PostActionOptions, len(opts))
	for i, o := range opts {
		c[i] = copyPtr(o)
	}
	return c
}

func copyUser(u *model.User) *model.User {
	if u == nil {
		return nil
	}
	c := *u
	c.AuthData = copyPtr(u.AuthData)
	c.RemoteId = copyPtr(u.RemoteId)
	c.Props = copyStrMap(u.Props)
	c.NotifyProps = copyStrMap(u.NotifyProps)
	c.Timezone = copyStrMap(u.Timezone)
	return &c
}

func copyBot(b *model.Bot) *model.Bot {
	if b == nil {
		return nil
	}
	c := *b
	return &c
}

func copyTeam(t *model.Team) *model.Team {
	if t == nil {
		return nil
	}
	c := *t
	c.SchemeId = copyPtr(t.SchemeId)
	c.GroupConstrained = copyPtr(t.GroupConstrained)
	c.PolicyID = copyPtr(t.PolicyID)
	return &c
}

func copyTeamMember(m *model.TeamMember) *model.TeamMember {
	if m == nil {
		return nil
	}
	c := *m
	return &c
}

func copyChannel(ch *model.Channel) *model.Channel {
	if ch == nil {
		return nil
	}
	c := *ch
	c.SchemeId = copyPtr(ch.SchemeId)
	c.GroupConstrained = copyPtr(ch.GroupConstrained)
	c.Shared = copyPtr(ch.Shared)
	c.PolicyID = copyPtr(ch.PolicyID)
	c.Props = copyAnyMap(ch.Props)
	return &c
}

func copyChannelMember(m *model.ChannelMember) *model.ChannelMember {
	if m == nil {
		return nil
	}
	c := *m
	c.NotifyProps = copyStrMap(m.NotifyProps)
	return &c
}

func copySession(s *model.Session) *model.Session {
	if s == nil {
		return nil
	}
	c := *s
	c.Props = copyStrMap(s.Props)
	if s.TeamMembers != nil {
		c.TeamMembers = make([]*model.TeamMember, len(s.TeamMembers))
		for i, m := range s.TeamMembers {
			c.TeamMembers[i] = copyTeamMember(m)
		}
	}
	return &c
}

func copyToken(t *model.UserAccessToken) *model.UserAccessToken {
	if t == nil {
		return nil
	}
	c := *t
	return &c
}

func copyPost(p *model.Post) *model.Post {
	if p == nil {
		return nil
	}
	c := *p
	c.Props = copyAnyMap(p.Props)
	c.FileIds = copyStrings(p.FileIds)
	c.RemoteId = copyPtr(p.RemoteId)
	c.IsFollowing = copyPtr(p.IsFollowing)
	return &c
}

func copyOAuthApp(a *model.OAuthApp) *model.OAuthApp {
	if a == nil {
		return nil
	}
	c := *a
	c.CallbackUrls = copyStrings(a.CallbackUrls)
	return &c
}

func copyCommand(cmd *model.Command) *model.Command {
	if cmd == nil {
		return nil
	}
	c := *cmd
	c.AutocompleteData = copyAutocomplete(cmd.AutocompleteData)
	return &c
}

func copyAutocomplete(ad *model.AutocompleteData) *model.AutocompleteData {
	if ad == nil {
		return nil
	}
	c := *ad
	if ad.Arguments != nil {
		c.Arguments = make([]*model.AutocompleteArg, len(ad.Arguments))
		for i, a := range ad.Arguments {
			if a == nil {
				continue
			}
			ac := *a
			switch d := a.Data.(type) {
			case *model.AutocompleteTextArg:
				ac.Data = copyPtr(d)
			case *model.AutocompleteStaticListArg:
				if d != nil {
					dc := *d
					if d.PossibleArguments != nil {
						dc.PossibleArguments = append([]model.AutocompleteListItem(nil), d.PossibleArguments...)
					}
					ac.Data = &dc
				}
			case *model.AutocompleteDynamicListArg:
				ac.Data = copyPtr(d)
			default:
				ac.Data = copyAny(a.Data)
			}
			c.Arguments[i] = &ac
		}
	}
	if ad.SubCommands != nil {
		c.SubCommands = make([]*model.AutocompleteData, len(ad.SubCommands))
		for i, sub := range ad.SubCommands {
			c.SubCommands[i] = copyAutocomplete(sub)
		}
	}
	return &c
}

func copyDialogRequest(r model.OpenDialogRequest) model.OpenDialogRequest {
	c := r
	if r.Dialog.Elements != nil {
		c.Dialog.Elements = make([]model.DialogElement, len(r.Dialog.Elements))
		for i, e := range r.Dialog.Elements {
			e.Options = copyActionOptions(e.Options)
			c.Dialog.Elements[i] = e
		}
	}
	return c
}

func copyBroadcast(b *model.WebsocketBroadcast) model.WebsocketBroadcast {
	if b == nil {
		return model.WebsocketBroadcast{}
	}
	c := *b
	if b.OmitUsers != nil {
		c.OmitUsers = make(map[string]bool, len(b.OmitUsers))
		for k, v := range b.OmitUsers {
			c.OmitUsers[k] = v
		}
	}
	return c
}

func copyConfig(cfg *model.Config) *model.Config {
	if cfg == nil {
		return nil
	}
	c := *cfg
	ss := &c.ServiceSettings
	ss.SiteURL = copyPtr(cfg.ServiceSettings.SiteURL)
	ss.EnableOAuthServiceProvider = copyPtr(cfg.ServiceSettings.EnableOAuthServiceProvider)
	ss.EnableUserAccessTokens = copyPtr(cfg.ServiceSettings.EnableUserAccessTokens)
	ss.EnableBotAccountCreation = copyPtr(cfg.ServiceSettings.EnableBotAccountCreation)
	ss.EnableDeveloper = copyPtr(cfg.ServiceSettings.EnableDeveloper)
	ss.EnableTesting = copyPtr(cfg.ServiceSettings.EnableTesting)
	ss.AllowedUntrustedInternalConnections = copyPtr(cfg.ServiceSettings.AllowedUntrustedInternalConnections)
	c.TeamSettings.SiteName = copyPtr(cfg.TeamSettings.SiteName)
	ps := &c.PluginSettings
	ps.Enable = copyPtr(cfg.PluginSettings.Enable)
	ps.Directory = copyPtr(cfg.PluginSettings.Directory)
	ps.ClientDirectory = copyPtr(cfg.PluginSettings.ClientDirectory)
	if cfg.PluginSettings.Plugins != nil {
		ps.Plugins = make(map[string]map[string]any, len(cfg.PluginSettings.Plugins))
		for id, m := range cfg.PluginSettings.Plugins {
			ps.Plugins[id] = copyAnyMap(m)
		}
	}
	if cfg.PluginSettings.PluginStates != nil {
		ps.PluginStates = make(map[string]*model.PluginState, len(cfg.PluginSettings.PluginStates))
		for id, st := range cfg.PluginSettings.PluginStates {
			ps.PluginStates[id] = copyPtr(st)
		}
	}
	c.FileSettings.MaxFileSize = copyPtr(cfg.FileSettings.MaxFileSize)
	c.FeatureFlags = copyPtr(cfg.FeatureFlags)
	return &c
}
