package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/apps/bundle"
	"github.com/mattermost-community/apps-plugin/provision"
	"github.com/mattermost-community/apps-plugin/provision/provisiontest"
)

var backends = []provisiontest.S3Kind{provisiontest.MinIO, provisiontest.InProcess}

type result struct {
	code           int
	stdout, stderr string
}

// isolate clears the AWS environment of the test process.
func isolate(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	for _, k := range []string{
		provision.EnvAccessKey, provision.EnvSecretKey, provision.EnvMMProvisionAccessKey, provision.EnvMMProvisionSecretKey,
		provision.EnvMMDeployAccessKey, provision.EnvMMDeploySecretKey, provision.EnvBucket, provision.EnvRegion,
		"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION",
		"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_LAMBDA", "AWS_ENDPOINT_URL_IAM", "AWS_ENDPOINT_URL_STS",
		"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
	} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

func setenv(t *testing.T, env map[string]string) {
	t.Helper()
	for k, v := range env {
		t.Setenv(k, v)
	}
}

func appsctl(t *testing.T, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	code := runMain(ctx, args, &out, &errb)
	if testing.Verbose() && os.Getenv("APPSCTL_TEST_LOG") != "" {
		t.Logf("$ appsctl %s  (exit %d)\n%s%s", strings.Join(args, " "), code, out.String(), errb.String())
	}
	return result{code, out.String(), errb.String()}
}

func (r result) must(t *testing.T, code int) result {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, r.stdout, r.stderr)
	}
	return r
}

func containsAll(t *testing.T, what, s string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(s, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, s)
		}
	}
}

func TestHelpAndCompletion(t *testing.T) {
	for _, tc := range []struct {
		args  []string
		wants []string
	}{
		{[]string{"--help"}, []string{"provision", "generate-terraform-data", "aws", "deploy", "lambda", "completion", "Exit codes"}},
		{[]string{"provision", "--help"}, []string{"app", "generate-terraform-data"}},
		{[]string{"provision", "app", "--help"}, []string{"--update", "--dry-run", "--execute-role", "--policy", "--memory", "--timeout", "--env", "--region", "--bucket", "--json", "--s3-endpoint", "--lambda-endpoint", "--iam-endpoint", "APPS_PROVISION_AWS_ACCESS_KEY", "MM_APPS_DEPLOY_AWS_ACCESS_KEY", "MM_APPS_S3_BUCKET", "MM_APPS_AWS_REGION", "AWS_ENDPOINT_URL_S3"}},
		{[]string{"generate-terraform-data", "--help"}, []string{"static_files", "stdout"}},
		{[]string{"provision", "generate-terraform-data", "--help"}, []string{"manifest_key"}},
		{[]string{"aws", "--help"}, []string{"init", "clean", "test"}},
		{[]string{"aws", "init", "--help"}, []string{"--create-access-key", "--dry-run", "--user", "--group", "--policy", "--execute-role", "AWSLambdaBasicExecutionRole"}},
		{[]string{"aws", "clean", "--help"}, []string{"--delete-role", "--dry-run"}},
		{[]string{"aws", "test", "--help"}, []string{"<app-id> <version>", "--static", "/ping"}},
		{[]string{"deploy", "watch", "--help"}, []string{"--bundle-bucket", "--env", "--once", "--interval", "deployed_<env>=true", "--execute-role"}},
		{[]string{"lambda", "serve", "--help"}, []string{"--addr", "--dir"}},
	} {
		r := appsctl(t, tc.args...).must(t, 0)
		containsAll(t, strings.Join(tc.args, " "), r.stdout, tc.wants...)
	}
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		if r := appsctl(t, "completion", shell).must(t, 0); !strings.Contains(r.stdout, "appsctl") {
			t.Errorf("%s completion: %.200s", shell, r.stdout)
		}
	}
	// Dynamic completion: bundles are .zip files; regions are listed.
	r := appsctl(t, "__complete", "provision", "app", "").must(t, 0)
	containsAll(t, "bundle completion", r.stdout, "zip", ":8")
	r = appsctl(t, "__complete", "provision", "app", "b.zip", "--region", "").must(t, 0)
	containsAll(t, "region completion", r.stdout, "us-east-1", "eu-west-1", ":4")
	r = appsctl(t, "__complete", "aws", "test", "").must(t, 0)
	containsAll(t, "aws test completion", r.stdout, ":4")
}

func TestUsageErrors(t *testing.T) {
	isolate(t)
	setenv(t, map[string]string{provision.EnvAccessKey: "a", provision.EnvSecretKey: "s"})
	path := provisiontest.WriteBundle(t, []byte("x"))
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"provision", "app"}, "accepts 1 arg"},
		{[]string{"provision", "app", "a.zip", "b.zip"}, "accepts 1 arg"},
		{[]string{"provision", "app", "a.zip", "--no-such-flag"}, "unknown flag"},
		{[]string{"provision", "app", path, "--memory", "5"}, "memory 5 MB"},
		{[]string{"provision", "app", path, "--timeout", "forever"}, "neither seconds nor a duration"},
		{[]string{"provision", "app", path, "--timeout", "901"}, "timeout"},
		{[]string{"provision", "app", path, "--env", "NOVALUE"}, "use K=V"},
		{[]string{"provision", "app", path, "--env", "1X=y"}, "not valid"},
		{[]string{"provision", "nope"}, "unknown command"},
		{[]string{"nope"}, "unknown command"},
		{[]string{"aws", "test", "x"}, "accepts 2 arg"},
		{[]string{"aws", "test", "a b", "v1"}, "app_id"},
		{[]string{"deploy", "watch"}, "--bundle-bucket"},
		{[]string{"deploy", "watch", "--bundle-bucket", "b", "--once", "--interval", "1m"}, "once"},
		{[]string{"provision", "app", "ftp://x/y.zip"}, "https://"},
		{[]string{"generate-terraform-data", "/no/such.zip"}, "no such file"},
		{[]string{"provision", "app", "/no/such.zip"}, "no such file"},
	} {
		r := appsctl(t, tc.args...)
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("appsctl %s: exit %d, stderr %q; want exit 2 and %q", strings.Join(tc.args, " "), r.code, r.stderr, tc.want)
		}
	}
	// Half a credential pair, and no credentials at all, name the variables.
	t.Setenv(provision.EnvSecretKey, "")
	r := appsctl(t, "provision", "app", path).must(t, 2)
	containsAll(t, "stderr", r.stderr, "APPS_PROVISION_AWS_ACCESS_KEY is set but APPS_PROVISION_AWS_SECRET_KEY is not")
	t.Setenv(provision.EnvAccessKey, "")
	r = appsctl(t, "provision", "app", path).must(t, 2)
	containsAll(t, "stderr", r.stderr, "no AWS credentials", "APPS_PROVISION_AWS_ACCESS_KEY", "APPS_PROVISION_AWS_SECRET_KEY", "MM_APPS_PROVISION_AWS_ACCESS_KEY", "MM_APPS_DEPLOY_AWS_ACCESS_KEY")
	r = appsctl(t, "provision", "app", path, "--json").must(t, 2)
	var je struct {
		Error    string `json:"error"`
		ExitCode int    `json:"exit_code"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &je); err != nil || je.ExitCode != 2 || !strings.Contains(je.Error, "credentials") {
		t.Errorf("--json error: %q %v", r.stdout, err)
	}
}

func TestAWSErrorExitCode(t *testing.T) {
	isolate(t)
	t.Setenv("AWS_MAX_ATTEMPTS", "1")
	setenv(t, map[string]string{provision.EnvAccessKey: "a", provision.EnvSecretKey: "s"})
	path := provisiontest.WriteBundle(t, provisiontest.Bundle(t, provisiontest.AppSpec(t, "com.example.net", "v1", "c")))
	r := appsctl(t, "provision", "app", path, "--s3-endpoint", "http://127.0.0.1:1", "--lambda-endpoint", "http://127.0.0.1:1", "--iam-endpoint", "http://127.0.0.1:1").must(t, 1)
	containsAll(t, "stderr", r.stderr, "mattermost-apps-bucket", "connect")
}

func TestGenerateTerraformData(t *testing.T) {
	isolate(t)
	spec := provisiontest.AppSpec(t, "com.example.tf", "v1.2.3", "c")
	spec.Static = append(spec.Static, provisiontest.File{Name: "static file with spaces.txt", Data: []byte("x")})
	data := provisiontest.Bundle(t, spec)
	path := provisiontest.WriteBundle(t, data)
	d, err := bundle.GetProvisionDataFromFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want, err := d.JSON()
	if err != nil {
		t.Fatal(err)
	}
	want = append(want, '\n')
	for _, args := range [][]string{{"generate-terraform-data", path}, {"provision", "generate-terraform-data", path}} {
		r := appsctl(t, args...).must(t, 0)
		if r.stdout != string(want) || r.stderr != "" {
			t.Errorf("appsctl %s:\nstdout %q\nstderr %q\nwant %q", strings.Join(args, " "), r.stdout, r.stderr, want)
		}
	}
	containsAll(t, "deploy data", string(want), `"static/com.example.tf_v1.2.3_app/static-file-with-spaces.txt"`, `"com-example-tf_v1-2-3_go-function"`, `"manifest_key": "manifests/com.example.tf_v1.2.3.json"`)

	// From S3, the same bytes.
	env := provisiontest.NewEnvWith(t, provisiontest.InProcess, provisiontest.EnvOptions{NoInit: true})
	setenv(t, env.Environ())
	env.S3.CreateBucket(t, "bundles")
	env.S3.Put(t, "bundles", "tf.zip", data)
	if r := appsctl(t, "generate-terraform-data", "s3://bundles/tf.zip").must(t, 0); r.stdout != string(want) {
		t.Errorf("from S3: %q", r.stdout)
	}
	// A bad bundle.
	r := appsctl(t, "generate-terraform-data", provisiontest.WriteBundle(t, []byte("PK nope"))).must(t, 2)
	if r.stdout != "" || !strings.Contains(r.stderr, "not a valid zip") {
		t.Errorf("bad bundle: %q %q", r.stdout, r.stderr)
	}
}

func TestProvisionAppCommand(t *testing.T) {
	for _, kind := range backends {
		t.Run(string(kind), func(t *testing.T) { testProvisionAppCommand(t, kind) })
	}
}

func testProvisionAppCommand(t *testing.T, kind provisiontest.S3Kind) {
	isolate(t)
	env := provisiontest.NewEnv(t, kind)
	setenv(t, env.Environ())
	const appID, version = "com.example.cli", "v1"
	spec := provisiontest.AppSpec(t, appID, version, "cli-v1")
	path := provisiontest.WriteBundle(t, provisiontest.Bundle(t, spec))
	fn := apps.LambdaName(appID, version, "go-function")
	wantKeys := []string{
		apps.ManifestS3Key(appID, version),
		apps.StaticS3Key(appID, version, "docs/readme.md"),
		apps.StaticS3Key(appID, version, "file with spaces.txt"),
		apps.StaticS3Key(appID, version, "icon.png"),
	}
	slices.Sort(wantKeys)
	flags := []string{"--memory", "256", "--timeout", "45", "--env", "GREETING=hello"}

	// Dry run.
	r := appsctl(t, append([]string{"provision", "app", path, "--dry-run"}, flags...)...).must(t, 0)
	containsAll(t, "dry run", r.stdout, "Plan for com.example.cli v1", "function  create", fn, "256 MB, 45s", "asset     create", "manifest  create", "policy    update",
		"Dry run: 6 changes planned; nothing was changed.")
	r = appsctl(t, "provision", "app", path, "--dry-run", "--policy=").must(t, 0)
	if strings.Contains(r.stdout, "policy ") || !strings.Contains(r.stdout, "5 changes planned") {
		t.Errorf("--policy='' still plans the policy:\n%s", r.stdout)
	}
	if keys := env.Keys(t); len(keys) != 0 {
		t.Fatalf("dry run uploaded %v", keys)
	}
	if fns := env.Functions(t); len(fns) != 0 {
		t.Fatalf("dry run created %v", fns)
	}

	// Provision.
	r = appsctl(t, append([]string{"provision", "app", path}, flags...)...).must(t, 0)
	containsAll(t, "provision", r.stdout, "function  created    "+fn, "asset     uploaded   static/com.example.cli_v1_app/icon.png  (1.2 KB, ",
		"manifest  uploaded   manifests/com.example.cli_v1.json", "policy    updated    mattermost-apps-invoke-policy",
		"Provisioned com.example.cli v1 in ", "1 function created, 3 assets uploaded, manifest uploaded, invoke policy updated.",
		"/apps install listed com.example.cli", "/apps install aws com.example.cli v1")
	lines := strings.Split(r.stdout, "\n")
	manifestAt := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, "manifest") })
	for i, l := range lines {
		if (strings.HasPrefix(l, "asset") || strings.HasPrefix(l, "function")) && i > manifestAt {
			t.Errorf("step after the manifest: %q", l)
		}
	}
	if got := env.Keys(t); !slices.Equal(got, wantKeys) {
		t.Fatalf("keys %q, want %q", got, wantKeys)
	}
	for _, s := range spec.Static {
		if !bytes.Equal(env.S3.Get(t, env.Bucket, apps.StaticS3Key(appID, version, s.Name)), s.Data) {
			t.Errorf("%s differs", s.Name)
		}
	}
	if status, resp := env.Call(t, fn, "/ping"); status != 200 || resp["markdown"] != "PONG" {
		t.Errorf("/ping: %d %v", status, resp)
	}
	if _, resp := env.Call(t, fn, "/env"); resp["data"].(map[string]any)["GREETING"] != "hello" {
		t.Errorf("/env: %v", resp)
	}

	// Again: nothing to do.
	r = appsctl(t, append([]string{"provision", "app", path}, flags...)...).must(t, 0)
	containsAll(t, "second run", r.stdout, "function  unchanged  "+fn, "Nothing to do: com.example.cli v1 is already provisioned as in the bundle")
	if strings.Contains(r.stdout, "uploaded") || strings.Contains(r.stdout, "created") {
		t.Errorf("second run changed something:\n%s", r.stdout)
	}
	r = appsctl(t, append([]string{"provision", "app", path, "--json"}, flags...)...).must(t, 0)
	var rep struct {
		AppID     string `json:"app_id"`
		Changed   bool   `json:"changed"`
		Functions []struct {
			Action string `json:"action"`
		} `json:"functions"`
		InstallCommands []string `json:"install_commands"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("--json: %v\n%s", err, r.stdout)
	}
	if rep.AppID != appID || rep.Changed || rep.Functions[0].Action != "unchanged" || len(rep.InstallCommands) != 2 {
		t.Errorf("--json report: %+v", rep)
	}

	// New code: needs --update.
	path2 := provisiontest.WriteBundle(t, provisiontest.Bundle(t, provisiontest.AppSpec(t, appID, version, "cli-v2")))
	r = appsctl(t, append([]string{"provision", "app", path2}, flags...)...).must(t, 2)
	containsAll(t, "conflict", r.stderr, "--update")
	containsAll(t, "conflict", r.stdout, "rerun with --update")
	r = appsctl(t, append([]string{"provision", "app", path2, "--update"}, flags...)...).must(t, 0)
	containsAll(t, "update", r.stdout, "function  updated    "+fn, "code", "asset     unchanged")
	if _, resp := env.Call(t, fn, "/ping"); resp["data"].(map[string]any)["version"] != "cli-v2" {
		t.Errorf("/ping after --update: %v", resp)
	}

	// A broken bundle changes nothing.
	before := objectState(t, env)
	broken := spec
	broken.Manifest = provisiontest.ManifestJSON(spec)
	broken.Functions = nil
	r = appsctl(t, "provision", "app", provisiontest.WriteBundle(t, provisiontest.Bundle(t, broken)), "--update").must(t, 2)
	containsAll(t, "broken", r.stderr, "no archive")
	if after := objectState(t, env); after != before {
		t.Errorf("broken bundle changed S3/Lambda:\n%s\n%s", before, after)
	}

	// aws test.
	r = appsctl(t, "aws", "test", appID, version).must(t, 0)
	containsAll(t, "aws test", r.stdout, "PONG", "static", "OK: com.example.cli v1 works.")
	r = appsctl(t, "aws", "test", appID, "v9").must(t, 1)
	containsAll(t, "aws test missing", r.stderr, "not provisioned")
}

// objectState describes every object (key, ETag) and function (code hash).
func objectState(t *testing.T, env *provisiontest.Env) string {
	t.Helper()
	var b strings.Builder
	for _, k := range env.Keys(t) {
		out, err := env.Clients.S3.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(env.Bucket), Key: aws.String(k)})
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString(k + " " + aws.ToString(out.ETag) + "\n")
	}
	for name, f := range env.Functions(t) {
		b.WriteString(name + " " + aws.ToString(f.CodeSha256) + " " + aws.ToString(f.LastModified) + "\n")
	}
	return b.String()
}

func TestAWSInitCleanCommands(t *testing.T) {
	isolate(t)
	env := provisiontest.NewEnvWith(t, provisiontest.InProcess, provisiontest.EnvOptions{NoInit: true})
	setenv(t, env.Environ())
	r := appsctl(t, "aws", "init", "--dry-run").must(t, 0)
	containsAll(t, "init --dry-run", r.stdout, "bucket      mattermost-apps-bucket", "missing", "Dry run: nothing was changed.")
	r = appsctl(t, "aws", "init", "--create-access-key").must(t, 0)
	containsAll(t, "init", r.stdout, "bucket", "role        mattermost-apps-execute-lambda-role", "created",
		"policy      mattermost-apps-invoke-policy", "group       mattermost-apps-invoke-group", "user        mattermost-apps-invoke",
		"export MM_APPS_AWS_ACCESS_KEY=AKIA", "export MM_APPS_AWS_SECRET_KEY=", "AWS is ready")
	r = appsctl(t, "aws", "init", "--json").must(t, 0)
	var rep provision.InitReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	for _, s := range rep.Steps {
		if s.Status != provision.StatusExists {
			t.Errorf("second init: %+v", s)
		}
	}
	r = appsctl(t, "aws", "clean", "--delete-role").must(t, 0)
	containsAll(t, "clean", r.stdout, "user        mattermost-apps-invoke", "deleted", "functions and bucket")
	r = appsctl(t, "aws", "clean").must(t, 0)
	if strings.Contains(r.stdout, "deleted") {
		t.Errorf("second clean deleted something:\n%s", r.stdout)
	}
}

func TestDeployWatchCommand(t *testing.T) {
	for _, kind := range backends {
		t.Run(string(kind), func(t *testing.T) { testDeployWatchCommand(t, kind) })
	}
}

func testDeployWatchCommand(t *testing.T, kind provisiontest.S3Kind) {
	isolate(t)
	env := provisiontest.NewEnv(t, kind)
	setenv(t, env.Environ())
	const bb = "bundles"
	env.S3.CreateBucket(t, bb)
	put := func(key string, data []byte, tagging string) {
		in := &s3.PutObjectInput{Bucket: aws.String(bb), Key: aws.String(key), Body: bytes.NewReader(data)}
		if tagging != "" {
			in.Tagging = aws.String(tagging)
		}
		if _, err := env.Clients.S3.PutObject(context.Background(), in); err != nil {
			t.Fatal(err)
		}
	}
	broken := provisiontest.AppSpec(t, "com.example.bad", "v1", "x")
	broken.Manifest, broken.Functions = provisiontest.ManifestJSON(broken), nil
	put("a.zip", provisiontest.Bundle(t, provisiontest.AppSpec(t, "com.example.a", "v1", "a")), "")
	put("b.zip", provisiontest.Bundle(t, provisiontest.AppSpec(t, "com.example.b", "v1", "b")), "")
	put("c.zip", provisiontest.Bundle(t, provisiontest.AppSpec(t, "com.example.c", "v1", "c")), "deployed_qa=true")
	put("d.zip", provisiontest.Bundle(t, broken), "")

	r := appsctl(t, "deploy", "watch", "--bundle-bucket", bb, "--env", "qa", "--once").must(t, 2)
	containsAll(t, "watch", r.stdout,
		"a.zip: deploying", "a.zip: deployed com.example.a v1", "b.zip: deployed com.example.b v1", "tagged deployed_qa=true",
		"c.zip: skipped (tagged deployed_qa=true)", "d.zip: FAILED (left untagged)", "no archive",
		"function  created", "manifest  uploaded", "2 deployed, 1 skipped, 1 failed")
	containsAll(t, "watch stderr", r.stderr, "1 of 4 bundles failed: d.zip")
	for key, want := range map[string]bool{"a.zip": true, "b.zip": true, "c.zip": true, "d.zip": false} {
		out, err := env.Clients.S3.GetObjectTagging(context.Background(), &s3.GetObjectTaggingInput{Bucket: aws.String(bb), Key: aws.String(key)})
		if err != nil {
			t.Fatal(err)
		}
		tagged := slices.ContainsFunc(out.TagSet, func(tg s3types.Tag) bool { return aws.ToString(tg.Key) == "deployed_qa" })
		if tagged != want {
			t.Errorf("%s tagged %v, want %v", key, tagged, want)
		}
	}
	if keys := env.Keys(t); slices.Contains(keys, apps.ManifestS3Key("com.example.c", "v1")) || !slices.Contains(keys, apps.ManifestS3Key("com.example.b", "v1")) {
		t.Errorf("keys: %v", keys)
	}

	// JSON, and the next pass only retries the broken bundle.
	r = appsctl(t, "deploy", "watch", "--bundle-bucket", bb, "--env", "qa", "--once", "--json").must(t, 2)
	var rep provision.WatchReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	if rep.Skipped != 3 || rep.Failed != 1 || rep.Deployed != 0 {
		t.Errorf("second pass: %+v", rep)
	}

	// The interval mode runs passes until interrupted.
	ctx, cancel := context.WithCancel(context.Background())
	var out syncWriter
	done := make(chan int, 1)
	go func() {
		done <- runMain(ctx, []string{"deploy", "watch", "--bundle-bucket", bb, "--env", "qa", "--interval", "50ms"}, &out, &out)
	}()
	deadline := time.Now().Add(30 * time.Second)
	for strings.Count(out.String(), "Pass done") < 2 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if code := <-done; code != 0 || strings.Count(out.String(), "Pass done") < 2 {
		t.Errorf("interval mode: exit %d\n%s", code, out.String())
	}
}

// syncWriter is a buffer safe for concurrent use.
type syncWriter struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}
