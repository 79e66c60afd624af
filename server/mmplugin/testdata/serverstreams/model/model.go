// Package model mirrors the Mattermost server's model types as they travel in
// the plugin protocol (PLUGIN_PROTOCOL.md §5), including fields the plugin
// does not declare.
package model

import "sync"

type StringMap map[string]string
type StringInterface map[string]interface{}
type StringArray []string
type ChannelType string
type SlackCompatibleBool bool
type UserMentionMap map[string]string
type ChannelMentionMap map[string]string

type AppError struct {
	Id              string
	Message         string
	DetailedError   string
	RequestId       string
	StatusCode      int
	Where           string
	IsOAuth         bool
	SkipTranslation bool
	params          map[string]interface{}
	wrapped         error
}

func (e *AppError) Error() string { return e.Where + ": " + e.Message + ", " + e.DetailedError }

// NewAppError keeps the unexported fields in use, as the server does.
func NewAppError(where, id string, params map[string]interface{}, details string, status int, wrapped error) *AppError {
	return &AppError{Id: id, Message: id, DetailedError: details, StatusCode: status, Where: where, params: params, wrapped: wrapped}
}

type PostActionOptions struct {
	Text  string
	Value string
}

type PostActionIntegration struct {
	URL     string
	Context StringInterface
}

type PostAction struct {
	Id            string
	Type          string
	Name          string
	Disabled      bool
	Style         string
	DataSource    string
	Options       []*PostActionOptions
	DefaultOption string
	Integration   *PostActionIntegration
	Cookie        string
}

type SlackAttachmentField struct {
	Title string
	Value interface{}
	Short SlackCompatibleBool
}

type SlackAttachment struct {
	Id         int64
	Fallback   string
	Color      string
	Pretext    string
	AuthorName string
	AuthorLink string
	AuthorIcon string
	Title      string
	TitleLink  string
	Text       string
	Fields     []*SlackAttachmentField
	ImageURL   string
	ThumbURL   string
	Footer     string
	FooterIcon string
	Timestamp  interface{}
	Actions    []*PostAction
}

type PostEmbed struct {
	Type string
	URL  string
	Data interface{}
}

type PostImage struct {
	Width  int
	Height int
	Format string
}

type PostMetadata struct {
	Embeds []*PostEmbed
	Images map[string]*PostImage
}

type Post struct {
	Id            string
	CreateAt      int64
	UpdateAt      int64
	EditAt        int64
	DeleteAt      int64
	IsPinned      bool
	UserId        string
	ChannelId     string
	RootId        string
	OriginalId    string
	Message       string
	MessageSource string
	Type          string
	propsMu       sync.RWMutex
	Props         StringInterface
	Hashtags      string
	Filenames     StringArray
	FileIds       StringArray
	PendingPostId string
	HasReactions  bool
	RemoteId      *string
	ReplyCount    int64
	LastReplyAt   int64
	IsFollowing   *bool
	Metadata      *PostMetadata
}

// Lock keeps propsMu in use.
func (o *Post) Lock() { o.propsMu.Lock(); o.propsMu.Unlock() }

type CommandArgs struct {
	UserId          string
	ChannelId       string
	TeamId          string
	RootId          string
	ParentId        string
	TriggerId       string
	Command         string
	SiteURL         string
	T               func(translationID string, args ...interface{}) string
	UserMentions    UserMentionMap
	ChannelMentions ChannelMentionMap
}

type AutocompleteTextArg struct {
	Hint    string
	Pattern string
}

type AutocompleteListItem struct {
	Item     string
	Hint     string
	HelpText string
}

type AutocompleteStaticListArg struct {
	PossibleArguments []AutocompleteListItem
}

type AutocompleteDynamicListArg struct {
	FetchURL string
}

type PluginOption struct {
	DisplayName string
	Value       string
}

type PluginSetting struct {
	Key         string
	DisplayName string
	Type        string
	HelpText    string
	Placeholder string
	Default     interface{}
	Options     []*PluginOption
	Hosting     string
	Secret      bool
}

type PluginSettingsSchema struct {
	Header   string
	Footer   string
	Settings []*PluginSetting
}

type ManifestServer struct {
	Executables map[string]string
	Executable  string
}

type Manifest struct {
	Id               string
	Name             string
	Description      string
	HomepageURL      string
	Version          string
	MinServerVersion string
	Server           *ManifestServer
	SettingsSchema   *PluginSettingsSchema
	Props            map[string]interface{}
}

type PluginState struct {
	Enable bool
}

type ServiceSettings struct {
	SiteURL                    *string
	EnableOAuthServiceProvider *bool
	EnableDeveloper            *bool
	ReadTimeout                *int
}

type PluginSettings struct {
	Enable       *bool
	Directory    *string
	Plugins      map[string]map[string]interface{}
	PluginStates map[string]*PluginState
}

type FeatureFlags struct {
	TestFeature string
	AppsEnabled bool
}

type Config struct {
	ServiceSettings ServiceSettings
	PluginSettings  PluginSettings
	FeatureFlags    *FeatureFlags
}
