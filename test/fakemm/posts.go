package fakemm

import (
	"encoding/json"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
)

// postMessageMaxRunes is the server's PostMessageMaxRunesV2.
const postMessageMaxRunes = 16383

// Post types outside the system_/custom_ families the server accepts.
var otherPostTypes = map[string]bool{
	"": true, "slack_attachment": true, PostTypeAddBotTeamsChannels: true, "reminder": true, "me": true,
}

func postInvalid(field, message string) *model.AppError {
	return appErr("Post.IsValid", "model.post.is_valid."+field+".app_error", message, http.StatusBadRequest)
}

// normalizeAttachments turns props.attachments sent as []any of JSON-shaped
// maps into []*model.SlackAttachment, as the server does, and gives every
// action without an id one.
func normalizeAttachments(p *model.Post) {
	raw, ok := p.Props["attachments"]
	if !ok {
		return
	}
	var list []*model.SlackAttachment
	switch t := raw.(type) {
	case []*model.SlackAttachment:
		list = t
	case []any:
		b, err := json.Marshal(t)
		if err != nil {
			return
		}
		if err := json.Unmarshal(b, &list); err != nil {
			return
		}
	default:
		return
	}
	for _, a := range list {
		if a == nil {
			continue
		}
		for _, act := range a.Actions {
			if act != nil && act.Id == "" {
				act.Id = model.NewId()
			}
		}
	}
	p.Props["attachments"] = list
}

// createPostLocked validates and stores a post (the server's CreatePost).
func (s *Server) createPostLocked(in *model.Post, ev *events) (*model.Post, *model.AppError) {
	const where = "CreatePost"
	if in.Id != "" {
		return nil, appErr(where, "store.sql_post.save.existing.app_error", "You cannot update an existing Post.", http.StatusBadRequest)
	}
	if !model.IsValidId(in.UserId) {
		return nil, postInvalid("user_id", "Invalid user id.")
	}
	if !model.IsValidId(in.ChannelId) {
		return nil, postInvalid("channel_id", "Invalid channel id.")
	}
	if in.RootId != "" && !model.IsValidId(in.RootId) {
		return nil, postInvalid("root_id", "Invalid root id.")
	}
	if utf8.RuneCountInString(in.Message) > postMessageMaxRunes {
		return nil, postInvalid("message_length", "Message property length is greater than the maximum allowed length.")
	}
	if !otherPostTypes[in.Type] && !strings.HasPrefix(in.Type, "system_") && !strings.HasPrefix(in.Type, "custom_") {
		return nil, postInvalid("type", "Invalid type.")
	}
	ch, ok := s.channels[in.ChannelId]
	if !ok {
		return nil, errChannelMissing(where)
	}
	if ch.DeleteAt != 0 {
		return nil, appErr(where, "api.post.create_post.can_not_post_to_deleted.error", "Can not post to deleted channel.", http.StatusBadRequest)
	}
	if _, ok := s.users[in.UserId]; !ok {
		return nil, errUserMissing(where)
	}
	if in.RootId != "" {
		root, ok := s.posts[in.RootId]
		if !ok || root.DeleteAt != 0 || root.ChannelId != in.ChannelId {
			return nil, appErr(where, "api.post.create_post.root_id.app_error", "Invalid RootId parameter.", http.StatusBadRequest)
		}
	}
	p := copyPost(in)
	if p.Props == nil {
		p.Props = map[string]any{}
	}
	normalizeAttachments(p)
	now := s.nowMillis()
	p.Id = model.NewId()
	if p.CreateAt == 0 {
		p.CreateAt = now
	}
	p.UpdateAt, p.EditAt, p.DeleteAt = p.CreateAt, 0, 0
	s.posts[p.Id] = p
	s.postOrder = append(s.postOrder, p.Id)
	if p.CreateAt > ch.LastPostAt {
		ch.LastPostAt = p.CreateAt
	}
	ch.TotalMsgCount++
	if p.RootId == "" {
		ch.TotalMsgCountRoot++
		ch.LastRootPostAt = ch.LastPostAt
	} else if root := s.posts[p.RootId]; root != nil {
		root.ReplyCount++
		root.LastReplyAt = p.CreateAt
	}
	pc := copyPost(p)
	ev.add(func(l Listener) {
		if pl, ok := l.(PostListener); ok {
			pl.MessageHasBeenPosted(pc)
		}
	})
	return copyPost(p), nil
}

// CreatePost creates a post as its user would (no from_plugin prop) and tells
// a PostListener.
func (s *Server) CreatePost(post *model.Post) (*model.Post, error) {
	if post == nil {
		return nil, postInvalid("id", "Invalid post.")
	}
	var ev events
	s.mu.Lock()
	p, err := s.createPostLocked(post, &ev)
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	s.fire(ev)
	return p, nil
}

// Post returns a copy of any post, deleted ones included.
func (s *Server) Post(postID string) (*model.Post, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, ok := s.posts[postID]
	return copyPost(p), ok
}

// Posts returns a channel's posts, oldest first; deleted ones are included
// with DeleteAt set.
func (s *Server) Posts(channelID string) []*model.Post {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []*model.Post
	for _, id := range s.postOrder {
		if p := s.posts[id]; p != nil && p.ChannelId == channelID {
			out = append(out, copyPost(p))
		}
	}
	return out
}

// EphemeralPosts returns the ephemeral posts sent to a user, in send order;
// updated ones appear in their latest form, deleted ones with DeleteAt set.
func (s *Server) EphemeralPosts(userID string) []*model.Post {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []*model.Post
	for _, p := range s.ephemeral[userID] {
		out = append(out, copyPost(p))
	}
	return out
}

// Plugin API: posts.

func (p *pluginAPI) GetPost(postID string) (*model.Post, *model.AppError) {
	s := p.s
	s.mu.RLock()
	defer s.mu.RUnlock()
	post, ok := s.posts[postID]
	if !ok || post.DeleteAt != 0 {
		return nil, errPostMissing("GetSinglePost")
	}
	return copyPost(post), nil
}

func (p *pluginAPI) CreatePost(post *model.Post) (*model.Post, *model.AppError) {
	if post == nil {
		return nil, postInvalid("id", "Invalid post.")
	}
	in := copyPost(post)
	in.AddProp("from_plugin", "true")
	var ev events
	s := p.s
	s.mu.Lock()
	created, err := s.createPostLocked(in, &ev)
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	s.fire(ev)
	return created, nil
}

func (p *pluginAPI) UpdatePost(post *model.Post) (*model.Post, *model.AppError) {
	const where = "UpdatePost"
	if post == nil {
		return nil, postInvalid("id", "Invalid post.")
	}
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.posts[post.Id]
	if !ok || old.DeleteAt != 0 {
		return nil, errPostMissing(where)
	}
	if strings.HasPrefix(old.Type, "system_") {
		return nil, appErr(where, "api.post.update_post.system_message.app_error", "Unable to update system message.", http.StatusBadRequest)
	}
	if utf8.RuneCountInString(post.Message) > postMessageMaxRunes {
		return nil, postInvalid("message_length", "Message property length is greater than the maximum allowed length.")
	}
	np := copyPost(old)
	now := s.nowMillis()
	if np.Message != post.Message {
		np.Message = post.Message
		np.EditAt = now
	}
	np.IsPinned = post.IsPinned
	np.HasReactions = post.HasReactions
	np.FileIds = copyStrings(post.FileIds)
	np.Props = copyAnyMap(post.Props)
	if np.Props == nil {
		np.Props = map[string]any{}
	}
	normalizeAttachments(np)
	np.UpdateAt = now
	s.posts[np.Id] = np
	return copyPost(np), nil
}

func (p *pluginAPI) DeletePost(postID string) *model.AppError {
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	post, ok := s.posts[postID]
	if !ok || post.DeleteAt != 0 {
		return errPostMissing("DeletePost")
	}
	now := s.nowMillis()
	post.DeleteAt, post.UpdateAt = now, now
	for _, reply := range s.posts {
		if reply.RootId == postID && reply.DeleteAt == 0 {
			reply.DeleteAt, reply.UpdateAt = now, now
		}
	}
	return nil
}

func (p *pluginAPI) SendEphemeralPost(userID string, post *model.Post) *model.Post {
	if post == nil {
		return nil
	}
	np := copyPost(post)
	np.Type = model.PostTypeEphemeral
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if np.Id == "" {
		np.Id = model.NewId()
	}
	if np.CreateAt == 0 {
		np.CreateAt = s.nowMillis()
	}
	if np.Props == nil {
		np.Props = map[string]any{}
	}
	normalizeAttachments(np)
	s.ephemeral[userID] = append(s.ephemeral[userID], np)
	return copyPost(np)
}

func (p *pluginAPI) UpdateEphemeralPost(userID string, post *model.Post) *model.Post {
	if post == nil {
		return nil
	}
	np := copyPost(post)
	np.Type = model.PostTypeEphemeral
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	np.UpdateAt = s.nowMillis()
	if np.Props == nil {
		np.Props = map[string]any{}
	}
	normalizeAttachments(np)
	list := s.ephemeral[userID]
	for i, old := range list {
		if old.Id == np.Id {
			list[i] = np
			return copyPost(np)
		}
	}
	s.ephemeral[userID] = append(list, np)
	return copyPost(np)
}

func (p *pluginAPI) DeleteEphemeralPost(userID, postID string) {
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.nowMillis()
	for _, old := range s.ephemeral[userID] {
		if old.Id == postID {
			old.DeleteAt, old.UpdateAt = now, now
		}
	}
}

// Interactive dialogs.

// NewTriggerID issues a trigger id for userID, as the server does when it runs
// a slash command or a post action; OpenedDialogUser maps it back.
func (s *Server) NewTriggerID(userID string) string {
	id := model.NewId() + ":" + userID
	s.mu.Lock()
	s.triggerIDs[id] = userID
	s.mu.Unlock()
	return id
}

// OpenedDialogUser returns the user a trigger id was issued for.
func (s *Server) OpenedDialogUser(triggerID string) (string, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u, ok := s.triggerIDs[triggerID]
	return u, ok
}

func (p *pluginAPI) OpenInteractiveDialog(dialog model.OpenDialogRequest) *model.AppError {
	if dialog.TriggerId == "" {
		return appErr("DecodeAndVerifyTriggerId", "interactive_message.decode_trigger_id.missing_data", "Trigger ID missing required data.", http.StatusBadRequest)
	}
	s := p.s
	s.mu.Lock()
	s.dialogs = append(s.dialogs, copyDialogRequest(dialog))
	s.mu.Unlock()
	return nil
}

// OpenedDialogs returns the dialogs plugins opened, oldest first.
func (s *Server) OpenedDialogs() []model.OpenDialogRequest {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]model.OpenDialogRequest, len(s.dialogs))
	for i, d := range s.dialogs {
		out[i] = copyDialogRequest(d)
	}
	return out
}
