package appcommand

import (
	"reflect"
	"strings"
	"testing"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
)

func TestTokenize(t *testing.T) {
	for in, want := range map[string][]string{
		`/a b  c`:             {"/a", "b", "c"},
		`/a "b c" 'd e'`:      {"/a", "b c", "d e"},
		`/a “curly quotes” x`: {"/a", "curly quotes", "x"},
		`/a b\ c \"q\"`:       {"/a", "b c", `"q"`},
		`/a --x="y z"`:        {"/a", "--x=y z"},
		`/a ""`:               {"/a", ""},
		"/a\tb\nc":            {"/a", "b", "c"},
		`/a "it's"`:           {"/a", "it's"},
	} {
		got, err := Tokenize(in)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("Tokenize(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := Tokenize(`/a "open`); err == nil {
		t.Error("an open quote is accepted")
	}
}

type resolver struct{}

func (resolver) GetUserByUsername(name string) (*model.User, *model.AppError) {
	if name == "bob" {
		return &model.User{Id: "bobid", Username: "bob"}, nil
	}
	return nil, model.NewAppError("x", "x", "not found", "", 404)
}

func (resolver) GetChannelByName(teamID, name string, _ bool) (*model.Channel, *model.AppError) {
	if name == "town" && teamID == "team" {
		return &model.Channel{Id: "townid", DisplayName: "Town"}, nil
	}
	return nil, model.NewAppError("x", "x", "not found", "", 404)
}

func TestParseValues(t *testing.T) {
	form := apps.Form{Submit: apps.NewCall("/s"), Fields: []apps.Field{
		{Name: "first", Type: apps.FieldTypeText, Position: 1, IsRequired: true},
		{Name: "second", Type: apps.FieldTypeText, Position: 2},
		{Name: "rest", Type: apps.FieldTypeText, Position: -1},
		{Name: "size", Type: apps.FieldTypeStaticSelect, Options: []apps.SelectOption{{Label: "Small", Value: "s"}, {Label: "Large", Value: "l"}}},
		{Name: "tags", Type: apps.FieldTypeStaticSelect, SelectIsMulti: true, Options: []apps.SelectOption{{Label: "A", Value: "a"}, {Label: "B", Value: "b"}}},
		{Name: "on", Type: apps.FieldTypeBool},
		{Name: "who", Label: "user", Type: apps.FieldTypeUser},
		{Name: "where", Type: apps.FieldTypeChannel},
		{Name: "level", Type: apps.FieldTypeText, Value: "default"},
		{Name: "needed", Type: apps.FieldTypeText, IsRequired: true},
		{Name: "fixed", Type: apps.FieldTypeText, ReadOnly: true},
		{Type: apps.FieldTypeMarkdown, Description: "note"},
	}}
	for _, tc := range []struct {
		words   string
		want    map[string]any
		missing []string
		err     string
	}{
		{words: `one two three four --needed x`, want: map[string]any{"first": "one", "second": "two", "rest": "three four", "needed": "x", "level": "default"}},
		{words: `--first=one --needed x two`, want: map[string]any{"first": "one", "second": "two", "needed": "x", "level": "default"}},
		{words: `one --size large --on --user @bob --where ~town --tags a,B`, missing: []string{"needed"}, want: map[string]any{
			"first": "one", "size": apps.SelectOption{Label: "Large", Value: "l"}, "on": true, "level": "default",
			"who": apps.SelectOption{Label: "bob", Value: "bobid"}, "where": apps.SelectOption{Label: "Town", Value: "townid"},
			"tags": []apps.SelectOption{{Label: "A", Value: "a"}, {Label: "B", Value: "b"}},
		}},
		{words: `--on false one --needed y --level high`, want: map[string]any{"first": "one", "on": false, "needed": "y", "level": "high"}},
		{words: ``, missing: []string{"first", "needed"}, want: map[string]any{"level": "default"}},
		{words: `one --size huge`, err: "`huge` is not an option of `--size`"},
		{words: `one --who @nobody`, err: "no user @nobody"},
		{words: `one --user`, err: "`--user` needs a value"},
		{words: `one --nope 1`, err: "unknown flag `--nope`"},
		{words: `one --fixed 1`, err: "cannot be set"},
		{words: `one --on maybe --needed x`, want: map[string]any{"first": "one", "on": true, "second": "maybe", "needed": "x", "level": "default"}},
	} {
		words, _ := Tokenize(tc.words)
		got, missing, err := parseValues(resolver{}, form, words, "team")
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: error %v, want %q", tc.words, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.words, err)
			continue
		}
		var names []string
		for _, f := range missing {
			names = append(names, f.Name)
		}
		if !reflect.DeepEqual(got, tc.want) || strings.Join(names, ",") != strings.Join(tc.missing, ",") {
			t.Errorf("%q:\n got %#v missing %v\nwant %#v missing %v", tc.words, got, names, tc.want, tc.missing)
		}
	}
	if _, _, err := parseValues(resolver{}, apps.Form{Fields: []apps.Field{{Name: "a"}}}, []string{"stray"}, ""); err == nil || !strings.Contains(err.Error(), "unexpected argument `stray`") {
		t.Errorf("a stray word: %v", err)
	}
	usage := formUsage("/cmd do", form)
	for _, want := range []string{"Usage: `/cmd do <first> [second] [rest]", "[--size s|l]", "[--on]", "--needed <needed>", "- `--size`: (one of: s, l)", "- `first` (required)"} {
		if !strings.Contains(usage, want) {
			t.Errorf("usage %q lacks %q", usage, want)
		}
	}
}

func TestCommandsFromBindings(t *testing.T) {
	app := apps.App{Manifest: apps.Manifest{AppID: "a", DisplayName: "App A"}}
	bb := []apps.Binding{{Location: apps.LocationCommand, Bindings: []apps.Binding{{
		Label: "Tool", Description: "A tool", Bindings: []apps.Binding{
			{Label: "run", Form: &apps.Form{Submit: apps.NewCall("/r"), Fields: []apps.Field{
				{Name: "target", Position: 1, IsRequired: true, Description: "what"},
				{Name: "mode", Type: apps.FieldTypeStaticSelect, Options: []apps.SelectOption{{Value: "fast"}}},
				{Name: "dry", Type: apps.FieldTypeBool},
				{Name: "opt", Position: 2}, // optional positional: offered as a flag
			}}},
			{Label: "stop", Submit: apps.NewCall("/s")},
		}}}}}
	cmds := commandsFrom(app, bb)
	if len(cmds) != 1 || cmds[0].Trigger != "tool" || cmds[0].DisplayName != "App A" || cmds[0].AutocompleteData.Trigger != "tool" {
		t.Fatalf("commands = %+v", cmds)
	}
	run := cmds[0].AutocompleteData.SubCommands[0]
	var args []string
	for _, a := range run.Arguments {
		args = append(args, a.Name+":"+a.Type)
	}
	if strings.Join(args, " ") != ":TextInput mode:StaticList dry:StaticList opt:TextInput" {
		t.Errorf("arguments = %v", args)
	}
}
