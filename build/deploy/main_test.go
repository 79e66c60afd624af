package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestDeploy(t *testing.T) {
	tests := []struct {
		name     string
		statuses []string // successive answers of /plugins/statuses
		wantErr  string
	}{
		{name: "starts", statuses: []string{`[{"plugin_id":"x.y","state":1}]`, `[{"plugin_id":"x.y","state":2}]`}},
		{name: "fails with the server's reason", statuses: []string{`[{"plugin_id":"x.y","state":3,"error":"bad cookie"}]`}, wantErr: "bad cookie"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var polls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Header.Get("Authorization") != "Bearer tok" {
					http.Error(w, `{"message":"no token"}`, http.StatusUnauthorized)
					return
				}
				switch {
				case r.Method == http.MethodPost && r.URL.Path == "/api/v4/plugins":
					if err := r.ParseMultipartForm(1 << 20); err != nil || r.FormValue("force") != "true" {
						http.Error(w, `{"message":"bad form"}`, http.StatusBadRequest)
						return
					}
					f, _, err := r.FormFile("plugin")
					if err != nil {
						http.Error(w, `{"message":"no file"}`, http.StatusBadRequest)
						return
					}
					b, _ := io.ReadAll(f)
					if string(b) != "bundle" {
						http.Error(w, `{"message":"wrong file"}`, http.StatusBadRequest)
						return
					}
					w.WriteHeader(http.StatusCreated)
				case r.Method == http.MethodPost && r.URL.Path == "/api/v4/plugins/x.y/enable":
				case r.URL.Path == "/api/v4/plugins/statuses":
					i := int(polls.Add(1)) - 1
					if i >= len(tt.statuses) {
						i = len(tt.statuses) - 1
					}
					_, _ = io.WriteString(w, tt.statuses[i])
				default:
					http.NotFound(w, r)
				}
			}))
			defer srv.Close()
			bundle := filepath.Join(t.TempDir(), "b.tar.gz")
			if err := os.WriteFile(bundle, []byte("bundle"), 0o644); err != nil {
				t.Fatal(err)
			}
			d := deployer{siteURL: srv.URL, token: "tok", client: srv.Client(), poll: time.Millisecond, out: io.Discard}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			err := d.deploy(ctx, "x.y", bundle)
			if tt.wantErr == "" && err != nil {
				t.Fatalf("deploy: %v", err)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("deploy error = %v, want it to mention %q", err, tt.wantErr)
			}
		})
	}
}
