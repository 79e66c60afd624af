package apps

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// Call is a request to one of the app's functions: a path, what to expand in
// the context, and custom state. In JSON a Call may also be a bare string,
// the path.
type Call struct {
	// Path is appended to the app's root URL (HTTP), or selects the function
	// to invoke (AWS Lambda, OpenFaaS).
	Path string `json:"path,omitempty"`

	// Expand says which extra data the plugin adds to the request's Context.
	Expand *Expand `json:"expand,omitempty"`

	// State is passed to the app as is.
	State any `json:"state,omitempty"`
}

// Default call paths.
const (
	DefaultBindingsPath            = "/bindings"
	DefaultPingPath                = "/ping"
	DefaultGetOAuth2ConnectURLPath = "/oauth2/connect"
	DefaultOnOAuth2CompletePath    = "/oauth2/complete"
	DefaultOnRemoteWebhookPath     = "/webhook"
)

// DefaultBindingsCall is the bindings call used when the manifest sets none.
func DefaultBindingsCall() Call { return Call{Path: DefaultBindingsPath} }

// DefaultPingCall is the call made to check that an app is reachable.
func DefaultPingCall() Call { return Call{Path: DefaultPingPath} }

// DefaultOnRemoteWebhookCall is the webhook call used when the manifest sets
// none.
func DefaultOnRemoteWebhookCall() Call { return Call{Path: DefaultOnRemoteWebhookPath} }

// DefaultGetOAuth2ConnectURLCall is the connect call used when the manifest
// sets none.
func DefaultGetOAuth2ConnectURLCall() Call {
	return Call{
		Path: DefaultGetOAuth2ConnectURLPath,
		Expand: &Expand{
			ActingUser:            ExpandSummary,
			ActingUserAccessToken: ExpandAll,
			OAuth2App:             ExpandAll,
		},
	}
}

// DefaultOnOAuth2CompleteCall is the OAuth2 complete call used when the
// manifest sets none.
func DefaultOnOAuth2CompleteCall() Call {
	return Call{
		Path: DefaultOnOAuth2CompletePath,
		Expand: &Expand{
			ActingUser:            ExpandSummary,
			ActingUserAccessToken: ExpandAll,
			OAuth2App:             ExpandAll,
			OAuth2User:            ExpandAll,
		},
	}
}

// NewCall returns a call to path.
func NewCall(path string) *Call { return &Call{Path: path} }

// callFields has Call's fields but not its methods.
type callFields Call

// UnmarshalJSON accepts a JSON string (the path) or an object.
func (c *Call) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if string(data) == "null" {
		return nil
	}
	if len(data) > 0 && data[0] == '"' {
		var path string
		if err := json.Unmarshal(data, &path); err != nil {
			return err
		}
		*c = Call{Path: path}
		return nil
	}
	var f callFields
	if err := json.Unmarshal(data, &f); err != nil {
		return err
	}
	*c = Call(f)
	return nil
}

// WithDefault returns a copy of c (or def if c is nil) with empty fields
// taken from def.
func (c *Call) WithDefault(def Call) Call {
	if c == nil {
		return def
	}
	out := *c
	if out.Path == "" {
		out.Path = def.Path
	}
	if out.Expand == nil {
		out.Expand = def.Expand
	}
	if out.State == nil {
		out.State = def.State
	}
	return out
}

// WithState returns a copy of c with the state set.
func (c *Call) WithState(state any) *Call {
	out := Call{}
	if c != nil {
		out = *c
	}
	out.State = state
	return &out
}

// Clone returns a copy of c; Expand is copied, State is copied one level deep
// if it is a map[string]any.
func (c *Call) Clone() *Call {
	if c == nil {
		return nil
	}
	out := *c
	if c.Expand != nil {
		e := *c.Expand
		out.Expand = &e
	}
	if m, ok := c.State.(map[string]any); ok {
		s := make(map[string]any, len(m))
		for k, v := range m {
			s[k] = v
		}
		out.State = s
	}
	return &out
}

// Validate checks the call: the path must start with '/' and not contain
// ".." segments; the expand levels must be known.
func (c Call) Validate() error {
	if !strings.HasPrefix(c.Path, "/") {
		return NewInvalidError("call path %q must start with '/'", c.Path)
	}
	for _, seg := range strings.Split(c.Path, "/") {
		if seg == ".." {
			return NewInvalidError("call path %q must not contain '..'", c.Path)
		}
	}
	if c.Expand != nil {
		if err := c.Expand.Validate(); err != nil {
			return NewInvalidError("call %q: %w", c.Path, err)
		}
	}
	return nil
}

// String is for logs; it does not show State.
func (c Call) String() string {
	s := c.Path
	if c.Expand != nil {
		if e := c.Expand.String(); e != "" {
			s += ", expand: " + e
		}
	}
	if c.State != nil {
		s += fmt.Sprintf(", state: %T", c.State)
	}
	return s
}
