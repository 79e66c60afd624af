package provision_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/apps/bundle"
	"github.com/mattermost-community/apps-plugin/provision"
	"github.com/mattermost-community/apps-plugin/provision/provisiontest"
)

const bundleBucket = "apps-bundles"

func putTagged(t *testing.T, env *provisiontest.Env, key string, data []byte, tagging string) {
	t.Helper()
	in := &s3.PutObjectInput{Bucket: aws.String(bundleBucket), Key: aws.String(key), Body: bytes.NewReader(data)}
	if tagging != "" {
		in.Tagging = aws.String(tagging)
	}
	if _, err := env.Clients.S3.PutObject(testCtx(t), in); err != nil {
		t.Fatal(err)
	}
}

func tagsOf(t *testing.T, env *provisiontest.Env, key string) map[string]string {
	t.Helper()
	out, err := env.Clients.S3.GetObjectTagging(testCtx(t), &s3.GetObjectTaggingInput{Bucket: aws.String(bundleBucket), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, tg := range out.TagSet {
		m[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	return m
}

func TestDeployWatch(t *testing.T) {
	for _, kind := range backends {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			testDeployWatch(t, kind)
		})
	}
}

func testDeployWatch(t *testing.T, kind provisiontest.S3Kind) {
	env := provisiontest.NewEnv(t, kind)
	env.S3.CreateBucket(t, bundleBucket)
	ctx := testCtx(t)

	one := provisiontest.AppSpec(t, "com.example.one", "v1", "one")
	two := provisiontest.AppSpec(t, "com.example.two", "v2", "two")
	three := provisiontest.AppSpec(t, "com.example.three", "v3", "three")
	broken := provisiontest.AppSpec(t, "com.example.broken", "v1", "broken")
	broken.Manifest = provisiontest.ManifestJSON(broken)
	broken.Functions = nil // manifest lists go-function, the bundle lacks it

	putTagged(t, env, "one.zip", provisiontest.Bundle(t, one), "owner=cloud")
	putTagged(t, env, "nested/two.zip", provisiontest.Bundle(t, two), "")
	putTagged(t, env, "three.zip", provisiontest.Bundle(t, three), "deployed_test=true")
	putTagged(t, env, "zz-broken.zip", provisiontest.Bundle(t, broken), "")
	putTagged(t, env, "README.txt", []byte("not a bundle"), "")

	var seen []string
	d := &provision.Deployer{
		Clients:      env.Clients,
		BundleBucket: bundleBucket,
		Environment:  "test",
		PageSize:     2, // every page must be read
		OnBundle: func(r provision.BundleResult) {
			if r.Status != "" {
				seen = append(seen, r.Key+"="+r.Status)
			}
		},
	}
	rep, err := d.RunOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]provision.BundleResult{}
	for _, b := range rep.Bundles {
		got[b.Key] = b
	}
	if len(rep.Bundles) != 4 || rep.Deployed != 2 || rep.Skipped != 1 || rep.Failed != 1 {
		t.Fatalf("report: %d bundles, %d deployed, %d skipped, %d failed: %v", len(rep.Bundles), rep.Deployed, rep.Skipped, rep.Failed, seen)
	}
	for key, want := range map[string]string{"one.zip": provision.BundleDeployed, "nested/two.zip": provision.BundleDeployed,
		"three.zip": provision.BundleSkipped, "zz-broken.zip": provision.BundleFailed} {
		if got[key].Status != want {
			t.Errorf("%s: %s (%s), want %s", key, got[key].Status, got[key].Error, want)
		}
	}
	if b := got["zz-broken.zip"]; !strings.Contains(b.Error, "no archive") || b.ExitCode != 2 {
		t.Errorf("broken bundle: %q exit %d", b.Error, b.ExitCode)
	}
	if err := rep.Err(); err == nil || provision.ExitCode(err) != 2 || !strings.Contains(err.Error(), "zz-broken.zip") {
		t.Errorf("report error: %v", err)
	}

	// Tags: deployed ones tagged (other tags kept); the broken one untagged.
	if tg := tagsOf(t, env, "one.zip"); tg["deployed_test"] != "true" || tg["owner"] != "cloud" {
		t.Errorf("one.zip tags %v", tg)
	}
	if tg := tagsOf(t, env, "nested/two.zip"); tg["deployed_test"] != "true" {
		t.Errorf("two.zip tags %v", tg)
	}
	if tg := tagsOf(t, env, "zz-broken.zip"); len(tg) != 0 {
		t.Errorf("broken bundle tagged: %v", tg)
	}

	// Apps: one and two provisioned and answering; three (skipped) and the
	// broken one not.
	keys := env.Keys(t)
	for _, s := range []provisiontest.Spec{one, two} {
		if !slices.Contains(keys, apps.ManifestS3Key(apps.AppID(s.AppID), apps.AppVersion(s.Version))) {
			t.Errorf("%s not listed: %v", s.AppID, keys)
		}
		if status, _ := env.Call(t, apps.LambdaName(apps.AppID(s.AppID), apps.AppVersion(s.Version), "go-function"), "/ping"); status != 200 {
			t.Errorf("%s /ping: %d", s.AppID, status)
		}
	}
	for _, k := range keys {
		if strings.Contains(k, "three") || strings.Contains(k, "broken") {
			t.Errorf("unexpected key %s", k)
		}
	}
	fns := env.Functions(t)
	if len(fns) != 2 {
		t.Errorf("functions: %v", fns)
	}

	// Next pass: only the broken one is tried again.
	rep, err = d.RunOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Deployed != 0 || rep.Skipped != 3 || rep.Failed != 1 {
		t.Errorf("second pass: %d deployed, %d skipped, %d failed", rep.Deployed, rep.Skipped, rep.Failed)
	}

	// Another environment deploys again (nothing changes in AWS) and tags.
	d.Environment = "staging"
	rep, err = d.RunOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Deployed != 3 || rep.Failed != 1 {
		t.Errorf("staging: %d deployed, %d failed", rep.Deployed, rep.Failed)
	}
	for _, b := range rep.Bundles {
		if b.Key != "three.zip" && b.Status == provision.BundleDeployed && b.Changed {
			t.Errorf("staging redeploy of %s changed AWS", b.Key)
		}
	}
}

func TestDeployWatchErrors(t *testing.T) {
	env := provisiontest.NewEnv(t, provisiontest.InProcess)
	ctx := testCtx(t)
	for _, tc := range []struct {
		name string
		d    provision.Deployer
		want string
		code int
	}{
		{"no bucket", provision.Deployer{Clients: env.Clients}, "--bundle-bucket", 2},
		{"bad environment", provision.Deployer{Clients: env.Clients, BundleBucket: "b", Environment: "a b"}, "environment", 2},
		{"missing bucket", provision.Deployer{Clients: env.Clients, BundleBucket: "no-such-bucket"}, "does not exist", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.d.RunOnce(ctx)
			if err == nil || !strings.Contains(err.Error(), tc.want) || provision.ExitCode(err) != tc.code {
				t.Fatalf("err = %v (exit %d), want %q (exit %d)", err, provision.ExitCode(err), tc.want, tc.code)
			}
		})
	}
}

func TestOpenBundle(t *testing.T) {
	env := provisiontest.NewEnvWith(t, provisiontest.InProcess, provisiontest.EnvOptions{NoInit: true})
	env.S3.CreateBucket(t, bundleBucket)
	ctx := testCtx(t)
	data := provisiontest.Bundle(t, provisiontest.AppSpec(t, "com.example.src", "v1", "c"))
	env.S3.Put(t, bundleBucket, "b.zip", data)
	ts := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/b.zip":
			_, _ = w.Write(data)
		case "/huge.zip":
			w.Header().Set("Content-Length", "999999999999")
			w.WriteHeader(200)
		default:
			http.NotFound(w, r)
		}
	}))
	defer ts.Close()
	opts := provision.OpenOptions{S3: env.Clients.S3, HTTP: ts.Client(), TempDir: t.TempDir()}

	for _, tc := range []struct {
		location string
		limits   bundle.Limits
		want     string // error substring; "" = opens
		code     int
	}{
		{location: provisiontest.WriteBundle(t, data)},
		{location: "s3://" + bundleBucket + "/b.zip"},
		{location: ts.URL + "/b.zip"},
		{location: "/no/such/bundle.zip", want: "no such file", code: 2},
		{location: "s3://" + bundleBucket + "/missing.zip", want: "no such object", code: 2},
		{location: "s3://" + bundleBucket, want: "s3://<bucket>/<key>", code: 2},
		{location: ts.URL + "/missing.zip", want: "404", code: 2},
		{location: ts.URL + "/huge.zip", want: "over the", code: 2},
		{location: "s3://" + bundleBucket + "/b.zip", limits: bundle.Limits{MaxTotalSize: 100}, want: "over the", code: 2},
		{location: "ftp://example.com/b.zip", want: "https://", code: 2},
		{location: "http://example.com/b.zip", want: "https://", code: 2},
	} {
		t.Run(tc.location, func(t *testing.T) {
			o := opts
			o.Limits = tc.limits
			b, err := provision.OpenBundle(ctx, tc.location, o)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if b.Manifest.AppID != "com.example.src" || b.Size != int64(len(data)) {
					t.Errorf("opened %s, %d bytes", b.Manifest.AppID, b.Size)
				}
				if err := b.Close(); err != nil {
					t.Error(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) || provision.ExitCode(err) != tc.code {
				t.Fatalf("err = %v (exit %d), want %q (exit %d)", err, provision.ExitCode(err), tc.want, tc.code)
			}
		})
	}
	// Downloads are removed.
	if left, _ := filepath.Glob(filepath.Join(opts.TempDir, "*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}
