package upaws_test

import (
	"errors"
	"testing"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/upstream"
	"github.com/mattermost-community/apps-plugin/upstream/upaws"
)

func TestMatchFunction(t *testing.T) {
	// The functions and expectations of upstream's TestMatch
	// (server/upstream/upawslambda/upstream_test.go@v0.6.0).
	upstreamFunctions := []apps.AWSLambdaFunction{
		{Path: "/topic", Name: "topic"},
		{Path: "/topic/subtopic/", Name: "subtopic"},
		{Path: "/other", Name: "other"},
		{Path: "/", Name: "main"},
	}
	rootFirst := []apps.AWSLambdaFunction{
		{Path: "/", Name: "root"},
		{Path: "/a", Name: "a"},
		{Path: "/a/b", Name: "ab"},
	}
	ties := []apps.AWSLambdaFunction{
		{Path: "/a", Name: "first"},
		{Path: "/a", Name: "second"},
		{Path: "/", Name: "root"},
	}
	noRoot := []apps.AWSLambdaFunction{
		{Path: "/a", Name: "a"},
		{Path: "/a/b", Name: "ab"},
	}

	for _, tc := range []struct {
		name      string
		functions []apps.AWSLambdaFunction
		path      string
		want      string // "" means no match
	}{
		{"upstream: other path to main", upstreamFunctions, "/different", "main"},
		{"upstream: subtopic", upstreamFunctions, "/topic/subtopic/and-then-some", "subtopic"},
		{"upstream: topic", upstreamFunctions, "/topic/other/and-then-some", "topic"},
		{"upstream: other", upstreamFunctions, "/other/and-then-some", "other"},
		{"upstream: subtopic without its slash", upstreamFunctions, "/topic/subtopic", "topic"},
		{"root exact", rootFirst, "/", "root"},
		{"root prefix", rootFirst, "/ping", "root"},
		{"exact /a", rootFirst, "/a", "a"},
		{"string prefix, not segment", rootFirst, "/abc", "a"},
		{"under /a", rootFirst, "/a/c/d", "a"},
		{"exact /a/b", rootFirst, "/a/b", "ab"},
		{"under /a/b", rootFirst, "/a/b/c", "ab"},
		{"order does not matter", []apps.AWSLambdaFunction{rootFirst[2], rootFirst[0], rootFirst[1]}, "/a/b/c", "ab"},
		{"tie keeps the first", ties, "/a/x", "first"},
		{"no root: no match", noRoot, "/b", ""},
		{"no root: empty path", noRoot, "", ""},
		{"no functions", nil, "/a", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := upaws.MatchFunction(tc.functions, tc.path)
			if tc.want == "" {
				if ok {
					t.Fatalf("MatchFunction(%q) = %q, want no match", tc.path, got.Name)
				}
				return
			}
			if !ok || got.Name != tc.want {
				t.Fatalf("MatchFunction(%q) = %q, %v; want %q", tc.path, got.Name, ok, tc.want)
			}
		})
	}
}

func TestFunctionName(t *testing.T) {
	app := apps.App{Manifest: apps.Manifest{
		AppID:     "testID",
		Version:   "v00.00.000",
		AWSLambda: &apps.AWSLambda{Functions: []apps.AWSLambdaFunction{{Path: "/", Name: "main"}, {Path: "/topic", Name: "topic"}}},
	}}
	for path, want := range map[string]string{
		"/different":      "testID_v00-00-000_main",
		"/topic/and-then": "testID_v00-00-000_topic",
	} {
		if got, err := upaws.FunctionName(app, path); err != nil || got != want {
			t.Errorf("FunctionName(%q) = %q, %v; want %q", path, got, err, want)
		}
	}
	app.AWSLambda = nil
	if _, err := upaws.FunctionName(app, "/"); !errors.Is(err, upstream.ErrNotFound) {
		t.Errorf("no functions: got %v, want ErrNotFound", err)
	}
}
