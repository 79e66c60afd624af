package model

// Post types the server writes itself.
const (
	PostTypeEphemeral = "system_ephemeral"
)

// Post is model.Post. Metadata is deliberately not declared: API getters strip it
// and it would force registering server-internal interface types.
type Post struct {
	Id            string         `json:"id"`
	CreateAt      int64          `json:"create_at"`
	UpdateAt      int64          `json:"update_at"`
	EditAt        int64          `json:"edit_at"`
	DeleteAt      int64          `json:"delete_at"`
	IsPinned      bool           `json:"is_pinned"`
	UserId        string         `json:"user_id"`
	ChannelId     string         `json:"channel_id"`
	RootId        string         `json:"root_id"`
	OriginalId    string         `json:"original_id"`
	Message       string         `json:"message"`
	MessageSource string         `json:"message_source,omitempty"`
	Type          string         `json:"type"`
	Props         map[string]any `json:"props"`
	Hashtags      string         `json:"hashtags"`
	FileIds       []string       `json:"file_ids,omitempty"`
	PendingPostId string         `json:"pending_post_id"`
	HasReactions  bool           `json:"has_reactions,omitempty"`
	RemoteId      *string        `json:"remote_id,omitempty"`
	ReplyCount    int64          `json:"reply_count"`
	LastReplyAt   int64          `json:"last_reply_at"`
	IsFollowing   *bool          `json:"is_following,omitempty"`
}

// GetProp returns a prop value or nil.
func (p *Post) GetProp(key string) any {
	if p == nil || p.Props == nil {
		return nil
	}
	return p.Props[key]
}

// AddProp sets a prop, creating the map when needed.
func (p *Post) AddProp(key string, value any) {
	if p.Props == nil {
		p.Props = map[string]any{}
	}
	p.Props[key] = value
}

// SlackAttachment is model.SlackAttachment (message attachments in post props).
type SlackAttachment struct {
	Id         int64                   `json:"id"`
	Fallback   string                  `json:"fallback"`
	Color      string                  `json:"color"`
	Pretext    string                  `json:"pretext"`
	AuthorName string                  `json:"author_name"`
	AuthorLink string                  `json:"author_link"`
	AuthorIcon string                  `json:"author_icon"`
	Title      string                  `json:"title"`
	TitleLink  string                  `json:"title_link"`
	Text       string                  `json:"text"`
	Fields     []*SlackAttachmentField `json:"fields"`
	ImageURL   string                  `json:"image_url"`
	ThumbURL   string                  `json:"thumb_url"`
	Footer     string                  `json:"footer"`
	FooterIcon string                  `json:"footer_icon"`
	Timestamp  any                     `json:"ts"`
	Actions    []*PostAction           `json:"actions,omitempty"`
}

// SlackAttachmentField is one field of an attachment.
type SlackAttachmentField struct {
	Title string `json:"title"`
	Value any    `json:"value"`
	Short bool   `json:"short"`
}

// PostAction is an interactive button or menu of an attachment.
type PostAction struct {
	Id            string                 `json:"id,omitempty"`
	Type          string                 `json:"type,omitempty"`
	Name          string                 `json:"name,omitempty"`
	Disabled      bool                   `json:"disabled,omitempty"`
	Style         string                 `json:"style,omitempty"`
	DataSource    string                 `json:"data_source,omitempty"`
	Options       []*PostActionOptions   `json:"options,omitempty"`
	DefaultOption string                 `json:"default_option,omitempty"`
	Integration   *PostActionIntegration `json:"integration,omitempty"`
	Cookie        string                 `json:"cookie,omitempty"`
}

// PostActionOptions is one option of a select action.
type PostActionOptions struct {
	Text  string `json:"text"`
	Value string `json:"value"`
}

// PostActionIntegration is where an action posts to.
type PostActionIntegration struct {
	URL     string         `json:"url,omitempty"`
	Context map[string]any `json:"context,omitempty"`
}
