package command

import (
	"fmt"
	"strings"

	"github.com/mattermost-community/apps-plugin/server/appcommand"
)

// args is a parsed command line: positional words and --flags. A flag takes
// the next word as its value unless it is a known boolean flag or written
// --flag=value.
type args struct {
	positional []string
	flags      map[string]string
}

// tokenize splits a command line into words, exactly as app commands do.
func tokenize(line string) ([]string, error) { return appcommand.Tokenize(line) }

func parseArgs(words []string, boolFlags ...string) (args, error) {
	a := args{flags: map[string]string{}}
	isBool := map[string]bool{}
	for _, f := range boolFlags {
		isBool[f] = true
	}
	for i := 0; i < len(words); i++ {
		w := words[i]
		if !strings.HasPrefix(w, "--") || w == "--" {
			a.positional = append(a.positional, w)
			continue
		}
		name, value, hasValue := strings.Cut(w[2:], "=")
		if name == "" {
			return a, fmt.Errorf("empty flag name in %q", w)
		}
		switch {
		case hasValue:
		case isBool[name]:
			value = "true"
		case i+1 < len(words):
			i++
			value = words[i]
		default:
			return a, fmt.Errorf("flag --%s needs a value", name)
		}
		a.flags[name] = value
	}
	return a, nil
}

func (a args) flag(name string) string { return a.flags[name] }

func (a args) bool(name string) bool {
	v := strings.ToLower(a.flags[name])
	return v == "true" || v == "yes" || v == "1"
}
