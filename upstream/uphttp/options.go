package uphttp

import (
	"log/slog"
	"time"

	"github.com/mattermost-community/apps-plugin/upstream"
)

// Defaults for Options fields left zero.
const (
	DefaultTimeout             = 30 * time.Second
	DefaultConnectTimeout      = 3 * time.Second
	DefaultTLSHandshakeTimeout = 3 * time.Second
	DefaultMaxIdleConnsPerHost = 32
	DefaultMaxIdleConns        = 256
	DefaultIdleConnTimeout     = 90 * time.Second
	DefaultMaxPendingAsync     = 1000
)

// Options configures an Upstream. The zero value is usable: production
// timeouts and limits, and a policy that refuses internal addresses.
type Options struct {
	// Timeout bounds a whole request, reading the response included;
	// default 30s. Async calls get the same timeout of their own.
	Timeout time.Duration
	// ConnectTimeout and TLSHandshakeTimeout default to 3s each.
	ConnectTimeout      time.Duration
	TLSHandshakeTimeout time.Duration
	// MaxIdleConnsPerHost bounds the keep-alive pool per app host
	// (default 32); MaxIdleConns bounds it overall (default 256).
	MaxIdleConnsPerHost int
	MaxIdleConns        int
	// MaxConnsPerHost, if positive, caps the connections (idle or in use) to
	// one app host; calls beyond it wait for a connection. Default 0: no cap.
	// (Without a cap, Go's transport may open a few more connections than
	// the peak concurrency while the pool warms up.)
	MaxConnsPerHost int
	// MaxResponseSize bounds call responses (default
	// upstream.MaxResponseSize); MaxStaticSize bounds static assets (default
	// upstream.MaxStaticSize).
	MaxResponseSize int64
	MaxStaticSize   int64
	// MaxPendingAsync bounds the async calls in flight; more are refused
	// (default 1000).
	MaxPendingAsync int

	// Policy returns the outgoing request policy. It is called for every new
	// connection, so configuration changes apply without a restart. nil
	// means the zero Policy: internal addresses are refused.
	Policy func() Policy

	// Now is the clock for JWTs; default time.Now.
	Now func() time.Time
	// Logger receives failures of async calls; nil discards them.
	Logger *slog.Logger
}

func (o *Options) setDefaults() {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = DefaultConnectTimeout
	}
	if o.TLSHandshakeTimeout <= 0 {
		o.TLSHandshakeTimeout = DefaultTLSHandshakeTimeout
	}
	if o.MaxIdleConnsPerHost <= 0 {
		o.MaxIdleConnsPerHost = DefaultMaxIdleConnsPerHost
	}
	if o.MaxIdleConns <= 0 {
		o.MaxIdleConns = DefaultMaxIdleConns
	}
	if o.MaxResponseSize <= 0 {
		o.MaxResponseSize = upstream.MaxResponseSize
	}
	if o.MaxStaticSize <= 0 {
		o.MaxStaticSize = upstream.MaxStaticSize
	}
	if o.MaxPendingAsync <= 0 {
		o.MaxPendingAsync = DefaultMaxPendingAsync
	}
	if o.Policy == nil {
		o.Policy = func() Policy { return Policy{} }
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}
