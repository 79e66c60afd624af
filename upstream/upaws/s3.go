package upaws

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/upstream"
)

// IsNotFound reports whether err means that something does not exist (an
// S3 object or bucket, a Lambda function, a 404 from the app): a permanent
// condition. Other errors (unreachable endpoint, denied access, throttling)
// may be worth retrying.
func IsNotFound(err error) bool { return errors.Is(err, upstream.ErrNotFound) }

// GetManifest returns the manifest of an app version stored in S3 at
// apps.ManifestS3Key, at most apps.MaxManifestSize bytes. A missing object
// matches upstream.ErrNotFound (see IsNotFound).
func (c *Clients) GetManifest(ctx context.Context, appID apps.AppID, version apps.AppVersion) ([]byte, error) {
	key := apps.ManifestS3Key(appID, version)
	out, err := c.getObject(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("app %q version %q: manifest: %w", appID, version, err)
	}
	defer out.Body.Close()
	what := "manifest s3://" + c.Config.Bucket + "/" + key
	if out.ContentLength != nil && *out.ContentLength > apps.MaxManifestSize {
		return nil, upstream.TooLargeError(appID, what, apps.MaxManifestSize)
	}
	data, err := upstream.ReadAll(out.Body, apps.MaxManifestSize, appID, what)
	if err != nil {
		if errors.Is(err, apps.ErrTooLarge) {
			return nil, err
		}
		return nil, fmt.Errorf("app %q: read %s: %w", appID, what, err)
	}
	return data, nil
}

// getObject gets an object of the bucket, mapping "no such key/bucket" to
// upstream.ErrNotFound.
func (c *Clients) getObject(ctx context.Context, key string) (*s3.GetObjectOutput, error) {
	bucket := c.Config.Bucket
	out, err := c.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	if err == nil {
		return out, nil
	}
	var (
		noKey    *s3types.NoSuchKey
		noBucket *s3types.NoSuchBucket
		notFound *s3types.NotFound
		resp     *awshttp.ResponseError
	)
	switch {
	case errors.As(err, &noBucket):
		return nil, fmt.Errorf("S3 bucket %q does not exist (%s): %w", bucket, EnvBucket, upstream.ErrNotFound)
	case errors.As(err, &noKey), errors.As(err, &notFound),
		errors.As(err, &resp) && resp.HTTPStatusCode() == http.StatusNotFound:
		return nil, fmt.Errorf("no object %q in S3 bucket %q: %w", key, bucket, upstream.ErrNotFound)
	}
	return nil, fmt.Errorf("S3 bucket %q, object %q: %w", bucket, key, err)
}

// getStatic returns a static asset of an app from S3.
func (c *Clients) getStatic(ctx context.Context, app apps.App, name string) (io.ReadCloser, string, error) {
	key := apps.StaticS3Key(app.AppID, app.Version, name)
	out, err := c.getObject(ctx, key)
	if err != nil {
		return nil, "", fmt.Errorf("app %q: static asset %q: %w", app.AppID, name, err)
	}
	what := "static asset " + name
	if out.ContentLength != nil && *out.ContentLength > upstream.MaxStaticSize {
		_ = out.Body.Close()
		return nil, "", upstream.TooLargeError(app.AppID, what, upstream.MaxStaticSize)
	}
	return upstream.LimitBody(out.Body, upstream.MaxStaticSize, app.AppID, what), contentType(out.ContentType, name), nil
}
