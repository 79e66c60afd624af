package apps

import (
	"encoding/json"
	"io"
)

// CallRequest is what the plugin sends to an app: the call, the user's
// values and the context.
type CallRequest struct {
	Call

	// Values are the form or command values, by field name. Select values
	// are option objects {"label","value"}.
	Values map[string]any `json:"values,omitempty"`

	Context Context `json:"context"`

	// RawCommand is the command line, for calls made from a /command.
	RawCommand string `json:"raw_command,omitempty"`

	// SelectedField is the field that triggered a form refresh or a lookup.
	SelectedField string `json:"selected_field"`

	// Query is what the user typed, for lookups.
	Query string `json:"query"`
}

// callRequestRest has CallRequest's fields other than the embedded Call.
type callRequestRest struct {
	Values        map[string]any `json:"values,omitempty"`
	Context       Context        `json:"context"`
	RawCommand    string         `json:"raw_command,omitempty"`
	SelectedField string         `json:"selected_field"`
	Query         string         `json:"query"`
}

// UnmarshalJSON is needed because the embedded Call has its own.
func (r *CallRequest) UnmarshalJSON(data []byte) error {
	var rest callRequestRest
	if err := json.Unmarshal(data, &rest); err != nil {
		return err
	}
	var call Call
	if err := json.Unmarshal(data, &call); err != nil {
		return err
	}
	*r = CallRequest{
		Call:          call,
		Values:        rest.Values,
		Context:       rest.Context,
		RawCommand:    rest.RawCommand,
		SelectedField: rest.SelectedField,
		Query:         rest.Query,
	}
	return nil
}

// DecodeCallRequest decodes a CallRequest from JSON.
func DecodeCallRequest(data []byte) (*CallRequest, error) {
	r := &CallRequest{}
	if err := json.Unmarshal(data, r); err != nil {
		return nil, NewInvalidError("call request: %w", err)
	}
	return r, nil
}

// ReadCallRequest decodes a CallRequest from in.
func ReadCallRequest(in io.Reader) (*CallRequest, error) {
	r := &CallRequest{}
	if err := json.NewDecoder(in).Decode(r); err != nil {
		return nil, NewInvalidError("call request: %w", err)
	}
	return r, nil
}

// GetValue returns the value of field name as a string: a string value, or
// the "value" of an option object; defaultValue if neither.
func (r *CallRequest) GetValue(name, defaultValue string) string {
	switch v := r.Values[name].(type) {
	case string:
		if v != "" {
			return v
		}
	case map[string]any:
		if s, ok := v["value"].(string); ok {
			return s
		}
	}
	return defaultValue
}

// BoolValue returns the value of field name as a bool: a bool, "true" or
// "false", or the same inside an option object; false otherwise.
func (r *CallRequest) BoolValue(name string) bool {
	v := r.Values[name]
	if opt, ok := v.(map[string]any); ok {
		v = opt["value"]
	}
	switch b := v.(type) {
	case bool:
		return b
	case string:
		return b == "true"
	}
	return false
}
