package apps

// Binding attaches an app's function to a place in the user interface. An
// app returns its bindings from the bindings call, grouped by top-level
// location (/post_menu, /channel_header, /command); bindings can also be
// embedded in posts (post prop "app_bindings", location /in_post).
//
// A binding is exactly one of: an action (Submit), a form (Form), or a
// container of sub-bindings (Bindings). Location defaults to Label.
type Binding struct {
	// AppID is set by the plugin.
	AppID AppID `json:"app_id,omitempty"`

	Location Location `json:"location,omitempty"`

	// Icon is an absolute http(s) URL or a path in the app's static folder.
	Icon string `json:"icon,omitempty"`

	// Label is the item text, the command name (one word), or the in-post
	// title.
	Label string `json:"label,omitempty"`

	// Hint is the channel header tooltip or the command hint.
	Hint string `json:"hint,omitempty"`

	// Description is the extended help text.
	Description string `json:"description,omitempty"`

	Submit   *Call     `json:"submit,omitempty"`
	Form     *Form     `json:"form,omitempty"`
	Bindings []Binding `json:"bindings,omitempty"`
}
