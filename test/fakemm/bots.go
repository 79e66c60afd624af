package fakemm

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"unicode/utf8"

	"github.com/mattermost-community/apps-plugin/server/mmplugin"
	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
)

// PostTypeAddBotTeamsChannels is the post a new bot sends its (human) owner.
const PostTypeAddBotTeamsChannels = "add_bot_teams_channels"

func botInvalid(field, message string) *model.AppError {
	return appErr("Bot.IsValid", "model.bot.is_valid."+field+".app_error", message, http.StatusBadRequest)
}

// validateBot is Bot.IsValidCreate.
func validateBot(b *model.Bot) *model.AppError {
	if !IsValidUsername(b.Username) {
		return botInvalid("username", "Invalid username.")
	}
	if utf8.RuneCountInString(b.DisplayName) > 64 {
		return botInvalid("display_name", "Invalid display name.")
	}
	if utf8.RuneCountInString(b.Description) > 1024 {
		return botInvalid("description", "Invalid description.")
	}
	if b.OwnerId == "" || utf8.RuneCountInString(b.OwnerId) > 190 {
		return botInvalid("creator_id", "Invalid creator id.")
	}
	return nil
}

// createBotLocked is the server's App.CreateBot: the backing user, the bot,
// and a DM from the bot to a human owner.
func (s *Server) createBotLocked(in *model.Bot, ev *events) (*model.Bot, *model.AppError) {
	const where = "CreateBot"
	b := copyBot(in)
	b.Username = lowerASCII(b.Username)
	if err := validateBot(b); err != nil {
		return nil, err
	}
	u, err := s.saveUserLocked(where, &model.User{
		Id:             b.UserId,
		Username:       b.Username,
		Email:          b.Username + "@localhost",
		FirstName:      b.DisplayName,
		Roles:          model.SystemUserRoleId,
		IsBot:          true,
		BotDescription: b.Description,
	})
	if err != nil {
		return nil, err
	}
	stored := s.users[u.Id]
	stored.NotifyProps = nil
	now := s.nowMillis()
	b.UserId = u.Id
	b.CreateAt, b.UpdateAt, b.DeleteAt = now, now, 0
	b.LastIconUpdate = 0
	s.bots[b.UserId] = b

	if owner, ok := s.users[b.OwnerId]; ok && !owner.IsBot {
		dm := s.directChannelLocked(stored, owner, ev)
		s.createPostLocked(&model.Post{
			UserId: b.UserId, ChannelId: dm.Id, Type: PostTypeAddBotTeamsChannels,
			Message: "Please add this bot to teams and channels you want it to be in.",
		}, ev)
	}
	return copyBot(b), nil
}

// directChannelLocked finds or creates the DM of two existing users.
func (s *Server) directChannelLocked(u1, u2 *model.User, ev *events) *model.Channel {
	name := directChannelName(u1.Id, u2.Id)
	if ch := s.channelByNameLocked("", name, true); ch != nil {
		return ch
	}
	now := s.nowMillis()
	ch := &model.Channel{Id: model.NewId(), CreateAt: now, UpdateAt: now, Name: name, Type: model.ChannelTypeDirect, CreatorId: u1.Id}
	s.channels[ch.Id] = ch
	s.channelMembers[ch.Id] = map[string]*model.ChannelMember{}
	s.addChannelMemberLocked(ch, u1, false)
	if u1.Id != u2.Id {
		s.addChannelMemberLocked(ch, u2, false)
	}
	cc := copyChannel(ch)
	ev.add(func(l Listener) { l.ChannelHasBeenCreated(cc) })
	return ch
}

func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// patchBotLocked is the server's PatchBot (bot and backing user).
func (s *Server) patchBotLocked(botUserID string, patch *model.BotPatch) (*model.Bot, *model.AppError) {
	const where = "PatchBot"
	b, ok := s.bots[botUserID]
	if !ok {
		return nil, errBotMissing(where, botUserID)
	}
	if patch == nil {
		return copyBot(b), nil
	}
	nb := copyBot(b)
	if patch.Username != nil {
		nb.Username = *patch.Username
	}
	if patch.DisplayName != nil {
		nb.DisplayName = *patch.DisplayName
	}
	if patch.Description != nil {
		nb.Description = *patch.Description
	}
	if *nb == *b {
		return copyBot(b), nil
	}
	if err := validateBot(nb); err != nil {
		return nil, err
	}
	u, ok := s.users[botUserID]
	if !ok {
		return nil, errUserMissing(where)
	}
	if nb.Username != b.Username {
		if other := s.userByUsernameLocked(nb.Username); other != nil && other.Id != botUserID {
			return nil, appErr(where, "app.user.save.username_exists.app_error", "An account with that username already exists.", http.StatusBadRequest)
		}
	}
	now := s.nowMillis()
	u.Username = nb.Username
	u.Email = nb.Username + "@localhost"
	u.FirstName = nb.DisplayName
	u.BotDescription = nb.Description
	u.UpdateAt = now
	nb.UpdateAt = now
	s.bots[botUserID] = nb
	return copyBot(nb), nil
}

// updateBotActiveLocked is the server's UpdateBotActive.
func (s *Server) updateBotActiveLocked(botUserID string, active bool) (*model.Bot, *model.AppError) {
	u, ok := s.users[botUserID]
	if !ok {
		return nil, errUserMissing("UpdateBotActive")
	}
	if (u.DeleteAt != 0 && active) || (u.DeleteAt == 0 && !active) {
		s.setActiveLocked(u, active)
	}
	b, ok := s.bots[botUserID]
	if !ok {
		return nil, errBotMissing("UpdateBotActive", botUserID)
	}
	now := s.nowMillis()
	switch {
	case active && b.DeleteAt != 0:
		b.DeleteAt, b.UpdateAt = 0, now
	case !active && b.DeleteAt == 0:
		b.DeleteAt, b.UpdateAt = now, now
	}
	return copyBot(b), nil
}

// Bots returns every bot (deactivated ones included), oldest first.
func (s *Server) Bots() []*model.Bot {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.botsLocked(&model.BotGetOptions{IncludeDeleted: true, PerPage: len(s.bots)})
}

func (s *Server) botsLocked(opts *model.BotGetOptions) []*model.Bot {
	var list []*model.Bot
	for _, b := range s.bots {
		if !opts.IncludeDeleted && b.DeleteAt != 0 {
			continue
		}
		if opts.OwnerId != "" && b.OwnerId != opts.OwnerId {
			continue
		}
		if opts.OnlyOrphaned {
			owner, ok := s.users[b.OwnerId]
			if !ok || owner.DeleteAt == 0 {
				continue
			}
		}
		list = append(list, b)
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].CreateAt != list[j].CreateAt {
			return list[i].CreateAt < list[j].CreateAt
		}
		return list[i].Username < list[j].Username
	})
	start, end := page(len(list), opts.Page, opts.PerPage)
	out := make([]*model.Bot, 0, end-start)
	for _, b := range list[start:end] {
		out = append(out, copyBot(b))
	}
	return out
}

// BotIconImage returns the SVG last set with SetBotIconImage (nil if none).
func (s *Server) BotIconImage(botUserID string) []byte {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return copyBytes(s.botIcons[botUserID])
}

// Plugin API: bots.

// CreateBot is the plugin API's CreateBot. Like the server it ignores
// ServiceSettings.EnableBotAccountCreation, which only governs the REST API.
func (p *pluginAPI) CreateBot(bot *model.Bot) (*model.Bot, *model.AppError) {
	const where = "CreateBot"
	if bot == nil {
		return nil, appErr(where, "api.context.invalid_body_param.app_error", "Invalid or missing bot in request body.", http.StatusBadRequest)
	}
	b := copyBot(bot)
	if b.OwnerId == "" {
		b.OwnerId = p.id
	}
	var ev events
	s := p.s
	s.mu.Lock()
	created, err := func() (*model.Bot, *model.AppError) {
		if owner, ok := s.users[b.OwnerId]; ok && owner.IsBot {
			return nil, appErr(where, "plugin_api.bot_cant_create_bot", "Bot user cannot create bot user.", http.StatusBadRequest)
		}
		return s.createBotLocked(b, &ev)
	}()
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	s.fire(ev)
	return created, nil
}

func (p *pluginAPI) GetBot(botUserID string, includeDeleted bool) (*model.Bot, *model.AppError) {
	s := p.s
	s.mu.RLock()
	defer s.mu.RUnlock()
	b, ok := s.bots[botUserID]
	if !ok || (!includeDeleted && b.DeleteAt != 0) {
		return nil, errBotMissing("SqlBotStore.Get", botUserID)
	}
	return copyBot(b), nil
}

func (p *pluginAPI) GetBots(options *model.BotGetOptions) ([]*model.Bot, *model.AppError) {
	if options == nil {
		return nil, appErr("GetBots", "app.bot.getbots.internal_error", "Unable to get bots.", http.StatusBadRequest)
	}
	s := p.s
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.botsLocked(options), nil
}

func (p *pluginAPI) PatchBot(botUserID string, botPatch *model.BotPatch) (*model.Bot, *model.AppError) {
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.patchBotLocked(botUserID, botPatch)
}

func (p *pluginAPI) UpdateBotActive(botUserID string, active bool) (*model.Bot, *model.AppError) {
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.updateBotActiveLocked(botUserID, active)
}

func (p *pluginAPI) PermanentDeleteBot(botUserID string) *model.AppError {
	const where = "PermanentDeleteBot"
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[botUserID]
	if !ok {
		return errUserMissing(where)
	}
	if !u.IsBot {
		return appErrDetails(where, "app.bot.permenent_delete.bad_id", "Unable to delete bot.", "invalid bot id", http.StatusBadRequest)
	}
	s.permanentDeleteUserLocked(botUserID)
	return nil
}

func (s *Server) permanentDeleteUserLocked(userID string) {
	s.revokeAllSessionsLocked(userID)
	for id, t := range s.tokens {
		if t.UserId == userID {
			delete(s.tokens, id)
		}
	}
	for _, members := range s.channelMembers {
		delete(members, userID)
	}
	for _, members := range s.teamMembers {
		delete(members, userID)
	}
	delete(s.profileImages, userID)
	delete(s.botIcons, userID)
	delete(s.bots, userID)
	delete(s.users, userID)
}

func (p *pluginAPI) SetBotIconImage(botUserID string, data []byte) *model.AppError {
	const where = "SetBotIconImage"
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.bots[botUserID]
	if !ok {
		return errBotMissing(where, botUserID)
	}
	if err := checkSVG(data); err != nil {
		return appErrDetails(where, "api.bot.set_bot_icon_image.app_error", "Couldn't upload bot icon image.", err.Error(), http.StatusBadRequest)
	}
	s.botIcons[botUserID] = copyBytes(data)
	now := s.nowMillis()
	b.LastIconUpdate, b.UpdateAt = now, now
	if u, ok := s.users[botUserID]; ok {
		u.BotLastIconUpdate = now
	}
	return nil
}

// checkSVG accepts what the server's SVG parser accepts: an XML document whose
// root element is <svg>.
func checkSVG(data []byte) error {
	dec := xml.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := dec.Token()
		if err != nil {
			return fmt.Errorf("not an SVG image: %w", err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			if se.Name.Local != "svg" {
				return errors.New("not an SVG image: root element is <" + se.Name.Local + ">")
			}
			return nil
		}
	}
}

// EnsureBotUser is the server's (7.1+) EnsureBotUser, as the protocol
// reference describes it: the bot id lives in the plugin's KV key mmi_botid.
//   - If that names an existing bot: sync username, display name and
//     description to bot (PatchBot), reactivate it if deactivated, return it.
//   - Else if a user with that username exists: a bot is adopted (its id
//     saved in mmi_botid); a normal user is logged as an error and its id
//     returned, as the server does.
//   - Else the bot is created with the plugin as owner and its id saved.
//
// The owner is always the plugin. EnableBotAccountCreation does not apply.
func (p *pluginAPI) EnsureBotUser(bot *model.Bot) (string, error) {
	if bot == nil {
		return "", errors.New("passed a nil bot")
	}
	if bot.Username == "" {
		return "", errors.New("passed a bot with no username")
	}
	b := copyBot(bot)
	b.OwnerId = p.id
	var (
		ev       events
		logUser  *model.User
		id       string
		ensureEr error
	)
	s := p.s
	s.mu.Lock()
	id, logUser, ensureEr = s.ensureBotLocked(p.id, b, &ev)
	s.mu.Unlock()
	if logUser != nil {
		p.log("error", "Plugin attempted to use an account that already exists. Convert user to a bot "+
			"account in the CLI by running 'mattermost user convert <username> --bot'. If the user is an "+
			"existing user account you want to preserve, change its username and restart the Mattermost server, "+
			"after which the plugin will create a bot account with that name. For more information about bot "+
			"accounts, see https://mattermost.com/pl/default-bot-accounts", "username", b.Username, "user_id", logUser.Id)
	}
	if ensureEr != nil {
		return "", ensureEr
	}
	s.fire(ev)
	return id, nil
}

func (s *Server) ensureBotLocked(pluginID string, b *model.Bot, ev *events) (string, *model.User, error) {
	if stored := s.kvGetLocked(pluginID, mmplugin.BotIDKey); stored != nil {
		id := string(stored)
		if existing, ok := s.bots[id]; ok {
			if _, err := s.patchBotLocked(id, &model.BotPatch{
				Username: &b.Username, DisplayName: &b.DisplayName, Description: &b.Description,
			}); err != nil {
				return "", nil, fmt.Errorf("failed to patch bot: %w", err)
			}
			if existing.DeleteAt != 0 {
				if _, err := s.updateBotActiveLocked(id, true); err != nil {
					return "", nil, fmt.Errorf("failed to reactivate bot: %w", err)
				}
			}
			return id, nil, nil
		}
	}
	if u := s.userByUsernameLocked(b.Username); u != nil {
		if !u.IsBot {
			return u.Id, copyUser(u), nil
		}
		if _, err := s.kvSetLocked(pluginID, mmplugin.BotIDKey, []byte(u.Id), model.PluginKVSetOptions{}); err != nil {
			return "", nil, fmt.Errorf("failed to set plugin key: %w", err)
		}
		return u.Id, nil, nil
	}
	created, err := s.createBotLocked(b, ev)
	if err != nil {
		return "", nil, fmt.Errorf("failed to create bot: %w", err)
	}
	if _, err := s.kvSetLocked(pluginID, mmplugin.BotIDKey, []byte(created.UserId), model.PluginKVSetOptions{}); err != nil {
		return "", nil, fmt.Errorf("failed to set plugin key: %w", err)
	}
	return created.UserId, nil, nil
}
