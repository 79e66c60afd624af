package main

import (
	"bytes"
	"strings"
	"testing"
)

func run(t *testing.T, args ...string) string {
	t.Helper()
	root := newRootCommand()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	if err := root.Execute(); err != nil {
		t.Fatalf("appsctl %s: %v\n%s", strings.Join(args, " "), err, out.String())
	}
	return out.String()
}

func TestRootCommand(t *testing.T) {
	help := run(t, "--help")
	for _, want := range []string{"appsctl", "lambda", "completion"} {
		if !strings.Contains(help, want) {
			t.Errorf("appsctl --help lacks %q:\n%s", want, help)
		}
	}
	serveHelp := run(t, "lambda", "serve", "--help")
	for _, want := range []string{"--addr", "--dir", "--max-instances", "--default-timeout"} {
		if !strings.Contains(serveHelp, want) {
			t.Errorf("appsctl lambda serve --help lacks %q:\n%s", want, serveHelp)
		}
	}
	if comp := run(t, "completion", "bash"); !strings.Contains(comp, "appsctl") {
		t.Errorf("bash completion: %.200s", comp)
	}
}
