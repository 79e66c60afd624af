// Package upstream is the transport layer of the apps plugin: it delivers
// calls to apps and fetches their static assets, whatever their deployment.
// Each deploy type has its own Upstream in a sub-package (uphttp, upaws).
package upstream

import (
	"context"
	"errors"
	"io"

	"github.com/mattermost-community/apps-plugin/apps"
)

// Size limits for what apps send back.
const (
	// MaxResponseSize is the largest call response read from an app (10 MiB).
	MaxResponseSize = 10 << 20

	// MaxStaticSize is the largest static asset served for an app (50 MiB,
	// the bundle format's documented file limit).
	MaxStaticSize = 50 << 20

	// MaxErrorText is how much of an app's error body is quoted in errors.
	MaxErrorText = 4 << 10
)

// ErrNotFound is wrapped by upstreams when the app answers 404, or its
// function or object does not exist. Test with errors.Is.
var ErrNotFound = errors.New("not found")

// Upstream delivers calls to one kind of app deployment.
type Upstream interface {
	// Roundtrip sends creq to the app and returns the app's raw response
	// body (a CallResponse JSON). The caller must close it.
	//
	// async: fire and forget (Lambda "Event" invocation; HTTP: sent in the
	// background with its own timeout); returns (nil, nil) at once.
	Roundtrip(ctx context.Context, app apps.App, creq apps.CallRequest, async bool) (io.ReadCloser, error)

	// GetStatic fetches a static asset of the app (name is one
	// already-cleaned path segment). The caller must close body.
	GetStatic(ctx context.Context, app apps.App, name string) (body io.ReadCloser, contentType string, err error)
}
