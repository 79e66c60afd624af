package apps_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/mattermost-community/apps-plugin/apps"
)

var awsLambdaName = regexp.MustCompile(`^[a-zA-Z0-9-_]{1,64}$`)

func TestLambdaName(t *testing.T) {
	for _, tc := range []struct {
		appID    apps.AppID
		version  apps.AppVersion
		function string
		want     string
	}{
		// Upstream vectors (aws/provision_data_test.go@v0.6.0).
		{"com.mattermost.servicenow", "0.1.0", "function1", "com-mattermost-servicenow_0-1-0_function1"},
		{"com.mattermost.servicenow", "0.1.0", "function2", "com-mattermost-servicenow_0-1-0_function2"},
		{"com.mattermost.servicenow", "0.1.0", "function with spaces", "com-mattermost-servicenow_0-1-0_function-with-spaces"},
		// Upstream gave "com.mattermost.servicenow_0.1.0_95f51579baba92ea2a0a3ad98c24fcbc"
		// (dots: rejected by AWS); same hash, sanitized prefix.
		{"com.mattermost.servicenow", "0.1.0", "function-with-very-very-very-very-very-very-very-long-name",
			"com-mattermost-servicenow_0-1-0_95f51579baba92ea2a0a3ad98c24fcbc"},
		{"hello-lambda", "demo", "go-function", "hello-lambda_demo_go-function"},
		{"hello-serverless", "v1.2.0", "go-function", "hello-serverless_v1-2-0_go-function"},
		// Exactly 64 characters: kept.
		{"abc", "1", "f123456789012345678901234567890123456789012345678901234567", "abc_1_f123456789012345678901234567890123456789012345678901234567"},
		// Characters AWS rejects: hashed fallback.
		{"ünï", "1.0", "f", "-n-_1-0_00e5affa43081b2bf233f0b6664853071a24c9b0afb478a211904966"},
	} {
		got := apps.LambdaName(tc.appID, tc.version, tc.function)
		if got != tc.want {
			t.Errorf("LambdaName(%q, %q, %q) = %q, want %q", tc.appID, tc.version, tc.function, got, tc.want)
		}
		if !awsLambdaName.MatchString(got) {
			t.Errorf("%q is not a valid AWS Lambda name", got)
		}
	}

	// Long and odd names are valid, stable and distinct.
	seen := map[string]string{}
	for i := 0; i < 500; i++ {
		fn := fmt.Sprintf("function %d with a long name that does not fit in sixty-four characters/%d", i, i%7)
		id := apps.AppID(fmt.Sprintf("com.example.app%d.abcdefghijklmnopqrs", i%3))[:32]
		name := apps.LambdaName(id, "v00_00_000", fn)
		if !awsLambdaName.MatchString(name) || len(name) != 64 {
			t.Fatalf("LambdaName(%q, %q) = %q", id, fn, name)
		}
		if name != apps.LambdaName(id, "v00_00_000", fn) {
			t.Fatal("not stable")
		}
		if prev, ok := seen[name]; ok {
			t.Fatalf("collision: %q and %q", prev, fn)
		}
		seen[name] = fn
	}
	// Inputs longer than the rules allow still give a valid name.
	if n := apps.LambdaName(apps.AppID(fmt.Sprint(make([]byte, 100))), "way-too-long-version", "f"); !awsLambdaName.MatchString(n) {
		t.Errorf("oversized inputs: %q", n)
	}
}

func TestS3Keys(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"photo.png", "static/com.mattermost.servicenow_0.1.0_app/photo.png"},
		{"some.json", "static/com.mattermost.servicenow_0.1.0_app/some.json"},
		{"static file with spaces.txt", "static/com.mattermost.servicenow_0.1.0_app/static-file-with-spaces.txt"},
		{"static-file-with-very-very-very-very-very-very-very-very-long-name.txt",
			"static/com.mattermost.servicenow_0.1.0_app/static-file-with-very-very-very-very-very-very-very-very-long-name.txt"},
		{"text.txt", "static/com.mattermost.servicenow_0.1.0_app/text.txt"},
	} {
		if got := apps.StaticS3Key("com.mattermost.servicenow", "0.1.0", tc.name); got != tc.want {
			t.Errorf("StaticS3Key(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
	if got := apps.ManifestS3Key("com.mattermost.servicenow", "0.1.0"); got != "manifests/com.mattermost.servicenow_0.1.0.json" {
		t.Errorf("ManifestS3Key = %q", got)
	}
}
