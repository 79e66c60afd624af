package upstream

import (
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/mattermost-community/apps-plugin/apps"
)

// LimitBody wraps rc so that reading more than limit bytes fails with an
// error (matching apps.ErrTooLarge) that names the app and what is read.
func LimitBody(rc io.ReadCloser, limit int64, appID apps.AppID, what string) io.ReadCloser {
	return &limitedBody{rc: rc, r: io.LimitReader(rc, limit+1), limit: limit, appID: appID, what: what}
}

type limitedBody struct {
	rc    io.ReadCloser
	r     io.Reader
	n     int64
	limit int64
	appID apps.AppID
	what  string
}

func (b *limitedBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.n += int64(n)
	if b.n > b.limit {
		keep := n - int(b.n-b.limit)
		return max(keep, 0), TooLargeError(b.appID, b.what, b.limit)
	}
	return n, err
}

func (b *limitedBody) Close() error { return b.rc.Close() }

// TooLargeError reports that what, sent by app appID, exceeds limit bytes.
// It matches apps.ErrTooLarge.
func TooLargeError(appID apps.AppID, what string, limit int64) error {
	return apps.NewTooLargeError("app %q: %s is larger than the limit of %s", string(appID), what, FormatSize(limit))
}

// ReadAll reads r to the end, failing with TooLargeError past limit bytes.
func ReadAll(r io.Reader, limit int64, appID apps.AppID, what string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if int64(len(data)) > limit {
		return nil, TooLargeError(appID, what, limit)
	}
	if err != nil {
		return nil, err
	}
	return data, nil
}

// Excerpt returns at most MaxErrorText bytes of data as a string, cut at a
// UTF-8 boundary and marked when cut.
func Excerpt(data []byte) string {
	if len(data) <= MaxErrorText {
		return string(data)
	}
	cut := MaxErrorText
	for cut > 0 && !utf8.RuneStart(data[cut]) {
		cut--
	}
	return string(data[:cut]) + "…"
}

// FormatSize formats a byte count for messages ("10 MiB", "512 bytes").
func FormatSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}
