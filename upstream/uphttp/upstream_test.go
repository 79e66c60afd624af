package uphttp_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/upstream"
	"github.com/mattermost-community/apps-plugin/upstream/uphttp"
)

const appSecret = "app-secret-1234"

// jwtApp answers with the acting user of a valid JWT and 401 otherwise,
// like an app using apps.VerifyJWTHeader.
func jwtApp(t *testing.T, secret string) *appServer {
	return startApp(t, func(w http.ResponseWriter, r *http.Request) {
		claims, err := apps.VerifyJWTHeader(r.Header, secret, time.Now())
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
			http.Error(w, "want a JSON POST", http.StatusBadRequest)
			return
		}
		creq, err := apps.ReadCallRequest(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		writeJSON(w, fmt.Sprintf(`{"text":"%s %s as %s"}`, r.URL.Path, creq.Path, claims.ActingUserID))
	})
}

func TestJWT(t *testing.T) {
	srv := jwtApp(t, appSecret)
	up := newUpstream(t, uphttp.Options{})
	ctx := context.Background()

	t.Run("right secret", func(t *testing.T) {
		resp, err := upstream.Call(ctx, up, httpApp("x", srv.URL+"/root", true, appSecret), callRequest("/hello", "user1"))
		if err != nil {
			t.Fatal(err)
		}
		if resp.Type != apps.CallResponseTypeOK || resp.Text != "/root/hello /hello as user1" {
			t.Fatalf("got %+v", resp)
		}
	})

	t.Run("wrong secret", func(t *testing.T) {
		_, err := upstream.Call(ctx, up, httpApp("x", srv.URL, true, "another-secret"), callRequest("/hello", "user1"))
		if err == nil {
			t.Fatal("expected an error")
		}
		for _, want := range []string{`app "x"`, "status 401", "signature is invalid"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not contain %q", err, want)
			}
		}
	})

	t.Run("use_jwt false sends none", func(t *testing.T) {
		got := make(chan string, 1)
		plain := startApp(t, func(w http.ResponseWriter, r *http.Request) {
			got <- r.Header.Get(apps.OutgoingAuthHeader)
			writeJSON(w, `{}`)
		})
		if _, err := upstream.Call(ctx, up, httpApp("x", plain.URL, false, appSecret), callRequest("/hello", "user1")); err != nil {
			t.Fatal(err)
		}
		if h := <-got; h != "" {
			t.Fatalf("unexpected %s: %q", apps.OutgoingAuthHeader, h)
		}
	})

	t.Run("use_jwt without a secret sends none", func(t *testing.T) {
		_, err := upstream.Call(ctx, up, httpApp("x", srv.URL, true, ""), callRequest("/hello", "user1"))
		if err == nil || !strings.Contains(err.Error(), "missing "+apps.OutgoingAuthHeader) {
			t.Fatalf("want the app's 401 for a missing header, got %v", err)
		}
	})
}

func TestAsync(t *testing.T) {
	claims := make(chan *apps.JWTClaims, 1)
	release := make(chan struct{})
	srv := startApp(t, func(w http.ResponseWriter, r *http.Request) {
		c, err := apps.VerifyJWTHeader(r.Header, appSecret, time.Now())
		if err != nil {
			t.Errorf("async call: %v", err)
		}
		<-release // the app answers only after Roundtrip returned
		claims <- c
		writeJSON(w, `{}`)
	})
	up := newUpstream(t, uphttp.Options{})
	app := httpApp("x", srv.URL, true, appSecret)

	returned := make(chan error, 1)
	go func() {
		body, err := up.Roundtrip(context.Background(), app, callRequest("/notify", ""), true)
		if body != nil {
			err = errors.New("async Roundtrip returned a body")
		}
		returned <- err
	}()
	select {
	case err := <-returned:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("async Roundtrip waited for the app")
	}
	close(release)
	select {
	case c := <-claims:
		if c == nil || c.ActingUserID != "bot-user-id" {
			t.Fatalf("async JWT claims %+v, want the bot user as acting user", c)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the async call did not arrive")
	}

	// A canceled caller context does not cancel an async call.
	ctx, cancel := context.WithCancel(context.Background())
	if _, err := up.Roundtrip(ctx, app, callRequest("/notify", "u2"), true); err != nil {
		t.Fatal(err)
	}
	cancel()
	select {
	case c := <-claims:
		if c == nil || c.ActingUserID != "u2" {
			t.Fatalf("claims %+v, want acting user u2", c)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the async call did not arrive")
	}
}

func TestAsyncLimitAndClose(t *testing.T) {
	release := make(chan struct{})
	srv := startApp(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	up := uphttp.New(uphttp.Options{Policy: allowLoopback, MaxPendingAsync: 2})
	app := httpApp("x", srv.URL, false, "")
	for i := 0; i < 2; i++ {
		if _, err := up.Roundtrip(context.Background(), app, callRequest("/notify", "u"), true); err != nil {
			t.Fatal(err)
		}
	}
	_, err := up.Roundtrip(context.Background(), app, callRequest("/notify", "u"), true)
	if err == nil || !strings.Contains(err.Error(), "too many async calls in flight (2)") {
		t.Fatalf("third async call: got %v", err)
	}
	// Close cancels the pending async calls and waits for them.
	done := make(chan struct{})
	go func() { up.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not cancel the pending async calls")
	}
}

func TestStatusErrors(t *testing.T) {
	srv := startApp(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/missing", "/static/missing.png":
			http.NotFound(w, r)
		case "/fail":
			http.Error(w, "database is down", http.StatusInternalServerError)
		case "/badjson":
			writeJSON(w, `{"type":`)
		case "/v0":
			writeJSON(w, `{"markdown":"old style"}`)
		default:
			writeJSON(w, `{"type":"form","form":{"title":"T"}}`)
		}
	})
	up := newUpstream(t, uphttp.Options{})
	app := httpApp("x", srv.URL, false, "")
	ctx := context.Background()

	_, err := upstream.Call(ctx, up, app, callRequest("/missing", "u"))
	if !errors.Is(err, upstream.ErrNotFound) || !strings.Contains(err.Error(), `app "x"`) {
		t.Errorf("404: got %v, want ErrNotFound naming the app", err)
	}
	_, err = upstream.Call(ctx, up, app, callRequest("/fail", "u"))
	if err == nil || errors.Is(err, upstream.ErrNotFound) ||
		!strings.Contains(err.Error(), `app "x"`) || !strings.Contains(err.Error(), "status 500: database is down") {
		t.Errorf("500: got %v", err)
	}
	_, err = upstream.Call(ctx, up, app, callRequest("/badjson", "u"))
	if err == nil || !strings.Contains(err.Error(), "decode call response") {
		t.Errorf("bad JSON: got %v", err)
	}
	resp, err := upstream.Call(ctx, up, app, callRequest("/v0", "u"))
	if err != nil || resp.Type != apps.CallResponseTypeOK || resp.Text != "old style" {
		t.Errorf("v0 response: got %+v, %v", resp, err)
	}
	resp, err = upstream.Call(ctx, up, app, callRequest("/form", "u"))
	if err != nil || resp.Type != apps.CallResponseTypeForm || resp.Form == nil || resp.Form.Title != "T" {
		t.Errorf("form response: got %+v, %v", resp, err)
	}
}

func TestStatic(t *testing.T) {
	srv := startApp(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			http.Error(w, "GET only", http.StatusMethodNotAllowed)
			return
		}
		switch r.URL.Path {
		case "/app/static/icon.png":
			w.Header().Set("Content-Type", "image/png")
			_, _ = w.Write([]byte("PNG"))
		case "/app/static/img/a b.svg":
			w.Header()["Content-Type"] = nil
			_, _ = w.Write([]byte("<svg/>"))
		default:
			http.NotFound(w, r)
		}
	})
	up := newUpstream(t, uphttp.Options{})
	app := httpApp("x", srv.URL+"/app/", false, "")
	ctx := context.Background()

	for _, tc := range []struct{ name, ctype, body string }{
		{"icon.png", "image/png", "PNG"},
		{"img/a b.svg", "image/svg+xml", "<svg/>"},
	} {
		body, ctype, err := up.GetStatic(ctx, app, tc.name)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		data, err := io.ReadAll(body)
		_ = body.Close()
		if err != nil || string(data) != tc.body || ctype != tc.ctype {
			t.Errorf("%s: got %q %q %v, want %q %q", tc.name, data, ctype, err, tc.body, tc.ctype)
		}
	}
	if _, _, err := up.GetStatic(ctx, app, "missing.png"); !errors.Is(err, upstream.ErrNotFound) {
		t.Errorf("missing asset: got %v, want ErrNotFound", err)
	}
}

func TestTimeout(t *testing.T) {
	srv := startApp(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // so the server notices the client leaving
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
		writeJSON(w, `{}`)
	})
	up := newUpstream(t, uphttp.Options{Timeout: 200 * time.Millisecond})
	start := time.Now()
	_, err := upstream.Call(context.Background(), up, httpApp("slow-app", srv.URL, false, ""), callRequest("/slow", "u"))
	if err == nil {
		t.Fatal("expected a timeout")
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("timeout took %s", d)
	}
	for _, want := range []string{`app "slow-app"`, "no response within 200ms"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}

	// The caller's context is honored too.
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err = upstream.Call(ctx, newUpstream(t, uphttp.Options{}), httpApp("slow-app", srv.URL, false, ""), callRequest("/slow", "u"))
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), `app "slow-app"`) {
		t.Errorf("context deadline: got %v", err)
	}
}

func TestResponseTooLarge(t *testing.T) {
	big := strings.Repeat("x", 4096)
	srv := startApp(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/chunked" {
			w.WriteHeader(http.StatusOK)
			for i := 0; i < 4; i++ {
				_, _ = w.Write([]byte(big))
				w.(http.Flusher).Flush()
			}
			return
		}
		writeJSON(w, `{"text":"`+big+`"}`)
	})
	up := newUpstream(t, uphttp.Options{MaxResponseSize: 1024})
	for _, p := range []string{"/length", "/chunked"} {
		_, err := upstream.Call(context.Background(), up, httpApp("big-app", srv.URL, false, ""), callRequest(p, "u"))
		if !errors.Is(err, apps.ErrTooLarge) {
			t.Fatalf("%s: got %v, want ErrTooLarge", p, err)
		}
		for _, want := range []string{`app "big-app"`, "larger than the limit of 1 KiB"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s: error %q does not contain %q", p, err, want)
			}
		}
	}
}

func TestTraversalRefused(t *testing.T) {
	srv := startApp(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, `{}`) })
	up := newUpstream(t, uphttp.Options{})
	app := httpApp("x", srv.URL+"/app", false, "")
	for _, p := range []string{
		"/../admin", "/a/../../admin", "/a/%2e%2e/admin", "/a/%2E%2E/admin", "/a/%252e%252e/admin",
		"/%2e%2e%2fadmin", "/a/%25252e%25252e%25252fadmin", `/a/..\admin`, "/a%00b",
	} {
		_, err := up.Roundtrip(context.Background(), app, callRequest(p, "u"), false)
		if err == nil || !errors.Is(err, apps.ErrInvalid) || !strings.Contains(err.Error(), `app "x"`) {
			t.Errorf("path %q: got %v, want an invalid-path error", p, err)
		}
	}
	if n := srv.requests.Load(); n != 0 {
		t.Fatalf("%d requests reached the app", n)
	}
}

func TestCallURL(t *testing.T) {
	for _, tc := range []struct{ root, path, want string }{
		{"http://h:8080", "/ping", "http://h:8080/ping"},
		{"http://h:8080/", "/ping", "http://h:8080/ping"},
		{"https://h/app", "/send/", "https://h/app/send"},
		{"https://h/app/", "send", "https://h/app/send"},
		{"https://h/app", "//x//y/./z", "https://h/app/x/y/z"},
		{"https://h/app", "/a%2Fb", "https://h/app/a/b"},
		{"https://h/app", "/a%20b", "https://h/app/a%20b"},
		{"https://h/app", "/a?x=1&y=2", "https://h/app/a?x=1&y=2"},
		{"https://h/app?k=v", "/a?x=1", "https://h/app/a?k=v&x=1"},
		{"https://h/app", "/a%253Fb", "https://h/app/a%3Fb"},
		{"https://u:p@h/app", "/a", "https://u:p@h/app/a"},
		{"https://h/app", "", "https://h/app"},
	} {
		u, err := uphttp.CallURL(tc.root, tc.path)
		if err != nil {
			t.Errorf("CallURL(%q, %q): %v", tc.root, tc.path, err)
			continue
		}
		if u.String() != tc.want {
			t.Errorf("CallURL(%q, %q) = %q, want %q", tc.root, tc.path, u, tc.want)
		}
	}
	for _, root := range []string{"", "h/app", "ftp://h", "http://", "http://h\x00"} {
		if _, err := uphttp.CallURL(root, "/a"); !errors.Is(err, apps.ErrInvalid) {
			t.Errorf("CallURL(%q): got %v, want invalid", root, err)
		}
	}
}

func TestRedirectDropsJWT(t *testing.T) {
	seen := make(chan string, 1)
	other := startApp(t, func(w http.ResponseWriter, r *http.Request) {
		seen <- r.Header.Get(apps.OutgoingAuthHeader)
		writeJSON(w, `{"text":"moved"}`)
	})
	srv := startApp(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/there", http.StatusTemporaryRedirect)
	})
	up := newUpstream(t, uphttp.Options{})
	resp, err := upstream.Call(context.Background(), up, httpApp("x", srv.URL, true, appSecret), callRequest("/here", "u"))
	if err != nil || resp.Text != "moved" {
		t.Fatalf("got %+v, %v", resp, err)
	}
	if h := <-seen; h != "" {
		t.Fatalf("the JWT was sent to another host: %q", h)
	}
}

func TestConnectionReuse(t *testing.T) {
	const calls = 2000
	srv := startApp(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		writeJSON(w, `{"type":"ok","text":"hi"}`)
	})
	app := httpApp("x", srv.URL, true, appSecret)
	ctx := context.Background()
	call := func(up *uphttp.Upstream) error {
		_, err := upstream.Call(ctx, up, app, callRequest("/hello", "u"))
		return err
	}

	t.Run("sequential", func(t *testing.T) {
		srv.conns.Store(0)
		up := newUpstream(t, uphttp.Options{})
		for i := 0; i < calls; i++ {
			if err := call(up); err != nil {
				t.Fatal(err)
			}
		}
		if n := srv.conns.Load(); n > 2 {
			t.Errorf("%d sequential calls opened %d connections, want ≤ 2", calls, n)
		}
		t.Logf("%d sequential calls: %d connections", calls, srv.conns.Load())
	})

	// concurrently makes calls from 8 goroutines and returns the number of
	// connections opened, once dials that lost a race have landed.
	concurrently := func(t *testing.T, up *uphttp.Upstream) int64 {
		srv.conns.Store(0)
		srv.requests.Store(0)
		var next atomic.Int64
		var wg sync.WaitGroup
		for g := 0; g < 8; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for next.Add(1) <= calls {
					if err := call(up); err != nil {
						t.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		if got := srv.requests.Load(); got != calls {
			t.Errorf("the app got %d requests, want %d", got, calls)
		}
		time.Sleep(100 * time.Millisecond)
		return srv.conns.Load()
	}

	t.Run("concurrency 8", func(t *testing.T) {
		up := newUpstream(t, uphttp.Options{})
		cold := concurrently(t, up)
		t.Logf("%d calls at concurrency 8 from a cold pool: %d connections", calls, cold)
		// Go's transport can open a few more connections than the
		// concurrency while the pool warms up (a request waiting for its
		// dial may get a connection another request just released; the
		// dialed connection then joins the pool). The pool bounds them.
		if cold > uphttp.DefaultMaxIdleConnsPerHost {
			t.Errorf("%d calls at concurrency 8 opened %d connections, want ≤ %d", calls, cold, uphttp.DefaultMaxIdleConnsPerHost)
		}
		if cold < 8 {
			t.Skipf("the pool holds only %d connections, fewer than the concurrency", cold)
		}
		// Once warm, no call waits for a dial: no new connection.
		if warm := concurrently(t, up); warm != 0 {
			t.Errorf("%d calls at concurrency 8 on a warm pool opened %d connections, want 0", calls, warm)
		}
	})

	t.Run("concurrency 8, MaxConnsPerHost 8", func(t *testing.T) {
		n := concurrently(t, newUpstream(t, uphttp.Options{MaxConnsPerHost: 8}))
		t.Logf("%d calls at concurrency 8: %d connections", calls, n)
		if n > 8 {
			t.Errorf("%d calls at concurrency 8 opened %d connections, want ≤ 8", calls, n)
		}
	})
}

func TestCallRequestBody(t *testing.T) {
	got := make(chan apps.CallRequest, 1)
	srv := startApp(t, func(w http.ResponseWriter, r *http.Request) {
		var creq apps.CallRequest
		if err := json.NewDecoder(r.Body).Decode(&creq); err != nil {
			t.Error(err)
		}
		got <- creq
		writeJSON(w, `{}`)
	})
	up := newUpstream(t, uphttp.Options{})
	creq := callRequest("/submit", "u")
	creq.Values = map[string]any{"name": "N"}
	creq.State = "s"
	if _, err := upstream.Call(context.Background(), up, httpApp("x", srv.URL, false, ""), creq); err != nil {
		t.Fatal(err)
	}
	c := <-got
	if c.Path != "/submit" || c.Values["name"] != "N" || c.State != "s" || c.Context.ActingUser.ID != "u" {
		t.Fatalf("app got %+v", c)
	}
}
