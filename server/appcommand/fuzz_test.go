package appcommand

import (
	"testing"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
)

type noResolver struct{}

func (noResolver) GetUserByUsername(string) (*model.User, *model.AppError) {
	return nil, model.NewAppError("x", "x", "not found", "", 404)
}

func (noResolver) GetChannelByName(string, string, bool) (*model.Channel, *model.AppError) {
	return nil, model.NewAppError("x", "x", "not found", "", 404)
}

// FuzzCommandLine feeds what users type to the tokenizer and the form
// parser: they must never panic, whatever the line.
func FuzzCommandLine(f *testing.F) {
	for _, s := range []string{`/hello send "a b" --shout true`, `--`, `"`, `--name=`, `a --flag`, "“x” --n ’y’"} {
		f.Add(s)
	}
	form := apps.Form{Fields: []apps.Field{
		{Name: "name", Type: apps.FieldTypeText, Position: 1},
		{Name: "shout", Type: apps.FieldTypeBool},
		{Name: "who", Type: apps.FieldTypeUser},
		{Name: "where", Type: apps.FieldTypeChannel},
		{Name: "pick", Type: apps.FieldTypeStaticSelect, Options: []apps.SelectOption{{Label: "A", Value: "a"}}},
		{Name: "rest", Type: apps.FieldTypeText, Position: -1},
	}}
	f.Fuzz(func(t *testing.T, line string) {
		words, err := Tokenize(line)
		if err != nil {
			return
		}
		_, _, _ = parseValues(noResolver{}, form, words, "team")
	})
}
