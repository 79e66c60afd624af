package upplugin_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/upstream"
	"github.com/mattermost-community/apps-plugin/upstream/upplugin"
)

// fakeHTTP records requests and answers with handler.
type fakeHTTP struct {
	mu      sync.Mutex
	reqs    []*http.Request
	bodies  []string
	handler http.HandlerFunc
}

func (f *fakeHTTP) do(r *http.Request) *http.Response {
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(r.Body)
	}
	f.mu.Lock()
	f.reqs = append(f.reqs, r)
	f.bodies = append(f.bodies, string(body))
	f.mu.Unlock()
	rec := httptest.NewRecorder()
	f.handler(rec, r)
	return rec.Result()
}

func testApp() apps.App {
	return apps.App{Manifest: apps.Manifest{AppID: "plugapp", Plugin: &apps.Plugin{PluginID: "com.example.p"}}, DeployType: apps.DeployPlugin}
}

func TestRoundtripPostsJSONToPluginAppPath(t *testing.T) {
	f := &fakeHTTP{handler: func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"text":"hi"}`))
	}}
	up := upplugin.New(f.do)
	creq := apps.CallRequest{Call: apps.Call{Path: "/hello"}}
	resp, err := upstream.Call(context.Background(), up, testApp(), creq)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Text != "hi" || resp.Type != apps.CallResponseTypeOK {
		t.Fatalf("resp = %+v", resp)
	}
	r := f.reqs[0]
	if r.Method != http.MethodPost || r.URL.Path != "/com.example.p/app/hello" {
		t.Fatalf("request = %s %s", r.Method, r.URL.Path)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type = %q", ct)
	}
	var got apps.CallRequest
	if err := json.Unmarshal([]byte(f.bodies[0]), &got); err != nil || got.Path != "/hello" {
		t.Fatalf("body = %s (%v)", f.bodies[0], err)
	}
}

func TestCallPath(t *testing.T) {
	for in, want := range map[string]string{
		"/hello":          "/p/app/hello",
		"hello":           "/p/app/hello",
		"/a//b/./c":       "/p/app/a/b/c",
		"/":               "/p/app",
		"/x?y=1":          "/p/app/x?y=1",
		"/%2568ello":      "/p/app/hello",
		"/static/a%20b":   "/p/app/static/a b",
		"/q?x=1#fragment": "/p/app/q?x=1",
	} {
		got, err := upplugin.CallPath("p", in)
		if err != nil || got != want {
			t.Errorf("CallPath(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"/../other/x", "/a/%2e%2e/b", "/a/%252e%252e/x", `/a\b`, "/a%00b"} {
		if got, err := upplugin.CallPath("p", in); !errors.Is(err, apps.ErrInvalid) {
			t.Errorf("CallPath(%q) = %q, %v; want ErrInvalid", in, got, err)
		}
	}
	for _, id := range []string{"", "..", "a/b", "a%2fb", "a?b"} {
		if _, err := upplugin.CallPath(id, "/x"); !errors.Is(err, apps.ErrInvalid) {
			t.Errorf("plugin id %q accepted", id)
		}
	}
}

func TestTraversalNeverReachesThePlugin(t *testing.T) {
	f := &fakeHTTP{handler: func(w http.ResponseWriter, r *http.Request) {}}
	up := upplugin.New(f.do)
	_, err := up.Roundtrip(context.Background(), testApp(), apps.CallRequest{Call: apps.Call{Path: "/../../com.mattermost.apps/api"}}, false)
	if !errors.Is(err, apps.ErrInvalid) || len(f.reqs) != 0 {
		t.Fatalf("err = %v, requests = %d", err, len(f.reqs))
	}
	if _, _, err = up.GetStatic(context.Background(), testApp(), "../x"); !errors.Is(err, apps.ErrInvalid) || len(f.reqs) != 0 {
		t.Fatalf("static ../x: err = %v, requests = %d", err, len(f.reqs))
	}
}

func TestErrors(t *testing.T) {
	status := http.StatusNotFound
	f := &fakeHTTP{handler: func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(status)
		_, _ = w.Write([]byte("boom text"))
	}}
	up := upplugin.New(f.do)
	creq := apps.CallRequest{Call: apps.Call{Path: "/x"}}
	if _, err := up.Roundtrip(context.Background(), testApp(), creq, false); !errors.Is(err, upstream.ErrNotFound) {
		t.Fatalf("404: %v", err)
	}
	status = http.StatusInternalServerError
	_, err := up.Roundtrip(context.Background(), testApp(), creq, false)
	if err == nil || errors.Is(err, upstream.ErrNotFound) || !strings.Contains(err.Error(), "boom text") ||
		!strings.Contains(err.Error(), "plugapp") || !strings.Contains(err.Error(), "500") {
		t.Fatalf("500: %v", err)
	}
	noPlugin := testApp()
	noPlugin.Plugin = nil
	if _, err := up.Roundtrip(context.Background(), noPlugin, creq, false); err == nil {
		t.Fatal("an app without a plugin section was called")
	}
	nilResp := upplugin.New(func(*http.Request) *http.Response { return nil })
	if _, err := nilResp.Roundtrip(context.Background(), testApp(), creq, false); err == nil {
		t.Fatal("a nil response is not an error")
	}
}

func TestResponseSizeLimit(t *testing.T) {
	big := strings.Repeat("x", upstream.MaxResponseSize+10)
	f := &fakeHTTP{handler: func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, big) }}
	_, err := upstream.Call(context.Background(), upplugin.New(f.do), testApp(), apps.CallRequest{Call: apps.Call{Path: "/x"}})
	if !errors.Is(err, apps.ErrTooLarge) {
		t.Fatalf("err = %v", err)
	}
	// Also when the length is declared up front.
	declared := upplugin.New(func(r *http.Request) *http.Response {
		return &http.Response{StatusCode: 200, ContentLength: upstream.MaxResponseSize + 1, Body: io.NopCloser(strings.NewReader("{}")), Header: http.Header{}}
	})
	if _, err := declared.Roundtrip(context.Background(), testApp(), apps.CallRequest{Call: apps.Call{Path: "/x"}}, false); !errors.Is(err, apps.ErrTooLarge) {
		t.Fatalf("declared: %v", err)
	}
}

func TestGetStatic(t *testing.T) {
	f := &fakeHTTP{handler: func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/com.example.p/app/static/icon.png" {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write([]byte("PNG"))
	}}
	up := upplugin.New(f.do)
	body, ct, err := up.GetStatic(context.Background(), testApp(), "icon.png")
	if err != nil {
		t.Fatal(err)
	}
	defer body.Close()
	data, _ := io.ReadAll(body)
	if string(data) != "PNG" || f.reqs[0].Method != http.MethodGet || ct == "" {
		t.Fatalf("static = %q %q %s", data, ct, f.reqs[0].Method)
	}
	if _, _, err := up.GetStatic(context.Background(), testApp(), "nope.png"); !errors.Is(err, upstream.ErrNotFound) {
		t.Fatalf("missing asset: %v", err)
	}
}

func TestAsyncAndFetch(t *testing.T) {
	done := make(chan string, 1)
	f := &fakeHTTP{handler: func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			done <- r.URL.Path
		}
		_, _ = w.Write([]byte(`{"app_id":"plugapp"}`))
	}}
	up := upplugin.New(f.do)
	rc, err := up.Roundtrip(context.Background(), testApp(), apps.CallRequest{Call: apps.Call{Path: "/notify"}}, true)
	if err != nil || rc != nil {
		t.Fatalf("async = %v, %v", rc, err)
	}
	select {
	case p := <-done:
		if p != "/com.example.p/app/notify" {
			t.Fatalf("async path %s", p)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("async call not sent")
	}
	data, err := up.Fetch(context.Background(), "com.example.p", "/manifest.json", 1<<10)
	if err != nil || string(data) != `{"app_id":"plugapp"}` {
		t.Fatalf("fetch = %q, %v", data, err)
	}
	if _, err := up.Fetch(context.Background(), "com.example.p", "/manifest.json", 4); !errors.Is(err, apps.ErrTooLarge) {
		t.Fatalf("fetch over limit: %v", err)
	}
}
