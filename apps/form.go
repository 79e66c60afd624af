package apps

import (
	"bytes"
	"encoding/json"
	"errors"
)

// Form describes a modal or the arguments of a command. A form is either
// embedded (Submit and Fields) or fetched from the app (Source). In JSON a
// form may also be a bare string: the source path.
type Form struct {
	Source *Call `json:"source,omitempty"`

	// Title, Header and Footer are used in modals.
	Title  string `json:"title,omitempty"`
	Header string `json:"header,omitempty"`
	Footer string `json:"footer,omitempty"`

	// Icon is an absolute http(s) URL or a path in the app's static folder.
	Icon string `json:"icon,omitempty"`

	Submit *Call `json:"submit,omitempty"`

	// SubmitButtons names a select field whose options are shown as submit
	// buttons.
	SubmitButtons string `json:"submit_buttons,omitempty"`

	Fields []Field `json:"fields,omitempty"`
}

type plainForm Form

// UnmarshalJSON accepts a JSON string (the source path) or an object.
func (f *Form) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if string(data) == "null" {
		return nil
	}
	if len(data) > 0 && data[0] == '"' {
		var path string
		if err := json.Unmarshal(data, &path); err != nil {
			return err
		}
		*f = Form{Source: &Call{Path: path}}
		return nil
	}
	var p plainForm
	if err := json.Unmarshal(data, &p); err != nil {
		return err
	}
	*f = Form(p)
	return nil
}

// Validate checks the form: it needs a submit or a source call; fields must
// be valid and have unique names; SubmitButtons must name a select field.
func (f Form) Validate() error {
	var errs []error
	if f.Submit == nil && f.Source == nil {
		errs = append(errs, NewInvalidError("form %q: must have a submit or a source call", f.Title))
	}
	names := map[string]bool{}
	for _, field := range f.Fields {
		if err := field.Validate(); err != nil {
			errs = append(errs, err)
		}
		if field.Name != "" && names[field.Name] {
			errs = append(errs, NewInvalidError("form %q: field name %q is used twice", f.Title, field.Name))
		}
		names[field.Name] = true
	}
	if f.SubmitButtons != "" {
		ok := false
		for _, field := range f.Fields {
			if field.Name == f.SubmitButtons && (field.Type == FieldTypeStaticSelect || field.Type == FieldTypeDynamicSelect) {
				ok = true
			}
		}
		if !ok {
			errs = append(errs, NewInvalidError("form %q: submit_buttons %q does not name a select field", f.Title, f.SubmitButtons))
		}
	}
	return errors.Join(errs...)
}
