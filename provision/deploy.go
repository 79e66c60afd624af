package provision

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/mattermost-community/apps-plugin/apps/bundle"
)

// DefaultEnvironment is the deployer's default environment name.
const DefaultEnvironment = "production"

// DeployedTagPrefix + environment is the tag set (to "true") on a bundle
// once it is deployed to that environment.
const DeployedTagPrefix = "deployed_"

// Bundle statuses in a WatchReport.
const (
	BundleDeployed = "deployed"
	BundleSkipped  = "skipped"
	BundleFailed   = "failed"
)

// Deployer is the Cloud deployer: it provisions every bundle of a bucket
// not yet deployed to its environment, and tags each deployed one.
type Deployer struct {
	// Clients reach AWS; the bundle bucket is read with Clients.S3.
	Clients *Clients
	// Options are the provisioning options. Update is always on: a bundle
	// is the desired state of its app version.
	Options Options
	// BundleBucket holds the bundles (*.zip).
	BundleBucket string
	// Environment names the deployment target; bundles tagged
	// deployed_<Environment>=true are skipped. Default DefaultEnvironment.
	Environment string
	// Limits bound each bundle.
	Limits bundle.Limits
	// PageSize is the listing page size (0: S3's default, 1000).
	PageSize int32
	// TempDir holds downloads; default os.TempDir().
	TempDir string
	// OnBundle, if set, is called when a bundle starts (res.Status "") and
	// when it is done.
	OnBundle func(res BundleResult)
}

// BundleResult is what happened to one bundle.
type BundleResult struct {
	Key        string  `json:"key"`
	Status     string  `json:"status"`
	AppID      string  `json:"app_id,omitempty"`
	Version    string  `json:"version,omitempty"`
	Changed    bool    `json:"changed"`
	Error      string  `json:"error,omitempty"`
	ExitCode   int     `json:"exit_code,omitempty"`
	DurationMS int64   `json:"duration_ms"`
	Report     *Report `json:"report,omitempty"`
}

// WatchReport is the outcome of one pass over the bundle bucket.
type WatchReport struct {
	Bucket      string         `json:"bucket"`
	Environment string         `json:"environment"`
	Bundles     []BundleResult `json:"bundles"`
	Deployed    int            `json:"deployed"`
	Skipped     int            `json:"skipped"`
	Failed      int            `json:"failed"`
	DurationMS  int64          `json:"duration_ms"`
}

// Err summarizes the failed bundles (nil if none). Its kind is KindAWS if
// any failure was, else KindBundle.
func (r *WatchReport) Err() error {
	if r.Failed == 0 {
		return nil
	}
	kind := KindBundle
	var keys []string
	for _, b := range r.Bundles {
		if b.Status == BundleFailed {
			keys = append(keys, b.Key)
			if b.ExitCode == KindAWS.ExitCode() {
				kind = KindAWS
			}
		}
	}
	return &Error{Kind: kind, Err: fmt.Errorf("%d of %d bundles failed: %s", r.Failed, len(r.Bundles), strings.Join(keys, ", "))}
}

func (d *Deployer) env() string {
	if d.Environment == "" {
		return DefaultEnvironment
	}
	return d.Environment
}

// TagKey is the tag marking bundles deployed to the environment.
func (d *Deployer) TagKey() string { return DeployedTagPrefix + d.env() }

func (d *Deployer) check() error {
	if d.Clients == nil {
		return UsageError("deployer: no AWS clients")
	}
	if d.BundleBucket == "" {
		return UsageError("no bundle bucket: pass --bundle-bucket")
	}
	env := d.env()
	for i := 0; i < len(env); i++ {
		c := env[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return UsageError("environment %q: use letters, digits, '-', '_' and '.'", env)
		}
	}
	if len(DeployedTagPrefix+env) > 128 {
		return UsageError("environment %q is too long for an S3 tag key", env)
	}
	return nil
}

// RunOnce lists every *.zip in the bundle bucket (all pages) and deploys
// each one not tagged deployed_<env>=true, in key order, then tags it. A
// failed bundle is reported, left untagged (it is retried next time), and
// the others still run. The error is for failures of the pass itself
// (listing the bucket, bad options); see WatchReport.Err for the bundles.
func (d *Deployer) RunOnce(ctx context.Context) (*WatchReport, error) {
	start := time.Now()
	rep := &WatchReport{Bucket: d.BundleBucket, Environment: d.env(), Bundles: []BundleResult{}}
	if err := d.check(); err != nil {
		return rep, err
	}
	opts := d.Options
	opts.Update = true
	prov, err := New(d.Clients, opts)
	if err != nil {
		return rep, err
	}

	keys, err := d.listBundles(ctx)
	if err != nil {
		return rep, err
	}
	for _, key := range keys {
		if ctx.Err() != nil {
			return rep, awsError(ctx.Err(), "deploy interrupted")
		}
		res := d.deployOne(ctx, prov, key)
		rep.Bundles = append(rep.Bundles, res)
		switch res.Status {
		case BundleDeployed:
			rep.Deployed++
		case BundleSkipped:
			rep.Skipped++
		case BundleFailed:
			rep.Failed++
		}
		if d.OnBundle != nil {
			d.OnBundle(res)
		}
	}
	rep.DurationMS = ms(time.Since(start))
	return rep, nil
}

func (d *Deployer) listBundles(ctx context.Context) ([]string, error) {
	in := &s3.ListObjectsV2Input{Bucket: aws.String(d.BundleBucket)}
	if d.PageSize > 0 {
		in.MaxKeys = aws.Int32(d.PageSize)
	}
	var keys []string
	pg := s3.NewListObjectsV2Paginator(d.Clients.S3, in)
	for pg.HasMorePages() {
		page, err := pg.NextPage(ctx)
		if err != nil {
			if isNotFound(err) {
				return nil, &Error{Kind: KindAWS, Err: fmt.Errorf("bundle bucket %q does not exist (check --bundle-bucket and the region)", d.BundleBucket)}
			}
			return nil, awsError(err, "list bundle bucket %q", d.BundleBucket)
		}
		for _, o := range page.Contents {
			k := aws.ToString(o.Key)
			if strings.HasSuffix(strings.ToLower(k), ".zip") && !strings.HasSuffix(k, "/") {
				keys = append(keys, k)
			}
		}
	}
	return keys, nil
}

func (d *Deployer) deployOne(ctx context.Context, prov *Provisioner, key string) (res BundleResult) {
	start := time.Now()
	res = BundleResult{Key: key}
	defer func() { res.DurationMS = ms(time.Since(start)) }()
	fail := func(err error) BundleResult {
		res.Status = BundleFailed
		res.Error = err.Error()
		res.ExitCode = ExitCode(err)
		return res
	}

	tags, err := d.getTags(ctx, key)
	if err != nil {
		return fail(err)
	}
	for _, t := range tags {
		if aws.ToString(t.Key) == d.TagKey() && strings.EqualFold(aws.ToString(t.Value), "true") {
			res.Status = BundleSkipped
			return res
		}
	}
	if d.OnBundle != nil {
		d.OnBundle(res)
	}

	b, err := OpenBundle(ctx, "s3://"+d.BundleBucket+"/"+key, OpenOptions{S3: d.Clients.S3, Limits: d.Limits, TempDir: d.TempDir})
	if err != nil {
		return fail(err)
	}
	defer b.Close()
	res.AppID, res.Version = string(b.Manifest.AppID), string(b.Manifest.Version)
	rep, err := prov.Provision(ctx, b.Bundle, false)
	res.Report = rep
	if err != nil {
		return fail(err)
	}
	res.Changed = rep.Changed
	if err := d.tag(ctx, key, tags); err != nil {
		return fail(err)
	}
	res.Status = BundleDeployed
	return res
}

func (d *Deployer) getTags(ctx context.Context, key string) ([]s3types.Tag, error) {
	out, err := d.Clients.S3.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String(d.BundleBucket), Key: aws.String(key)})
	if err != nil {
		if errorCode(err) == "NoSuchTagSet" {
			return nil, nil
		}
		return nil, awsError(err, "read the tags of s3://%s/%s", d.BundleBucket, key)
	}
	return out.TagSet, nil
}

// tag adds deployed_<env>=true to the bundle's tags.
func (d *Deployer) tag(ctx context.Context, key string, tags []s3types.Tag) error {
	out := make([]s3types.Tag, 0, len(tags)+1)
	for _, t := range tags {
		if aws.ToString(t.Key) != d.TagKey() {
			out = append(out, t)
		}
	}
	out = append(out, s3types.Tag{Key: aws.String(d.TagKey()), Value: aws.String("true")})
	_, err := d.Clients.S3.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{
		Bucket:  aws.String(d.BundleBucket),
		Key:     aws.String(key),
		Tagging: &s3types.Tagging{TagSet: out},
	})
	return awsError(err, "tag s3://%s/%s %s=true", d.BundleBucket, key, d.TagKey())
}

// Watch runs RunOnce now and then every interval until ctx is done; after
// each pass it calls onPass. Failed passes and bundles do not stop it.
func (d *Deployer) Watch(ctx context.Context, interval time.Duration, onPass func(*WatchReport, error)) error {
	if interval <= 0 {
		return UsageError("the watch interval must be positive")
	}
	if err := d.check(); err != nil {
		return err
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		rep, err := d.RunOnce(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if onPass != nil {
			onPass(rep, err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
