package mmhost

import (
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

// NewTest starts a Host for t, logging the server log to t, and closes it
// (stopping every plugin process) when the test ends.
func NewTest(t testing.TB, opts Options) *Host {
	t.Helper()
	// Plugin output arrives on go-plugin's goroutines, possibly after the
	// test has finished, when t.Logf would panic: stop logging at cleanup.
	var done atomic.Bool
	if opts.Logf == nil {
		opts.Logf = func(format string, args ...any) {
			if !done.Load() {
				t.Logf(format, args...)
			}
		}
	}
	h, err := Start(opts)
	if err != nil {
		t.Fatalf("start the test host: %v", err)
	}
	t.Cleanup(func() {
		err := h.Close()
		done.Store(true)
		if err != nil {
			t.Errorf("stop the test host: %v", err)
		}
	})
	return h
}

// Request sends an HTTP request to the host's front server, authenticated
// with token (a session or access token; "" for anonymous). path is relative
// to the site URL, e.g. /plugins/com.mattermost.apps/api/v1/ping.
func (h *Host) Request(token, method, path string, body io.Reader) (*http.Response, error) {
	req, err := http.NewRequest(method, h.URL+path, body)
	if err != nil {
		return nil, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return http.DefaultClient.Do(req)
}

// Fetch is Request that reads the whole body.
func (h *Host) Fetch(token, method, path, body string) (status int, header http.Header, respBody string, err error) {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	resp, err := h.Request(token, method, path, r)
	if err != nil {
		return 0, nil, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b), err
}
