package uphttp_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/mattermost-community/apps-plugin/upstream"
	"github.com/mattermost-community/apps-plugin/upstream/uphttp"
)

func TestPolicy(t *testing.T) {
	srv := startApp(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, `{}`) })
	port := mustPort(t, srv.URL)
	var policy atomic.Pointer[uphttp.Policy]
	policy.Store(&uphttp.Policy{})
	up := newUpstream(t, uphttp.Options{Policy: func() uphttp.Policy { return *policy.Load() }})
	call := func(root string) error {
		_, err := upstream.Call(context.Background(), up, httpApp("x", root, false, ""), callRequest("/ping", "u"))
		return err
	}

	err := call(srv.URL)
	want := `app "x": connecting to 127.0.0.1 is not allowed: add the host to ServiceSettings.AllowedUntrustedInternalConnections (or enable developer mode)`
	if err == nil || err.Error() != want {
		t.Fatalf("got %v\nwant %s", err, want)
	}
	if !errors.Is(err, uphttp.ErrNotAllowed) {
		t.Errorf("%v does not match ErrNotAllowed", err)
	}
	if n := srv.requests.Load(); n != 0 {
		t.Fatalf("%d requests reached the app", n)
	}

	for _, allow := range []uphttp.Policy{
		{AllowInternal: uphttp.ParseAllowList("10.0.0.1, 127.0.0.1")},
		{AllowInternal: uphttp.ParseAllowList("example.com 127.0.0.0/8")},
		{AllowInternal: []string{"::ffff:127.0.0.1"}},
		{DeveloperMode: true},
	} {
		policy.Store(&allow)
		up.CloseIdleConnections()
		if err := call(srv.URL); err != nil {
			t.Errorf("policy %+v: %v", allow, err)
		}
	}

	// Allowed by host name: the name as written in root_url is listed.
	policy.Store(&uphttp.Policy{AllowInternal: []string{"LocalHost"}})
	up.CloseIdleConnections()
	if err := call("http://localhost:" + port); err != nil {
		t.Errorf("localhost allowed by name: %v", err)
	}
	// A name resolving to a loopback address is checked by address.
	policy.Store(&uphttp.Policy{AllowInternal: []string{"example.com"}})
	up.CloseIdleConnections()
	err = call("http://localhost:" + port)
	if !errors.Is(err, uphttp.ErrNotAllowed) || !strings.Contains(err.Error(), "connecting to localhost (") {
		t.Errorf("localhost not listed: got %v", err)
	}

	// The policy is read for every connection: tightening it applies to new
	// connections.
	policy.Store(&uphttp.Policy{})
	up.CloseIdleConnections()
	if err := call(srv.URL); !errors.Is(err, uphttp.ErrNotAllowed) {
		t.Errorf("after tightening the policy: got %v", err)
	}
}

func mustPort(t *testing.T, rawURL string) string {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Port()
}

func TestParseAllowList(t *testing.T) {
	got := uphttp.ParseAllowList(" 127.0.0.1,10.0.0.0/8  example.com,,\tlocalhost\n")
	want := []string{"127.0.0.1", "10.0.0.0/8", "example.com", "localhost"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestPolicyAddresses(t *testing.T) {
	deny := uphttp.Policy{}
	for _, a := range []string{
		"127.0.0.1", "127.1.2.3", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1",
		"169.254.169.254", "0.0.0.0", "100.64.0.1", "224.0.0.1", "255.255.255.255",
		"::1", "::", "fe80::1", "fc00::1", "fd12::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "ff02::1",
	} {
		if deny.AllowsAddr(a) {
			t.Errorf("%s is allowed by the default policy", a)
		}
	}
	for _, a := range []string{"8.8.8.8", "1.1.1.1", "172.32.0.1", "2606:4700::1111"} {
		if !deny.AllowsAddr(a) {
			t.Errorf("%s is refused by the default policy", a)
		}
	}
	allow := uphttp.Policy{AllowInternal: []string{"10.0.0.0/8", "::1", "[fe80::1]", "bad/cidr", "192.168.1.7"}}
	for a, want := range map[string]bool{
		"10.9.9.9": true, "::1": true, "fe80::1": true, "192.168.1.7": true, "::ffff:10.0.0.1": true,
		"192.168.1.8": false, "127.0.0.1": false, "fe80::2": false,
	} {
		if got := allow.AllowsAddr(a); got != want {
			t.Errorf("AllowsAddr(%s) = %v, want %v", a, got, want)
		}
	}
}
