package upaws_test

import (
	"strings"
	"testing"

	"github.com/mattermost-community/apps-plugin/upstream/upaws"
)

func TestConfigFromEnv(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want upaws.Config
	}{
		{
			name: "defaults",
			want: upaws.Config{Region: "us-east-1", Bucket: "mattermost-apps-bucket"},
		},
		{
			name: "all MM_APPS variables",
			env: map[string]string{
				"MM_APPS_S3_BUCKET": "my-bucket", "MM_APPS_AWS_REGION": "eu-west-3",
				"MM_APPS_AWS_ACCESS_KEY": "AKIAMMAPPS", "MM_APPS_AWS_SECRET_KEY": "s3cr3t",
				"AWS_CA_BUNDLE": "/etc/ca.pem",
			},
			want: upaws.Config{
				Region: "eu-west-3", Bucket: "my-bucket", AccessKey: "AKIAMMAPPS", SecretKey: "s3cr3t",
				CredentialsEnv: "MM_APPS_AWS_ACCESS_KEY", CABundle: "/etc/ca.pem",
			},
		},
		{
			name: "legacy credentials",
			env:  map[string]string{"APPS_INVOKE_AWS_ACCESS_KEY": "AKIALEGACY", "APPS_INVOKE_AWS_SECRET_KEY": "old"},
			want: upaws.Config{
				Region: "us-east-1", Bucket: "mattermost-apps-bucket", AccessKey: "AKIALEGACY", SecretKey: "old",
				CredentialsEnv: "APPS_INVOKE_AWS_ACCESS_KEY",
			},
		},
		{
			name: "MM_APPS credentials win over legacy ones",
			env: map[string]string{
				"MM_APPS_AWS_ACCESS_KEY": "AKIANEW", "MM_APPS_AWS_SECRET_KEY": "new",
				"APPS_INVOKE_AWS_ACCESS_KEY": "AKIALEGACY", "APPS_INVOKE_AWS_SECRET_KEY": "old",
			},
			want: upaws.Config{
				Region: "us-east-1", Bucket: "mattermost-apps-bucket", AccessKey: "AKIANEW", SecretKey: "new",
				CredentialsEnv: "MM_APPS_AWS_ACCESS_KEY",
			},
		},
		{
			name: "credential pairs are not mixed",
			env:  map[string]string{"MM_APPS_AWS_ACCESS_KEY": "AKIANEW", "APPS_INVOKE_AWS_SECRET_KEY": "old"},
			want: upaws.Config{
				Region: "us-east-1", Bucket: "mattermost-apps-bucket", AccessKey: "AKIANEW",
				CredentialsEnv: "MM_APPS_AWS_ACCESS_KEY",
			},
		},
		{
			name: "global endpoint",
			env:  map[string]string{"AWS_ENDPOINT_URL": "http://localhost:4566"},
			want: upaws.Config{
				Region: "us-east-1", Bucket: "mattermost-apps-bucket",
				S3Endpoint: "http://localhost:4566", LambdaEndpoint: "http://localhost:4566",
			},
		},
		{
			name: "service endpoints win over the global one",
			env: map[string]string{
				"AWS_ENDPOINT_URL":        "http://global:1",
				"AWS_ENDPOINT_URL_S3":     "http://minio:9000",
				"AWS_ENDPOINT_URL_LAMBDA": "http://localaws:9001",
			},
			want: upaws.Config{
				Region: "us-east-1", Bucket: "mattermost-apps-bucket",
				S3Endpoint: "http://minio:9000", LambdaEndpoint: "http://localaws:9001",
			},
		},
		{
			name: "one service endpoint, the other global",
			env:  map[string]string{"AWS_ENDPOINT_URL": "http://global:1", "AWS_ENDPOINT_URL_LAMBDA": "http://localaws:9001"},
			want: upaws.Config{
				Region: "us-east-1", Bucket: "mattermost-apps-bucket",
				S3Endpoint: "http://global:1", LambdaEndpoint: "http://localaws:9001",
			},
		},
		{
			name: "blank values are unset",
			env:  map[string]string{"MM_APPS_S3_BUCKET": "  ", "MM_APPS_AWS_REGION": "", "MM_APPS_AWS_ACCESS_KEY": " "},
			want: upaws.Config{Region: "us-east-1", Bucket: "mattermost-apps-bucket"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := upaws.ConfigFromEnv(func(k string) string { return tc.env[k] })
			if got != tc.want {
				t.Fatalf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestConfigured(t *testing.T) {
	for _, tc := range []struct {
		access, secret string
		want           bool
	}{{"", "", false}, {"AKIA", "", false}, {"", "s", false}, {"AKIA", "s", true}} {
		if got := (upaws.Config{AccessKey: tc.access, SecretKey: tc.secret}).Configured(); got != tc.want {
			t.Errorf("Configured(%q, %q) = %v", tc.access, tc.secret, got)
		}
	}
	legacy := upaws.ConfigFromEnv(func(k string) string {
		return map[string]string{"APPS_INVOKE_AWS_ACCESS_KEY": "a", "APPS_INVOKE_AWS_SECRET_KEY": "b"}[k]
	})
	if !legacy.Legacy() {
		t.Error("legacy credentials not reported")
	}
}

func TestDescribe(t *testing.T) {
	c := upaws.ConfigFromEnv(func(k string) string {
		return map[string]string{
			"MM_APPS_AWS_ACCESS_KEY": "AKIAIOSFODNN7EXAMPLE", "MM_APPS_AWS_SECRET_KEY": "wJalrXUtnFEMI/K7MDENG",
			"MM_APPS_AWS_REGION": "eu-central-1", "MM_APPS_S3_BUCKET": "apps", "AWS_ENDPOINT_URL_S3": "http://minio:9000",
		}[k]
	})
	d := c.Describe()
	for _, want := range []string{"****MPLE", "MM_APPS_AWS_ACCESS_KEY", "region eu-central-1", "bucket apps",
		"S3 endpoint http://minio:9000", "Lambda endpoint AWS default"} {
		if !strings.Contains(d, want) {
			t.Errorf("Describe() = %q, missing %q", d, want)
		}
	}
	for _, secret := range []string{"AKIAIOSFODNN7", "wJalr", "K7MDENG"} {
		if strings.Contains(d, secret) {
			t.Errorf("Describe() = %q shows %q", d, secret)
		}
	}
	if d := (upaws.Config{Region: "us-east-1", Bucket: "b"}).Describe(); !strings.Contains(d, "not configured (set MM_APPS_AWS_ACCESS_KEY and MM_APPS_AWS_SECRET_KEY)") {
		t.Errorf("unconfigured Describe() = %q", d)
	}
	if d := (upaws.Config{AccessKey: "abc", SecretKey: "x"}).Describe(); strings.Contains(d, "abc") {
		t.Errorf("short key shown: %q", d)
	}
	if _, err := upaws.NewClients(upaws.Config{}); err == nil || !strings.Contains(err.Error(), "MM_APPS_AWS_ACCESS_KEY") {
		t.Errorf("NewClients without credentials: %v", err)
	}
}
