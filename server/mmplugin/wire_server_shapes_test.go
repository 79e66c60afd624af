package mmplugin

// Server-side wire shapes, declared independently of our model package.
//
// Every type below mirrors a type of the Mattermost server (plugin and model
// packages) as PLUGIN_PROTOCOL.md §5 describes it: the server's field names,
// the server's field types (named map/string types, *string and *bool where the
// server uses pointers), and fields we deliberately do not declare on our side
// (they prove gob skips them). Where versions differ the shape of the newest
// server is used and older variants get their own type (srv5…).
//
// Nothing here may reuse a type of package model: these structs stand for the
// other process.

import (
	"io"
	"net/http"
	"net/url"
	"reflect"
	"sync"
)

// Named types the server uses for maps, slices and strings. gob does not care
// about the names, only about the underlying shape.
type (
	srvStringMap           map[string]string
	srvStringInterface     map[string]any
	srvStringArray         []string
	srvChannelType         string
	srvSlackCompatibleBool bool
	srvUserMentionMap      map[string]string
	srvChannelMentionMap   map[string]string
	srvTranslateFunc       func(translationID string, args ...any) string
	srvChannelMembers      []srvChannelMember
)

// ---- plugin package ----

// srvContext is plugin.Context of v6.0 and later (current servers add ConnectionId).
type srvContext struct {
	SessionId      string
	RequestId      string
	IPAddress      string
	AcceptLanguage string
	UserAgent      string
	ConnectionId   string
}

// srv6Context is plugin.Context of v6.x (no ConnectionId yet).
type srv6Context struct {
	SessionId      string
	RequestId      string
	IPAddress      string
	AcceptLanguage string
	UserAgent      string
}

// srv5Context is plugin.Context of v5.x: IpAddress spelling, SourcePluginId.
type srv5Context struct {
	SessionId      string
	RequestId      string
	IpAddress      string
	AcceptLanguage string
	UserAgent      string
	SourcePluginId string
}

// srvErrorString is plugin.ErrorString (Code added in the 6.x line).
type srvErrorString struct {
	Code int
	Err  string
}

// srv5ErrorString is plugin.ErrorString of v5.x.
type srv5ErrorString struct {
	Err string
}

// srvHTTPRequestSubset is plugin.HTTPRequestSubset of current servers (older
// servers send a real *http.Request with the same fields filled).
type srvHTTPRequestSubset struct {
	Method     string
	URL        *url.URL
	Proto      string
	ProtoMajor int
	ProtoMinor int
	Header     http.Header
	Host       string
	RemoteAddr string
	RequestURI string
	Body       io.ReadCloser // always nil on the wire
}

// ---- model package ----

type srvAppError struct {
	Id              string
	Message         string
	DetailedError   string
	RequestId       string
	StatusCode      int
	Where           string
	IsOAuth         bool
	SkipTranslation bool
	//lint:ignore U1000 mirrors an unexported server field (never on the wire)
	params map[string]any
	//lint:ignore U1000 mirrors an unexported server field (never on the wire)
	wrapped error
}

type srvUser struct {
	Id                     string
	CreateAt               int64
	UpdateAt               int64
	DeleteAt               int64
	Username               string
	Password               string
	AuthData               *string
	AuthService            string
	Email                  string
	EmailVerified          bool
	Nickname               string
	FirstName              string
	LastName               string
	Position               string
	Roles                  string
	AllowMarketing         bool
	Props                  srvStringMap
	NotifyProps            srvStringMap
	LastPasswordUpdate     int64
	LastPictureUpdate      int64
	FailedAttempts         int
	Locale                 string
	Timezone               srvStringMap
	MfaActive              bool
	MfaSecret              string
	RemoteId               *string
	LastActivityAt         int64
	IsBot                  bool
	BotDescription         string
	BotLastIconUpdate      int64
	TermsOfServiceId       string
	TermsOfServiceCreateAt int64
	DisableWelcomeEmail    bool
	LastLogin              int64
}

type srvBot struct {
	UserId         string
	Username       string
	DisplayName    string
	Description    string
	OwnerId        string
	LastIconUpdate int64
	CreateAt       int64
	UpdateAt       int64
	DeleteAt       int64
}

type srvBotPatch struct {
	Username    *string
	DisplayName *string
	Description *string
}

type srvBotGetOptions struct {
	OwnerId        string
	IncludeDeleted bool
	OnlyOrphaned   bool
	Page           int
	PerPage        int
}

type srvUserAccessToken struct {
	Id                    string
	Token                 string
	UserId                string
	Description           string
	IsActive              bool
	ExpiresAt             int64
	LastNotifiedThreshold *int
}

type srvSession struct {
	Id             string
	Token          string
	CreateAt       int64
	ExpiresAt      int64
	LastActivityAt int64
	UserId         string
	DeviceId       string
	Roles          string
	IsOAuth        bool
	ExpiredNotify  bool
	Props          srvStringMap
	TeamMembers    []*srvTeamMember
	Local          bool
}

type srvOAuthApp struct {
	Id                      string
	CreatorId               string
	CreateAt                int64
	UpdateAt                int64
	ClientSecret            string
	Name                    string
	Description             string
	IconURL                 string
	CallbackUrls            srvStringArray
	Homepage                string
	IsTrusted               bool
	MattermostAppID         string
	GrantTypes              srvStringArray
	ResponseTypes           srvStringArray
	TokenEndpointAuthMethod *string
	ClientURI               *string
	LogoURI                 *string
	Scope                   *string
	ClientIDIssuedAt        int64
	IsDynamicallyRegistered bool
}

type srvChannelBannerInfo struct {
	Enabled         *bool
	Text            *string
	BackgroundColor *string
}

type srvChannel struct {
	Id                  string
	CreateAt            int64
	UpdateAt            int64
	DeleteAt            int64
	TeamId              string
	Type                srvChannelType
	DisplayName         string
	Name                string
	Header              string
	Purpose             string
	LastPostAt          int64
	TotalMsgCount       int64
	ExtraUpdateAt       int64
	CreatorId           string
	SchemeId            *string
	Props               map[string]any
	GroupConstrained    *bool
	Shared              *bool
	TotalMsgCountRoot   int64
	PolicyID            *string
	LastRootPostAt      int64
	AutoTranslation     bool
	BannerInfo          *srvChannelBannerInfo
	PolicyEnforced      bool
	PolicyActions       map[string]bool
	PolicyIsActive      bool
	DefaultCategoryName string
	ManagedCategoryName string
	Discoverable        bool
}

type srvChannelMember struct {
	ChannelId          string
	UserId             string
	Roles              string
	LastViewedAt       int64
	MsgCount           int64
	MentionCount       int64
	MentionCountRoot   int64
	UrgentMentionCount int64
	MsgCountRoot       int64
	NotifyProps        srvStringMap
	LastUpdateAt       int64
	SchemeGuest        bool
	SchemeUser         bool
	SchemeAdmin        bool
	ExplicitRoles      string
}

type srvTeam struct {
	Id                  string
	CreateAt            int64
	UpdateAt            int64
	DeleteAt            int64
	DisplayName         string
	Name                string
	Description         string
	Email               string
	Type                string
	CompanyName         string
	AllowedDomains      string
	InviteId            string
	AllowOpenInvite     bool
	LastTeamIconUpdate  int64
	SchemeId            *string
	GroupConstrained    *bool
	PolicyID            *string
	CloudLimitsArchived bool
}

type srvTeamMember struct {
	TeamId        string
	UserId        string
	Roles         string
	DeleteAt      int64
	SchemeGuest   bool
	SchemeUser    bool
	SchemeAdmin   bool
	ExplicitRoles string
	CreateAt      int64 // newer servers
}

type srvPostEmbed struct {
	Type string
	URL  string
	Data any // *opengraph.OpenGraph, *model.PreviewPost, …
}

type srvPostImage struct {
	Width      int
	Height     int
	Format     string
	FrameCount int
}

type srvReaction struct {
	UserId    string
	PostId    string
	EmojiName string
	CreateAt  int64
	UpdateAt  int64
	DeleteAt  int64
	RemoteId  *string
	ChannelId string
}

type srvPostPriority struct {
	Priority                *string
	RequestedAck            *bool
	PersistentNotifications *bool
	PostId                  string
	ChannelId               string
}

type srvPostMetadata struct {
	Embeds    []*srvPostEmbed
	Images    map[string]*srvPostImage
	Reactions []*srvReaction
	Priority  *srvPostPriority
}

// srvPost is model.Post of current servers.
type srvPost struct {
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
	//lint:ignore U1000 mirrors an unexported server field (never on the wire)
	propsMu       sync.RWMutex
	Props         srvStringInterface
	Hashtags      string
	Filenames     srvStringArray
	FileIds       srvStringArray
	PendingPostId string
	HasReactions  bool
	RemoteId      *string
	ReplyCount    int64
	LastReplyAt   int64
	Participants  []*srvUser
	IsFollowing   *bool
	Metadata      *srvPostMetadata
}

// srv5Post is model.Post of v5.x (ParentId, no threads fields).
type srv5Post struct {
	Id            string
	CreateAt      int64
	UpdateAt      int64
	EditAt        int64
	DeleteAt      int64
	IsPinned      bool
	UserId        string
	ChannelId     string
	RootId        string
	ParentId      string
	OriginalId    string
	Message       string
	MessageSource string
	Type          string
	Props         srvStringInterface
	Hashtags      string
	Filenames     srvStringArray
	FileIds       srvStringArray
	PendingPostId string
	HasReactions  bool
	RemoteId      *string
	Metadata      *srvPostMetadata
}

type srvSlackAttachmentField struct {
	Title string
	Value any
	Short srvSlackCompatibleBool
}

type srvPostActionOptions struct {
	Text  string
	Value string
}

type srvPostActionIntegration struct {
	URL     string
	Context srvStringInterface
}

type srvPostAction struct {
	Id            string
	Type          string
	Name          string
	Disabled      bool
	Style         string
	DataSource    string
	Options       []*srvPostActionOptions
	DefaultOption string
	Integration   *srvPostActionIntegration
	Cookie        string
}

type srvSlackAttachment struct {
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
	Fields     []*srvSlackAttachmentField
	ImageURL   string
	ThumbURL   string
	Footer     string
	FooterIcon string
	Timestamp  any
	Actions    []*srvPostAction
}

type srvAutocompleteArg struct {
	Name     string
	HelpText string
	Type     string
	Required bool
	Data     any
}

type srvAutocompleteData struct {
	Trigger     string
	Hint        string
	HelpText    string
	RoleID      string
	Arguments   []*srvAutocompleteArg
	SubCommands []*srvAutocompleteData
}

type srvAutocompleteTextArg struct {
	Hint    string
	Pattern string
}

type srvAutocompleteListItem struct {
	Item     string
	Hint     string
	HelpText string
}

type srvAutocompleteStaticListArg struct {
	PossibleArguments []srvAutocompleteListItem
}

type srvAutocompleteDynamicListArg struct {
	FetchURL string
}

type srvCommand struct {
	Id                   string
	Token                string
	CreateAt             int64
	UpdateAt             int64
	DeleteAt             int64
	CreatorId            string
	TeamId               string
	Trigger              string
	Method               string
	Username             string
	IconURL              string
	AutoComplete         bool
	AutoCompleteDesc     string
	AutoCompleteHint     string
	DisplayName          string
	Description          string
	URL                  string
	PluginId             string
	AutocompleteData     *srvAutocompleteData
	AutocompleteIconData string
}

// srvCommandArgs is model.CommandArgs of v6+: T is a func, which gob ignores.
type srvCommandArgs struct {
	UserId          string
	ChannelId       string
	TeamId          string
	RootId          string
	ParentId        string
	TriggerId       string
	Command         string
	SiteURL         string
	T               srvTranslateFunc
	UserMentions    srvUserMentionMap
	ChannelMentions srvChannelMentionMap
}

// srv5CommandArgs is model.CommandArgs of v5.x (with the Session value).
type srv5CommandArgs struct {
	UserId          string
	ChannelId       string
	TeamId          string
	RootId          string
	ParentId        string
	TriggerId       string
	Command         string
	SiteURL         string
	T               srvTranslateFunc
	Session         srvSession
	UserMentions    srvUserMentionMap
	ChannelMentions srvChannelMentionMap
}

type srvCommandResponse struct {
	ResponseType     string
	Text             string
	Username         string
	ChannelId        string
	IconURL          string
	Type             string
	Props            srvStringInterface
	GotoLocation     string
	TriggerId        string
	SkipSlackParsing bool
	Attachments      []*srvSlackAttachment
	ExtraResponses   []*srvCommandResponse
}

type srvPluginKVSetOptions struct {
	Atomic          bool
	OldValue        []byte
	ExpireInSeconds int64
}

type srvPluginClusterEvent struct {
	Id   string
	Data []byte
}

type srvPluginClusterEventSendOptions struct {
	SendType    string
	TargetId    string
	Synchronous bool // seen in one server copy (verify); harmless either way
}

type srvWebsocketBroadcast struct {
	OmitUsers             map[string]bool
	UserId                string
	ChannelId             string
	TeamId                string
	ConnectionId          string
	OmitConnectionId      string
	ContainsSanitizedData bool
	ContainsSensitiveData bool
	ReliableClusterSend   bool
}

type srvPermission struct {
	Id          string
	Name        string
	Description string
	Scope       string
}

type srvPluginStatus struct {
	PluginId    string
	ClusterId   string
	PluginPath  string
	State       int
	Error       string
	Name        string
	Description string
	Version     string
}

type srvManifestExecutables struct {
	LinuxAmd64   string
	DarwinAmd64  string
	WindowsAmd64 string
}

type srvManifestServer struct {
	Executables    map[string]string
	AllExecutables srvManifestExecutables
	Executable     string
}

type srvManifestWebapp struct {
	BundlePath string
	BundleHash []byte
}

type srvPluginOption struct {
	DisplayName string
	Value       string
}

type srvPluginSetting struct {
	Key                string
	DisplayName        string
	Type               string
	HelpText           string
	RegenerateHelpText string
	Placeholder        string
	Default            any
	Options            []*srvPluginOption
	Hosting            string
	Secret             bool
}

type srvPluginSettingsSection struct {
	Key      string
	Title    string
	Subtitle string
	Settings []*srvPluginSetting
	Header   string
	Footer   string
	Custom   bool
	Fallback bool
}

type srvPluginSettingsSchema struct {
	Header   string
	Footer   string
	Settings []*srvPluginSetting
	Sections []*srvPluginSettingsSection // newer servers
}

type srvManifest struct {
	Id               string
	Name             string
	Description      string
	HomepageURL      string
	SupportURL       string
	ReleaseNotesURL  string
	IconPath         string
	Version          string
	MinServerVersion string
	Server           *srvManifestServer
	Webapp           *srvManifestWebapp
	SettingsSchema   *srvPluginSettingsSchema
	Props            map[string]any
	RequiredConfig   *srvConfig // 6.x–9.x
}

type srvOnInstallEvent struct {
	UserId string
}

type srvDialogElement struct {
	DisplayName string
	Name        string
	Type        string
	SubType     string
	Default     string
	Placeholder string
	HelpText    string
	Optional    bool
	MinLength   int
	MaxLength   int
	DataSource  string
	Options     []*srvPostActionOptions
	MultiSelect bool // newer servers
}

type srvDialog struct {
	CallbackId       string
	Title            string
	IntroductionText string
	IconURL          string
	Elements         []srvDialogElement
	SubmitLabel      string
	NotifyOnCancel   bool
	State            string
}

type srvOpenDialogRequest struct {
	TriggerId string
	URL       string
	Dialog    srvDialog
}

// ---- model.Config (a faithful subset: more sections than we declare) ----

type srvServiceSettings struct {
	SiteURL                             *string
	WebsocketURL                        *string
	ListenAddress                       *string
	EnableOAuthServiceProvider          *bool
	EnableUserAccessTokens              *bool
	EnableBotAccountCreation            *bool
	EnableDeveloper                     *bool
	EnableTesting                       *bool
	AllowedUntrustedInternalConnections *string
	TrustedProxyIPHeader                []string
	ReadTimeout                         *int
	MaximumLoginAttempts                *int
}

type srvTeamSettings struct {
	SiteName         *string
	MaxUsersPerTeam  *int
	EnableOpenServer *bool
}

type srvSqlSettings struct {
	DriverName *string
	DataSource *string
}

type srvPluginState struct {
	Enable bool
}

type srvPluginSettings struct {
	Enable                   *bool
	EnableUploads            *bool
	AllowInsecureDownloadURL *bool
	EnableHealthCheck        *bool
	Directory                *string
	ClientDirectory          *string
	Plugins                  map[string]map[string]any
	PluginStates             map[string]*srvPluginState
	EnableMarketplace        *bool
	RequirePluginSignature   *bool
	SignaturePublicKeyFiles  []string
}

type srvFileSettings struct {
	DriverName  *string
	MaxFileSize *int64
	Directory   *string
}

type srvFeatureFlags struct {
	TestFeature       string
	TestBoolFeature   bool
	AppsEnabled       bool
	PermalinkPreviews bool
}

type srvConfig struct {
	ServiceSettings srvServiceSettings
	TeamSettings    srvTeamSettings
	SqlSettings     srvSqlSettings
	FileSettings    srvFileSettings
	PluginSettings  srvPluginSettings
	FeatureFlags    *srvFeatureFlags
}

// serverTypes maps the type spellings of the server's method signatures (as
// they appear in serverMethods) to the server-shaped Go types above.
var serverTypes = map[string]reflect.Type{
	"string":                              reflect.TypeFor[string](),
	"bool":                                reflect.TypeFor[bool](),
	"int":                                 reflect.TypeFor[int](),
	"int64":                               reflect.TypeFor[int64](),
	"uint32":                              reflect.TypeFor[uint32](),
	"[]byte":                              reflect.TypeFor[[]byte](),
	"[]string":                            reflect.TypeFor[[]string](),
	"[]any":                               reflect.TypeFor[[]any](),
	"map[string]any":                      reflect.TypeFor[map[string]any](),
	"error":                               reflect.TypeFor[error](),
	"http.Header":                         reflect.TypeFor[http.Header](),
	"*http.Request":                       reflect.TypeFor[*http.Request](),
	"*http.Response":                      reflect.TypeFor[*http.Response](),
	"*plugin.Context":                     reflect.TypeFor[*srvContext](),
	"*plugin.HTTPRequestSubset":           reflect.TypeFor[*srvHTTPRequestSubset](),
	"*model.AppError":                     reflect.TypeFor[*srvAppError](),
	"*model.Config":                       reflect.TypeFor[*srvConfig](),
	"*model.PluginStatus":                 reflect.TypeFor[*srvPluginStatus](),
	"[]*model.Manifest":                   reflect.TypeFor[[]*srvManifest](),
	"model.PluginKVSetOptions":            reflect.TypeFor[srvPluginKVSetOptions](),
	"*model.Bot":                          reflect.TypeFor[*srvBot](),
	"[]*model.Bot":                        reflect.TypeFor[[]*srvBot](),
	"*model.BotGetOptions":                reflect.TypeFor[*srvBotGetOptions](),
	"*model.BotPatch":                     reflect.TypeFor[*srvBotPatch](),
	"*model.User":                         reflect.TypeFor[*srvUser](),
	"[]*model.User":                       reflect.TypeFor[[]*srvUser](),
	"*model.UserAccessToken":              reflect.TypeFor[*srvUserAccessToken](),
	"*model.Session":                      reflect.TypeFor[*srvSession](),
	"*model.Team":                         reflect.TypeFor[*srvTeam](),
	"[]*model.Team":                       reflect.TypeFor[[]*srvTeam](),
	"*model.TeamMember":                   reflect.TypeFor[*srvTeamMember](),
	"[]*model.TeamMember":                 reflect.TypeFor[[]*srvTeamMember](),
	"*model.Channel":                      reflect.TypeFor[*srvChannel](),
	"*model.ChannelMember":                reflect.TypeFor[*srvChannelMember](),
	"model.ChannelMembers":                reflect.TypeFor[srvChannelMembers](),
	"*model.Post":                         reflect.TypeFor[*srvPost](),
	"*model.Command":                      reflect.TypeFor[*srvCommand](),
	"*model.CommandArgs":                  reflect.TypeFor[*srvCommandArgs](),
	"*model.CommandResponse":              reflect.TypeFor[*srvCommandResponse](),
	"model.OpenDialogRequest":             reflect.TypeFor[srvOpenDialogRequest](),
	"*model.OAuthApp":                     reflect.TypeFor[*srvOAuthApp](),
	"*model.Permission":                   reflect.TypeFor[*srvPermission](),
	"*model.WebsocketBroadcast":           reflect.TypeFor[*srvWebsocketBroadcast](),
	"model.PluginClusterEvent":            reflect.TypeFor[srvPluginClusterEvent](),
	"model.PluginClusterEventSendOptions": reflect.TypeFor[srvPluginClusterEventSendOptions](),
	"model.OnInstallEvent":                reflect.TypeFor[srvOnInstallEvent](),
}
