package apps

import "errors"

// FieldType is the type of a form field.
type FieldType string

const (
	// FieldTypeText is text input; see TextFieldSubtype, MinLength, MaxLength.
	FieldTypeText FieldType = "text"
	// FieldTypeStaticSelect offers Options.
	FieldTypeStaticSelect FieldType = "static_select"
	// FieldTypeDynamicSelect gets its options from the Lookup call.
	FieldTypeDynamicSelect FieldType = "dynamic_select"
	// FieldTypeBool is a checkbox.
	FieldTypeBool FieldType = "bool"
	// FieldTypeUser is a Mattermost user (@username).
	FieldTypeUser FieldType = "user"
	// FieldTypeChannel is a Mattermost channel (~name).
	FieldTypeChannel FieldType = "channel"
	// FieldTypeMarkdown is read-only markdown text shown in a modal.
	FieldTypeMarkdown FieldType = "markdown"
)

// KnownFieldTypes lists every field type.
func KnownFieldTypes() []FieldType {
	return []FieldType{FieldTypeText, FieldTypeStaticSelect, FieldTypeDynamicSelect, FieldTypeBool,
		FieldTypeUser, FieldTypeChannel, FieldTypeMarkdown}
}

// TextFieldSubtype refines a text field.
type TextFieldSubtype string

const (
	TextFieldSubtypeInput     TextFieldSubtype = "input"
	TextFieldSubtypeTextarea  TextFieldSubtype = "textarea"
	TextFieldSubtypeNumber    TextFieldSubtype = "number"
	TextFieldSubtypeEmail     TextFieldSubtype = "email"
	TextFieldSubtypeTelephone TextFieldSubtype = "tel"
	TextFieldSubtypeURL       TextFieldSubtype = "url"
	TextFieldSubtypePassword  TextFieldSubtype = "password"
)

// KnownTextFieldSubtypes lists every text subtype.
func KnownTextFieldSubtypes() []TextFieldSubtype {
	return []TextFieldSubtype{TextFieldSubtypeInput, TextFieldSubtypeTextarea, TextFieldSubtypeNumber,
		TextFieldSubtypeEmail, TextFieldSubtypeTelephone, TextFieldSubtypeURL, TextFieldSubtypePassword}
}

// SelectOption is an option of a select field, and the value of a selected
// one.
type SelectOption struct {
	Label    string `json:"label"`
	Value    string `json:"value"`
	IconData string `json:"icon_data,omitempty"`
}

// Field is a form field.
type Field struct {
	// Name is the key of the field's value in CallRequest.Values.
	Name string    `json:"name"`
	Type FieldType `json:"type"`

	IsRequired bool `json:"is_required,omitempty"`
	ReadOnly   bool `json:"readonly,omitempty"`

	// Value is the current (default) value.
	Value any `json:"value,omitempty"`

	Description string `json:"description,omitempty"`

	// Label is the --flag name in commands (defaults to Name).
	Label string `json:"label,omitempty"`
	// Hint is shown in command autocomplete.
	Hint string `json:"hint,omitempty"`
	// Position > 0 makes the field positional in commands; -1 means last.
	Position int `json:"position,omitempty"`

	// ModalLabel is the label shown in modals (defaults to Label, Name).
	ModalLabel string `json:"modal_label,omitempty"`

	// Select fields.
	SelectIsMulti bool           `json:"multiselect,omitempty"`
	SelectRefresh bool           `json:"refresh,omitempty"`
	Options       []SelectOption `json:"options,omitempty"`
	Lookup        *Call          `json:"lookup,omitempty"`

	// Text fields.
	Subtype   TextFieldSubtype `json:"subtype,omitempty"`
	MinLength int              `json:"min_length,omitempty"`
	MaxLength int              `json:"max_length,omitempty"`
}

// Validate checks the field: a name (except markdown fields), a known type
// ("" is taken as text), and a known subtype for text fields only.
func (f Field) Validate() error {
	var errs []error
	known := f.Type == ""
	for _, t := range KnownFieldTypes() {
		if f.Type == t {
			known = true
		}
	}
	if !known {
		errs = append(errs, NewInvalidError("field %q: unknown type %q", f.Name, string(f.Type)))
	}
	if f.Name == "" && f.Type != FieldTypeMarkdown {
		errs = append(errs, NewInvalidError("field of type %q has no name", string(f.Type)))
	}
	if f.Subtype != "" {
		if f.Type != FieldTypeText && f.Type != "" {
			errs = append(errs, NewInvalidError("field %q: subtype %q is only for text fields", f.Name, string(f.Subtype)))
		} else {
			ok := false
			for _, s := range KnownTextFieldSubtypes() {
				if f.Subtype == s {
					ok = true
				}
			}
			if !ok {
				errs = append(errs, NewInvalidError("field %q: unknown text subtype %q", f.Name, string(f.Subtype)))
			}
		}
	}
	if f.MinLength < 0 || f.MaxLength < 0 || (f.MaxLength > 0 && f.MinLength > f.MaxLength) {
		errs = append(errs, NewInvalidError("field %q: bad min_length %d / max_length %d", f.Name, f.MinLength, f.MaxLength))
	}
	return errors.Join(errs...)
}
