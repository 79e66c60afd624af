package uphttp_test

import (
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/upstream/uphttp"
)

// appServer is a real HTTP app on 127.0.0.1 that counts requests and new
// TCP connections.
type appServer struct {
	*httptest.Server
	requests atomic.Int64
	conns    atomic.Int64
}

func startApp(t testing.TB, h http.HandlerFunc) *appServer {
	t.Helper()
	s := &appServer{}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		h(w, r)
	}))
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.conns.Add(1)
		}
	}
	s.Start()
	t.Cleanup(s.Close)
	return s
}

func httpApp(id, rootURL string, useJWT bool, secret string) apps.App {
	return apps.App{
		Manifest: apps.Manifest{
			AppID:       apps.AppID(id),
			Version:     "v1.0.0",
			DisplayName: id,
			HomepageURL: "https://example.com",
			HTTP:        &apps.HTTP{RootURL: rootURL, UseJWT: useJWT},
		},
		DeployType: apps.DeployHTTP,
		Secret:     secret,
		BotUserID:  "bot-user-id",
	}
}

// allowLoopback is the policy of the REST API tests upstream:
// AllowedUntrustedInternalConnections = 127.0.0.1.
func allowLoopback() uphttp.Policy {
	return uphttp.Policy{AllowInternal: []string{"127.0.0.1"}}
}

func newUpstream(t testing.TB, opts uphttp.Options) *uphttp.Upstream {
	t.Helper()
	if opts.Policy == nil {
		opts.Policy = allowLoopback
	}
	u := uphttp.New(opts)
	t.Cleanup(u.Close)
	return u
}

func callRequest(path, actingUserID string) apps.CallRequest {
	creq := apps.CallRequest{Call: apps.Call{Path: path}}
	creq.Context.AppID = "x"
	if actingUserID != "" {
		creq.Context.ActingUser = &apps.User{ID: actingUserID, Username: "user"}
	}
	return creq
}

func writeJSON(w http.ResponseWriter, s string) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(s))
}
