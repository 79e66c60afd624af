package model

// Command response types.
const (
	CommandResponseTypeEphemeral = "ephemeral"
	CommandResponseTypeInChannel = "in_channel"
)

// Command is model.Command.
type Command struct {
	Id                   string            `json:"id"`
	Token                string            `json:"token"`
	CreateAt             int64             `json:"create_at"`
	UpdateAt             int64             `json:"update_at"`
	DeleteAt             int64             `json:"delete_at"`
	CreatorId            string            `json:"creator_id"`
	TeamId               string            `json:"team_id"`
	Trigger              string            `json:"trigger"`
	Method               string            `json:"method"`
	Username             string            `json:"username"`
	IconURL              string            `json:"icon_url"`
	AutoComplete         bool              `json:"auto_complete"`
	AutoCompleteDesc     string            `json:"auto_complete_desc"`
	AutoCompleteHint     string            `json:"auto_complete_hint"`
	DisplayName          string            `json:"display_name"`
	Description          string            `json:"description"`
	URL                  string            `json:"url"`
	PluginId             string            `json:"plugin_id"`
	AutocompleteData     *AutocompleteData `json:"autocomplete_data,omitempty"`
	AutocompleteIconData string            `json:"autocomplete_icon_data,omitempty"`
}

// Autocomplete argument types.
const (
	AutocompleteArgTypeText        = "TextInput"
	AutocompleteArgTypeStaticList  = "StaticList"
	AutocompleteArgTypeDynamicList = "DynamicList"
)

// AutocompleteData is model.AutocompleteData (JSON uses the Go names).
type AutocompleteData struct {
	Trigger     string
	Hint        string
	HelpText    string
	RoleID      string
	Arguments   []*AutocompleteArg
	SubCommands []*AutocompleteData
}

// AutocompleteArg is one argument; Data holds one of the three registered
// argument types (*AutocompleteTextArg, *AutocompleteStaticListArg,
// *AutocompleteDynamicListArg).
type AutocompleteArg struct {
	Name     string
	HelpText string
	Type     string
	Required bool
	Data     any
}

// AutocompleteTextArg is a free-text argument.
type AutocompleteTextArg struct {
	Hint    string
	Pattern string
}

// AutocompleteListItem is one suggestion of a static list.
type AutocompleteListItem struct {
	Item     string
	Hint     string
	HelpText string
}

// AutocompleteStaticListArg is a fixed list of suggestions.
type AutocompleteStaticListArg struct {
	PossibleArguments []AutocompleteListItem
}

// AutocompleteDynamicListArg fetches suggestions from FetchURL.
type AutocompleteDynamicListArg struct {
	FetchURL string
}

// NewAutocompleteData starts a command or subcommand description.
func NewAutocompleteData(trigger, hint, helpText string) *AutocompleteData {
	return &AutocompleteData{Trigger: trigger, Hint: hint, HelpText: helpText, Arguments: []*AutocompleteArg{}, SubCommands: []*AutocompleteData{}}
}

// AddCommand appends a subcommand.
func (ad *AutocompleteData) AddCommand(sub *AutocompleteData) {
	ad.SubCommands = append(ad.SubCommands, sub)
}

// AddTextArgument appends a positional text argument.
func (ad *AutocompleteData) AddTextArgument(helpText, hint, pattern string) {
	ad.AddNamedTextArgument("", helpText, hint, pattern, true)
}

// AddNamedTextArgument appends a --name text argument.
func (ad *AutocompleteData) AddNamedTextArgument(name, helpText, hint, pattern string, required bool) {
	ad.Arguments = append(ad.Arguments, &AutocompleteArg{Name: name, HelpText: helpText, Type: AutocompleteArgTypeText, Required: required, Data: &AutocompleteTextArg{Hint: hint, Pattern: pattern}})
}

// AddStaticListArgument appends a positional static list argument.
func (ad *AutocompleteData) AddStaticListArgument(helpText string, required bool, items []AutocompleteListItem) {
	ad.Arguments = append(ad.Arguments, &AutocompleteArg{HelpText: helpText, Type: AutocompleteArgTypeStaticList, Required: required, Data: &AutocompleteStaticListArg{PossibleArguments: items}})
}

// AddDynamicListArgument appends a positional argument whose suggestions come from fetchURL.
func (ad *AutocompleteData) AddDynamicListArgument(helpText, fetchURL string, required bool) {
	ad.Arguments = append(ad.Arguments, &AutocompleteArg{HelpText: helpText, Type: AutocompleteArgTypeDynamicList, Required: required, Data: &AutocompleteDynamicListArg{FetchURL: fetchURL}})
}

// CommandArgs is model.CommandArgs (the ExecuteCommand input).
type CommandArgs struct {
	UserId          string            `json:"user_id"`
	ChannelId       string            `json:"channel_id"`
	TeamId          string            `json:"team_id"`
	RootId          string            `json:"root_id"`
	ParentId        string            `json:"parent_id"`
	TriggerId       string            `json:"trigger_id,omitempty"`
	Command         string            `json:"command"`
	SiteURL         string            `json:"-"`
	UserMentions    map[string]string `json:"-"`
	ChannelMentions map[string]string `json:"-"`
}

// CommandResponse is model.CommandResponse.
type CommandResponse struct {
	ResponseType     string             `json:"response_type"`
	Text             string             `json:"text"`
	Username         string             `json:"username"`
	ChannelId        string             `json:"channel_id"`
	IconURL          string             `json:"icon_url"`
	Type             string             `json:"type"`
	Props            map[string]any     `json:"props"`
	GotoLocation     string             `json:"goto_location"`
	TriggerId        string             `json:"trigger_id"`
	SkipSlackParsing bool               `json:"skip_slack_parsing"`
	Attachments      []*SlackAttachment `json:"attachments"`
	ExtraResponses   []*CommandResponse `json:"extra_responses"`
}
