package apps_test

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/mattermost-community/apps-plugin/apps"
)

func addFileSeeds(f *testing.F, files ...string) {
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

// FuzzDecodeManifest: decoding never panics, and an accepted manifest
// survives encode → decode unchanged.
func FuzzDecodeManifest(f *testing.F) {
	addFileSeeds(f, "testdata/manifest_v0_http.json", "testdata/manifest_v0_aws_lambda.json", "testdata/manifest_v1.json")
	f.Add([]byte(`{"app_id":"apps","display_name":"A","homepage_url":"http://a","app_type":"builtin"}`))
	f.Add([]byte(`{"app_id":"abc","display_name":"A","homepage_url":"http://a","app_type":"plugin","plugin_id":"p"}`))
	f.Add([]byte(`{"app_id":"abc","aws_lambda":"x"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := apps.DecodeManifest(data)
		if err != nil {
			return
		}
		v1, err := json.Marshal(m)
		if err != nil {
			t.Fatalf("encoding an accepted manifest: %v", err)
		}
		m2, err := apps.DecodeManifest(v1)
		if err != nil {
			t.Fatalf("re-decoding %s: %v", v1, err)
		}
		v1b, err := json.Marshal(m2)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(v1, v1b) {
			t.Fatalf("not stable:\n%s\n%s", v1, v1b)
		}
	})
}

// FuzzDecodeCallRequest: decoding never panics, and a decoded request
// survives encode → decode unchanged.
func FuzzDecodeCallRequest(f *testing.F) {
	addFileSeeds(f, "testdata/golden/call_request.json", "testdata/golden/context.json")
	f.Add([]byte(`{"path":"/x","context":{"app":{"app_id":"a","app_type":"http","root_url":"http://x"}}}`))
	f.Add([]byte(`{"path":"/x","expand":{"app":"+all"},"values":{"a":{"label":"l","value":"v"}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := apps.DecodeCallRequest(data)
		if err != nil {
			return
		}
		_ = r.GetValue("a", "")
		_ = r.BoolValue("a")
		_ = r.Call.Validate()
		out, err := json.Marshal(r)
		if err != nil {
			t.Fatalf("encoding a decoded request: %v", err)
		}
		r2, err := apps.DecodeCallRequest(out)
		if err != nil {
			t.Fatalf("re-decoding %s: %v", out, err)
		}
		out2, err := json.Marshal(r2)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out, out2) {
			t.Fatalf("not stable:\n%s\n%s", out, out2)
		}
	})
}

// FuzzParseJWT: parsing never panics, and only unexpired HS256 tokens
// signed with the secret are accepted.
func FuzzParseJWT(f *testing.F) {
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	good, err := apps.NewJWT("secret", "user", now)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJleHAiOjE3MTQ1NjU3MDB9.")
	f.Add("a.b.c")
	f.Add("")
	f.Fuzz(func(t *testing.T, token string) {
		claims, err := apps.ParseJWT(token, "secret", now)
		if err != nil {
			if !apps.IsUnauthorized(err) {
				t.Fatalf("error does not match ErrUnauthorized: %v", err)
			}
			return
		}
		if claims.ExpiresAt == nil || !now.Before(claims.ExpiresAt.Time) {
			t.Fatalf("accepted a token without a valid exp: %+v", claims)
		}
		if _, err := apps.ParseJWT(token, "other secret", now); err == nil {
			t.Fatal("accepted with another secret")
		}
	})
}
