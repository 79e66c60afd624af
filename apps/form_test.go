package apps_test

import (
	"testing"

	"github.com/mattermost-community/apps-plugin/apps"
)

func TestFieldValidate(t *testing.T) {
	for _, tc := range []struct {
		f    apps.Field
		want string
	}{
		{apps.Field{Name: "a", Type: "text"}, ""},
		{apps.Field{Name: "a"}, ""},
		{apps.Field{Type: "markdown", Description: "**hi**"}, ""},
		{apps.Field{Type: "text"}, "has no name"},
		{apps.Field{Name: "a", Type: "slider"}, `unknown type "slider"`},
		{apps.Field{Name: "a", Type: "text", Subtype: "color"}, `unknown text subtype "color"`},
		{apps.Field{Name: "a", Type: "bool", Subtype: "textarea"}, "only for text fields"},
		{apps.Field{Name: "a", Type: "text", MinLength: 5, MaxLength: 2}, "min_length"},
	} {
		checkErr(t, tc.f.Validate(), tc.want)
	}
	for _, ft := range apps.KnownFieldTypes() {
		checkErr(t, apps.Field{Name: "a", Type: ft}.Validate(), "")
	}
	for _, st := range apps.KnownTextFieldSubtypes() {
		checkErr(t, apps.Field{Name: "a", Type: "text", Subtype: st}.Validate(), "")
	}
}

func TestFormValidate(t *testing.T) {
	submit := &apps.Call{Path: "/s"}
	for _, tc := range []struct {
		f    apps.Form
		want string
	}{
		{apps.Form{Submit: submit}, ""},
		{apps.Form{Source: submit}, ""},
		{apps.Form{Title: "T"}, "must have a submit or a source"},
		{apps.Form{Submit: submit, Fields: []apps.Field{{Name: "a"}, {Name: "a"}}}, `"a" is used twice`},
		{apps.Form{Submit: submit, SubmitButtons: "b", Fields: []apps.Field{{Name: "b", Type: "static_select"}}}, ""},
		{apps.Form{Submit: submit, SubmitButtons: "b", Fields: []apps.Field{{Name: "b", Type: "text"}}}, `submit_buttons "b"`},
	} {
		checkErr(t, tc.f.Validate(), tc.want)
	}
}
