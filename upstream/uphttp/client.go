package uphttp

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"

	"github.com/mattermost-community/apps-plugin/apps"
)

// newClient returns the one pooled client of an Upstream.
func newClient(opts Options) *http.Client {
	transport := &http.Transport{
		// No proxy: the policy checks the address actually connected to.
		Proxy:                 nil,
		DialContext:           policyDialer(opts),
		ForceAttemptHTTP2:     true,
		TLSHandshakeTimeout:   opts.TLSHandshakeTimeout,
		MaxIdleConns:          opts.MaxIdleConns,
		MaxIdleConnsPerHost:   opts.MaxIdleConnsPerHost,
		MaxConnsPerHost:       opts.MaxConnsPerHost,
		IdleConnTimeout:       DefaultIdleConnTimeout,
		ExpectContinueTimeout: time.Second,
	}
	return &http.Client{
		Transport:     transport,
		Timeout:       opts.Timeout,
		CheckRedirect: checkRedirect,
	}
}

// checkRedirect follows at most 10 redirects and drops the app JWT when a
// redirect leaves the app's host.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return http.ErrUseLastResponse
	}
	if req.URL.Host != via[0].URL.Host {
		req.Header.Del(apps.OutgoingAuthHeader)
	}
	return nil
}

// policyDialer returns a DialContext that applies opts.Policy to the
// address actually connected to (after DNS resolution), so that DNS
// rebinding cannot get around it. The policy is read for every dial.
func policyDialer(opts Options) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		d := net.Dialer{Timeout: opts.ConnectTimeout, KeepAlive: 30 * time.Second}
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		pol := opts.Policy()
		if !pol.DeveloperMode && !pol.allowsHost(host) {
			d.Control = func(_, address string, _ syscall.RawConn) error {
				ap, err := netip.ParseAddrPort(address)
				if err != nil {
					return err
				}
				if !pol.allowsAddr(ap.Addr()) {
					return &PolicyError{Host: host, Addr: ap.Addr().Unmap()}
				}
				return nil
			}
		}
		return d.DialContext(ctx, network, addr)
	}
}
