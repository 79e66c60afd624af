package provision

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/mattermost-community/apps-plugin/apps/bundle"
)

// Bundle is an opened bundle and where it came from. Close it when done.
type Bundle struct {
	*bundle.Bundle
	// Location is what was opened: a path, s3://bucket/key or https:// URL.
	Location string
	// Size is the bundle's size in bytes.
	Size int64

	cleanup func() error
}

// Close closes the bundle and removes its downloaded copy, if any.
func (b *Bundle) Close() error {
	if b == nil {
		return nil
	}
	err := b.Bundle.Close()
	if b.cleanup != nil {
		if cerr := b.cleanup(); err == nil {
			err = cerr
		}
		b.cleanup = nil
	}
	return err
}

// HTTPDoer sends an HTTP request (*http.Client and the AWS SDK's buildable
// client both are).
type HTTPDoer interface {
	Do(*http.Request) (*http.Response, error)
}

// OpenOptions configures OpenBundle.
type OpenOptions struct {
	// S3 downloads s3:// bundles; required for them.
	S3 *s3.Client
	// HTTP downloads https:// bundles; default: the SDK's buildable client
	// with a 10-minute timeout.
	HTTP HTTPDoer
	// Limits bound the bundle; zero fields are the defaults. A download
	// larger than MaxTotalSize is refused.
	Limits bundle.Limits
	// TempDir holds downloads; default os.TempDir().
	TempDir string
}

// MaxDownloadSize is the largest bundle downloaded for limits l: its total
// uncompressed limit plus room for the zip structure.
func maxDownloadSize(l bundle.Limits) int64 {
	total := l.MaxTotalSize
	if total <= 0 {
		total = bundle.MaxTotalSize
	}
	return total + 1<<20
}

// OpenBundle opens and checks a bundle: a local path, s3://bucket/key or an
// https:// URL. Bad bundles fail with a KindBundle error; failed downloads
// with KindAWS.
func OpenBundle(ctx context.Context, location string, opts OpenOptions) (*Bundle, error) {
	switch {
	case strings.HasPrefix(location, "s3://"):
		bucket, key, ok := strings.Cut(strings.TrimPrefix(location, "s3://"), "/")
		if !ok || bucket == "" || key == "" {
			return nil, UsageError("bundle %q: an S3 location is s3://<bucket>/<key>", location)
		}
		if opts.S3 == nil {
			return nil, UsageError("bundle %q: no S3 client to download it", location)
		}
		return openDownload(location, opts, func(w io.Writer, limit int64) (int64, error) {
			return downloadS3(ctx, opts.S3, bucket, key, w, limit)
		})
	case strings.HasPrefix(location, "https://"), strings.HasPrefix(location, "http://"):
		u, err := url.Parse(location)
		if err != nil || u.Host == "" {
			return nil, UsageError("bundle %q is not a valid URL", location)
		}
		if u.Scheme != "https" && !isLoopback(u.Hostname()) {
			return nil, UsageError("bundle %q: download bundles over https:// (http:// only for localhost)", location)
		}
		client := opts.HTTP
		if client == nil {
			client = HTTPClient().WithTimeout(10 * time.Minute)
		}
		return openDownload(location, opts, func(w io.Writer, limit int64) (int64, error) {
			return downloadHTTP(ctx, client, location, w, limit)
		})
	case strings.Contains(location, "://"):
		return nil, UsageError("bundle %q: use a local path, s3://bucket/key or an https:// URL", location)
	}
	st, err := os.Stat(location)
	if err != nil {
		return nil, BundleError("bundle %q: %w", location, err)
	}
	b, err := bundle.OpenWithLimits(location, opts.Limits)
	if err != nil {
		return nil, BundleError("bundle %s: %w", location, err)
	}
	return &Bundle{Bundle: b, Location: location, Size: st.Size()}, nil
}

func isLoopback(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}

// openDownload downloads into a temporary file (removed by Close, or at
// once on failure) and opens it.
func openDownload(location string, opts OpenOptions, download func(io.Writer, int64) (int64, error)) (*Bundle, error) {
	f, err := os.CreateTemp(opts.TempDir, "appsctl-bundle-*.zip")
	if err != nil {
		return nil, fmt.Errorf("bundle %s: create temporary file: %w", location, err)
	}
	cleanup := func() error {
		err := f.Close()
		if rerr := os.Remove(f.Name()); err == nil && !errors.Is(rerr, os.ErrNotExist) {
			err = rerr
		}
		return err
	}
	n, err := download(f, maxDownloadSize(opts.Limits))
	if err != nil {
		_ = cleanup()
		return nil, err
	}
	b, err := bundle.NewWithLimits(f, n, opts.Limits)
	if err != nil {
		_ = cleanup()
		return nil, BundleError("bundle %s: %w", location, err)
	}
	return &Bundle{Bundle: b, Location: location, Size: n, cleanup: cleanup}, nil
}

// copyLimited copies at most limit bytes, failing (KindBundle) beyond.
func copyLimited(location string, w io.Writer, r io.Reader, limit int64) (int64, error) {
	n, err := io.Copy(w, io.LimitReader(r, limit+1))
	if err != nil {
		return n, awsError(err, "download bundle %s", location)
	}
	if n > limit {
		return n, BundleError("bundle %s is larger than %d bytes (the bundle size limit)", location, limit)
	}
	return n, nil
}

func downloadS3(ctx context.Context, c *s3.Client, bucket, key string, w io.Writer, limit int64) (int64, error) {
	location := "s3://" + bucket + "/" + key
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		if isNotFound(err) {
			return 0, BundleError("bundle %s: no such object (or bucket): %w", location, err)
		}
		return 0, awsError(err, "download bundle %s", location)
	}
	defer out.Body.Close()
	if out.ContentLength != nil && *out.ContentLength > limit {
		return 0, BundleError("bundle %s is %d bytes, over the %d-byte limit", location, *out.ContentLength, limit)
	}
	return copyLimited(location, w, out.Body, limit)
}

func downloadHTTP(ctx context.Context, c HTTPDoer, location string, w io.Writer, limit int64) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, location, nil)
	if err != nil {
		return 0, UsageError("bundle %s: %w", location, err)
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, awsError(err, "download bundle %s", location)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		err := fmt.Errorf("download bundle %s: HTTP %s", location, resp.Status)
		if resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone {
			return 0, &Error{Kind: KindBundle, Err: err}
		}
		return 0, &Error{Kind: KindAWS, Err: err}
	}
	if resp.ContentLength > limit {
		return 0, BundleError("bundle %s is %d bytes, over the %d-byte limit", location, resp.ContentLength, limit)
	}
	return copyLimited(location, w, resp.Body, limit)
}
