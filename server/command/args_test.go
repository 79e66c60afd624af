package command

import (
	"reflect"
	"testing"
)

func TestTokenizeAndParse(t *testing.T) {
	tests := []struct {
		line       string
		positional []string
		flags      map[string]string
		wantErr    bool
	}{
		{line: "install listed hello", positional: []string{"install", "listed", "hello"}},
		{line: `install http "https://x.test/a b.json" --secret 's e c'`, positional: []string{"install", "http", "https://x.test/a b.json"}, flags: map[string]string{"secret": "s e c"}},
		{line: "uninstall hello --force --delete-data", positional: []string{"uninstall", "hello"}, flags: map[string]string{"force": "true", "delete-data": "true"}},
		{line: "install listed hello --deploy-type=http --consent", positional: []string{"install", "listed", "hello"}, flags: map[string]string{"deploy-type": "http", "consent": "true"}},
		{line: `say \"quoted\"`, positional: []string{"say", `"quoted"`}},
		{line: `say “smart quotes”`, positional: []string{"say", "smart quotes"}},
		{line: `unclosed "quote`, wantErr: true},
		{line: "install --secret", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			words, err := tokenize(tt.line)
			var a args
			if err == nil {
				a, err = parseArgs(words, "force", "delete-data", "consent")
			}
			if tt.wantErr {
				if err == nil {
					t.Fatalf("want an error, got %+v", a)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(a.positional, tt.positional) {
				t.Errorf("positional = %q, want %q", a.positional, tt.positional)
			}
			if tt.flags == nil {
				tt.flags = map[string]string{}
			}
			if !reflect.DeepEqual(a.flags, tt.flags) {
				t.Errorf("flags = %v, want %v", a.flags, tt.flags)
			}
		})
	}
}

func FuzzTokenize(f *testing.F) {
	for _, s := range []string{`a "b c" 'd'`, `\`, `"`, `--x=y --z`, "“x”"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		words, err := tokenize(line)
		if err != nil {
			return
		}
		_, _ = parseArgs(words, "force")
	})
}
