package apps

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// CallResponseType is the kind of a CallResponse.
type CallResponseType string

const (
	// CallResponseTypeOK: success, with optional Text (markdown) and Data.
	CallResponseTypeOK CallResponseType = "ok"
	// CallResponseTypeError: failure; Text is the message, Data may hold
	// field errors {"errors": {"field": "message"}}.
	CallResponseTypeError CallResponseType = "error"
	// CallResponseTypeForm: Form is the form to show.
	CallResponseTypeForm CallResponseType = "form"
	// CallResponseTypeCall: Call is another call for the client to make.
	CallResponseTypeCall CallResponseType = "call"
	// CallResponseTypeNavigate: the client goes to NavigateToURL.
	CallResponseTypeNavigate CallResponseType = "navigate"
)

// Validate checks that t is known ("" counts as ok).
func (t CallResponseType) Validate() error {
	switch t {
	case "", CallResponseTypeOK, CallResponseTypeError, CallResponseTypeForm, CallResponseTypeCall, CallResponseTypeNavigate:
		return nil
	}
	return NewInvalidError("unknown call response type %q", string(t))
}

// CallResponse is what an app returns for a call.
//
// Decoding also accepts the v0.x fields "markdown" (ok text) and "error"
// (error text); encoding always writes "text".
type CallResponse struct {
	Type CallResponseType `json:"type"`

	// Text is markdown for ok, the message for error.
	Text string `json:"text,omitempty"`

	// RefreshBindings asks the client to fetch bindings again.
	RefreshBindings bool `json:"refresh_bindings,omitempty"`

	// Data is returned by ok responses (e.g. lookup items).
	Data any `json:"data,omitempty"`

	NavigateToURL      string `json:"navigate_to_url,omitempty"`
	UseExternalBrowser bool   `json:"use_external_browser,omitempty"`

	Call *Call `json:"call,omitempty"`
	Form *Form `json:"form,omitempty"`
}

type plainCallResponse CallResponse

type callResponseWire struct {
	plainCallResponse
	Markdown *string `json:"markdown,omitempty"`
	Error    *string `json:"error,omitempty"`
}

// UnmarshalJSON decodes v1 and v0.x responses.
func (r *CallResponse) UnmarshalJSON(data []byte) error {
	if string(bytes.TrimSpace(data)) == "null" {
		return nil
	}
	var w callResponseWire
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	out := CallResponse(w.plainCallResponse)
	if out.Text == "" {
		switch {
		case out.Type == CallResponseTypeError && w.Error != nil:
			out.Text = *w.Error
		case w.Markdown != nil:
			out.Text = *w.Markdown
		}
	}
	*r = out
	return nil
}

// NewErrorResponse returns an error response with err's message.
func NewErrorResponse(err error) CallResponse {
	return CallResponse{Type: CallResponseTypeError, Text: err.Error()}
}

// NewTextResponse returns an ok response with formatted markdown text.
func NewTextResponse(format string, args ...any) CallResponse {
	return CallResponse{Type: CallResponseTypeOK, Text: fmt.Sprintf(format, args...)}
}

// NewDataResponse returns an ok response with data.
func NewDataResponse(data any) CallResponse {
	return CallResponse{Type: CallResponseTypeOK, Data: data}
}

// NewFormResponse returns a form response.
func NewFormResponse(form Form) CallResponse {
	return CallResponse{Type: CallResponseTypeForm, Form: &form}
}

// NewNavigateResponse returns a navigate response.
func NewNavigateResponse(url string, useExternalBrowser bool) CallResponse {
	return CallResponse{Type: CallResponseTypeNavigate, NavigateToURL: url, UseExternalBrowser: useExternalBrowser}
}

// LookupResponse is the Data of a lookup response.
type LookupResponse struct {
	Items []SelectOption `json:"items"`
}

// NewLookupResponse returns a lookup response: {"type":"ok","data":{"items":[...]}}.
func NewLookupResponse(items []SelectOption) CallResponse {
	if items == nil {
		items = []SelectOption{}
	}
	return NewDataResponse(LookupResponse{Items: items})
}

// Error returns the text of an error response, "" otherwise.
func (r CallResponse) Error() string {
	if r.Type == CallResponseTypeError {
		return r.Text
	}
	return ""
}

// AppMetadataForClient is added to responses of the plugin's /api/v1/call.
type AppMetadataForClient struct {
	BotUserID   string `json:"bot_user_id,omitempty"`
	BotUsername string `json:"bot_username,omitempty"`
}

// ProxyCallResponse is the plugin's /api/v1/call response: a CallResponse and
// app_metadata.
type ProxyCallResponse struct {
	CallResponse
	AppMetadata *AppMetadataForClient `json:"app_metadata,omitempty"`
}

// UnmarshalJSON is needed because the embedded CallResponse has its own.
func (r *ProxyCallResponse) UnmarshalJSON(data []byte) error {
	var meta struct {
		AppMetadata *AppMetadataForClient `json:"app_metadata,omitempty"`
	}
	if err := json.Unmarshal(data, &meta); err != nil {
		return err
	}
	var resp CallResponse
	if err := json.Unmarshal(data, &resp); err != nil {
		return err
	}
	*r = ProxyCallResponse{CallResponse: resp, AppMetadata: meta.AppMetadata}
	return nil
}
