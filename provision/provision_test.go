package provision_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/apps/bundle"
	"github.com/mattermost-community/apps-plugin/provision"
	"github.com/mattermost-community/apps-plugin/provision/provisiontest"
)

var backends = []provisiontest.S3Kind{provisiontest.MinIO, provisiontest.InProcess}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// openBytes opens a bundle held in memory.
func openBytes(t testing.TB, data []byte) *bundle.Bundle {
	t.Helper()
	b, err := bundle.New(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("open bundle: %v", err)
	}
	return b
}

// state is what a test compares to prove nothing changed: every S3 object
// (ETag and last-modified) and every function (code hash, last-modified).
type state struct {
	Objects   map[string]string
	Functions map[string]string
	Policy    string
}

func snapshot(t *testing.T, env *provisiontest.Env) state {
	t.Helper()
	ctx := testCtx(t)
	st := state{Objects: map[string]string{}, Functions: map[string]string{}}
	for _, k := range env.Keys(t) {
		out, err := env.Clients.S3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(env.Bucket), Key: aws.String(k)})
		if err != nil {
			t.Fatal(err)
		}
		st.Objects[k] = aws.ToString(out.ETag) + " " + aws.ToTime(out.LastModified).String()
	}
	for name, f := range env.Functions(t) {
		st.Functions[name] = fmt.Sprintf("%s %s %d %d", aws.ToString(f.CodeSha256), aws.ToString(f.LastModified), aws.ToInt32(f.MemorySize), aws.ToInt32(f.Timeout))
	}
	st.Policy = policyDoc(t, env)
	return st
}

// policyDoc is the invoke policy's default document.
func policyDoc(t *testing.T, env *provisiontest.Env) string {
	t.Helper()
	ctx := testCtx(t)
	arn := "arn:aws:iam::000000000000:policy/" + provision.DefaultInvokePolicy
	pol, err := env.Clients.IAM.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	v, err := env.Clients.IAM.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: pol.Policy.DefaultVersionId})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := url.PathUnescape(aws.ToString(v.PolicyVersion.Document))
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(pol.Policy.DefaultVersionId) + " " + doc
}

func expectedKeys(spec provisiontest.Spec) []string {
	id, ver := apps.AppID(spec.AppID), apps.AppVersion(spec.Version)
	keys := []string{apps.ManifestS3Key(id, ver)}
	for _, s := range spec.Static {
		keys = append(keys, apps.StaticS3Key(id, ver, s.Name))
	}
	sort.Strings(keys)
	return keys
}

type recorder struct {
	mu     sync.Mutex
	events []provision.Event
}

func (r *recorder) on(e provision.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

func (r *recorder) kinds() []provision.StepKind {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []provision.StepKind
	for _, e := range r.events {
		out = append(out, e.Kind)
	}
	return out
}

func TestProvision(t *testing.T) {
	for _, kind := range backends {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			testProvision(t, kind)
		})
	}
}

func testProvision(t *testing.T, kind provisiontest.S3Kind) {
	env := provisiontest.NewEnv(t, kind)
	ctx := testCtx(t)
	const appID, version = "com.example.hello", "v1.0.0"
	spec := provisiontest.AppSpec(t, appID, version, "code-v1")
	data := provisiontest.Bundle(t, spec)
	lambdaName := apps.LambdaName(appID, version, "go-function")
	opts := provision.Options{MemoryMB: 256, Timeout: 45 * time.Second, Env: map[string]string{"GREETING": "hi"}}
	newProv := func(t *testing.T, o provision.Options, rec *recorder) *provision.Provisioner {
		t.Helper()
		if rec != nil {
			o.OnEvent = rec.on
		}
		p, err := provision.New(env.Clients, o)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}

	t.Run("dry run changes nothing and plans everything", func(t *testing.T) {
		before := snapshot(t, env)
		rec := &recorder{}
		rep, err := newProv(t, opts, rec).Provision(ctx, openBytes(t, data), true)
		if err != nil {
			t.Fatal(err)
		}
		if !rep.DryRun || rep.Changed || len(rec.events) != 0 {
			t.Errorf("dry run: DryRun %v Changed %v events %d", rep.DryRun, rep.Changed, len(rec.events))
		}
		if got := rep.Changes(); got != 1+3+1+1 {
			t.Errorf("planned changes = %d, want 6 (function, 3 assets, manifest, policy)", got)
		}
		if rep.Functions[0].Action != provision.ActionCreate || rep.Manifest.Action != provision.ActionCreate || rep.Policy.Action != provision.ActionUpdate {
			t.Errorf("plan: function %s manifest %s policy %s", rep.Functions[0].Action, rep.Manifest.Action, rep.Policy.Action)
		}
		if after := snapshot(t, env); !reflect.DeepEqual(before, after) {
			t.Errorf("dry run changed AWS:\nbefore %v\nafter  %v", before, after)
		}
	})

	t.Run("provision", func(t *testing.T) {
		rec := &recorder{}
		rep, err := newProv(t, opts, rec).Provision(ctx, openBytes(t, data), false)
		if err != nil {
			t.Fatal(err)
		}
		if !rep.Changed || rep.Functions[0].Action != provision.ActionCreate {
			t.Errorf("report: changed %v function %s", rep.Changed, rep.Functions[0].Action)
		}
		// S3 holds exactly the expected keys, byte for byte.
		if got, want := env.Keys(t), expectedKeys(spec); !slices.Equal(got, want) {
			t.Fatalf("keys:\n got %q\nwant %q", got, want)
		}
		for _, s := range spec.Static {
			if got := env.S3.Get(t, env.Bucket, apps.StaticS3Key(appID, version, s.Name)); !bytes.Equal(got, s.Data) {
				t.Errorf("static %s: content differs", s.Name)
			}
		}
		if got := env.S3.Get(t, env.Bucket, apps.ManifestS3Key(appID, version)); !bytes.Equal(got, provisiontest.ManifestJSON(spec)) {
			t.Errorf("manifest differs:\n%s", got)
		}
		// The function: configuration, and it answers an Apps call.
		fn, ok := env.Functions(t)[lambdaName]
		if !ok {
			t.Fatalf("no function %s", lambdaName)
		}
		if fn.Runtime != "provided.al2023" || aws.ToInt32(fn.MemorySize) != 256 || aws.ToInt32(fn.Timeout) != 45 ||
			!strings.HasSuffix(aws.ToString(fn.Role), "role/"+provision.DefaultExecuteRole) {
			t.Errorf("function config: runtime %s memory %d timeout %d role %s", fn.Runtime, aws.ToInt32(fn.MemorySize), aws.ToInt32(fn.Timeout), aws.ToString(fn.Role))
		}
		status, resp := env.Call(t, lambdaName, "/ping")
		if status != 200 || resp["type"] != "ok" || resp["markdown"] != "PONG" || resp["data"].(map[string]any)["version"] != "code-v1" {
			t.Errorf("/ping: %d %v", status, resp)
		}
		if _, resp := env.Call(t, lambdaName, "/env"); resp["data"].(map[string]any)["GREETING"] != "hi" {
			t.Errorf("/env: %v", resp)
		}
		// The invoke policy allows the function.
		if doc := policyDoc(t, env); !strings.Contains(doc, `"Sid":"AllowLambda"`) || !strings.Contains(doc, env.Lambda.FunctionARN(lambdaName)) {
			t.Errorf("invoke policy: %s", doc)
		}
		// One event per step; the manifest last of all.
		kinds := rec.kinds()
		want := []provision.StepKind{provision.StepFunction, provision.StepPolicy, provision.StepAsset, provision.StepAsset, provision.StepAsset, provision.StepManifest}
		if !slices.Equal(kinds, want) {
			t.Errorf("events %v, want %v", kinds, want)
		}
		// aws test: ping and a static file.
		chk, err := provision.CheckApp(ctx, env.Clients, "", appID, version, "")
		if err != nil {
			t.Fatalf("CheckApp: %v", err)
		}
		if chk.PingStatus != 200 || !strings.Contains(string(chk.PingResponse), "PONG") || chk.StaticKey == "" || chk.StaticSize == 0 {
			t.Errorf("CheckApp: %+v", chk)
		}
	})

	t.Run("second run is a no-op", func(t *testing.T) {
		before := snapshot(t, env)
		rec := &recorder{}
		rep, err := newProv(t, opts, rec).Provision(ctx, openBytes(t, data), false)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Changed || rep.Changes() != 0 {
			t.Errorf("second run: changed %v, %d changes", rep.Changed, rep.Changes())
		}
		for _, e := range rec.events {
			if e.Action != provision.ActionUnchanged {
				t.Errorf("second run: %s %s %s", e.Kind, e.Name, e.Action)
			}
		}
		if after := snapshot(t, env); !reflect.DeepEqual(before, after) {
			t.Errorf("second run changed AWS:\nbefore %v\nafter  %v", before, after)
		}
	})

	spec2 := provisiontest.AppSpec(t, appID, version, "code-v2")
	data2 := provisiontest.Bundle(t, spec2)

	t.Run("changed code needs --update", func(t *testing.T) {
		before := snapshot(t, env)
		rep, err := newProv(t, opts, nil).Provision(ctx, openBytes(t, data2), false)
		if err == nil || provision.ExitCode(err) != 2 || !strings.Contains(err.Error(), "--update") {
			t.Fatalf("want a usage error naming --update, got %v", err)
		}
		if rep == nil || len(rep.Conflicts) != 1 || !strings.Contains(rep.Conflicts[0], "code") {
			t.Errorf("conflicts: %+v", rep)
		}
		if after := snapshot(t, env); !reflect.DeepEqual(before, after) {
			t.Errorf("conflict changed AWS")
		}
	})

	t.Run("--update replaces the code", func(t *testing.T) {
		o := opts
		o.Update = true
		rep, err := newProv(t, o, nil).Provision(ctx, openBytes(t, data2), false)
		if err != nil {
			t.Fatal(err)
		}
		f := rep.Functions[0]
		if f.Action != provision.ActionUpdate || !slices.Equal(f.Changes, []string{"code"}) {
			t.Errorf("function: %s %v", f.Action, f.Changes)
		}
		for _, a := range rep.Assets {
			if a.Action != provision.ActionUnchanged {
				t.Errorf("asset %s: %s", a.Name, a.Action)
			}
		}
		if _, resp := env.Call(t, lambdaName, "/ping"); resp["data"].(map[string]any)["version"] != "code-v2" {
			t.Errorf("/ping after update: %v", resp)
		}
		// Configuration changes too.
		o.MemoryMB = 512
		rep, err = newProv(t, o, nil).Provision(ctx, openBytes(t, data2), false)
		if err != nil {
			t.Fatal(err)
		}
		if f := rep.Functions[0]; f.Action != provision.ActionUpdate || len(f.Changes) != 1 || !strings.HasPrefix(f.Changes[0], "memory") {
			t.Errorf("memory update: %s %v", f.Action, f.Changes)
		}
		if got := aws.ToInt32(env.Functions(t)[lambdaName].MemorySize); got != 512 {
			t.Errorf("memory = %d", got)
		}
	})

	t.Run("broken bundles change nothing", func(t *testing.T) {
		o := opts
		o.MemoryMB, o.Update = 512, true
		before := snapshot(t, env)
		noFn := spec2
		noFn.Functions = nil
		noFn.Manifest = provisiontest.ManifestJSON(spec2) // still lists go-function
		badManifest := spec2
		badManifest.Manifest = []byte(`{"app_id":"x","version":"v1"}`)
		badGo1x := provisiontest.AppSpec(t, appID, version, "code-v3")
		badGo1x.Functions[0].Runtime, badGo1x.Functions[0].Handler = "go1.x", "missing-binary"
		notZipFn := spec2
		notZipFn.Functions = []provisiontest.Function{{Name: "go-function", Path: "/", Runtime: "provided.al2023", Handler: "bootstrap", Zip: []byte("not a zip")}}
		for _, tc := range []struct {
			name string
			data []byte
			want string
		}{
			{"not a zip", []byte("PK garbage"), "not a valid zip"},
			{"function archive missing", provisiontest.Bundle(t, noFn), "no archive"},
			{"invalid manifest", provisiontest.Bundle(t, badManifest), "app_id"},
			{"go1.x handler missing", provisiontest.Bundle(t, badGo1x), "missing-binary"},
			{"function archive not a zip", provisiontest.Bundle(t, notZipFn), "not a valid zip"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				p := newProv(t, o, nil)
				b, err := provision.OpenBundle(ctx, provisiontest.WriteBundle(t, tc.data), provision.OpenOptions{})
				if err == nil {
					_, err = p.Provision(ctx, b.Bundle, false)
					b.Close()
				}
				if err == nil || provision.ExitCode(err) != 2 || provision.KindOf(err) != provision.KindBundle || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("want a bundle error mentioning %q, got %v (exit %d)", tc.want, err, provision.ExitCode(err))
				}
			})
		}
		if after := snapshot(t, env); !reflect.DeepEqual(before, after) {
			t.Errorf("broken bundles changed AWS:\nbefore %v\nafter  %v", before, after)
		}
	})

	t.Run("a failed step lists no manifest", func(t *testing.T) {
		// AWS Lambda refuses reserved variables: CreateFunction fails after
		// the plan succeeded.
		spec4 := provisiontest.AppSpec(t, appID, "v4.0.0", "code-v4")
		o := opts
		o.Env = map[string]string{"AWS_REGION": "mars-1"}
		rep, err := newProv(t, o, nil).Provision(ctx, openBytes(t, provisiontest.Bundle(t, spec4)), false)
		if err == nil || provision.ExitCode(err) != 1 || !strings.Contains(err.Error(), "create Lambda function") {
			t.Fatalf("want an AWS error from CreateFunction, got %v", err)
		}
		if rep == nil || rep.Manifest.Done || rep.Functions[0].Done {
			t.Errorf("report: %+v", rep)
		}
		for _, k := range env.Keys(t) {
			if strings.Contains(k, "v4.0.0") {
				t.Errorf("uploaded %s although provisioning failed", k)
			}
		}
	})

	t.Run("interrupted provisioning lists no manifest", func(t *testing.T) {
		spec3 := provisiontest.AppSpec(t, appID, "v3.0.0", "code-v3")
		data3 := provisiontest.Bundle(t, spec3)
		ictx, cancel := context.WithCancel(ctx)
		defer cancel()
		o := opts
		o.OnEvent = func(e provision.Event) {
			if e.Kind == provision.StepFunction {
				cancel()
			}
		}
		p, err := provision.New(env.Clients, o)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := p.Provision(ictx, openBytes(t, data3), false)
		if err == nil || provision.ExitCode(err) != 1 {
			t.Fatalf("want an AWS error, got %v", err)
		}
		if rep == nil || rep.Manifest.Done || rep.Error == "" {
			t.Errorf("report: %+v", rep)
		}
		manifestKey := apps.ManifestS3Key(appID, "v3.0.0")
		if slices.Contains(env.Keys(t), manifestKey) {
			t.Fatalf("manifest %s uploaded although provisioning failed", manifestKey)
		}
		// Running again completes it.
		if _, err := newProv(t, opts, nil).Provision(ctx, openBytes(t, data3), false); err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(env.Keys(t), manifestKey) {
			t.Fatalf("manifest %s missing after the rerun", manifestKey)
		}
	})
}

func TestProvisionGo1x(t *testing.T) {
	if !provisiontest.CanConvertGo1x() {
		t.Skip("the go1.x conversion needs a linux/amd64 test binary")
	}
	env := provisiontest.NewEnv(t, provisiontest.InProcess)
	ctx := testCtx(t)
	const appID, version = "com.example.legacy", "v0.1.0"
	spec := provisiontest.Go1xSpec(t, appID, version, "legacy")
	p, err := provision.New(env.Clients, provision.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := p.Provision(ctx, openBytes(t, provisiontest.Bundle(t, spec)), false)
	if err != nil {
		t.Fatal(err)
	}
	f := rep.Functions[0]
	if !f.ConvertedFromGo1x || f.Runtime != "provided.al2023" || f.Handler != "bootstrap" || len(rep.Notes) != 1 || !strings.Contains(rep.Notes[0], "go1.x") {
		t.Errorf("report: %+v notes %q", f, rep.Notes)
	}
	name := apps.LambdaName(appID, version, "go-function")
	if fn := env.Functions(t)[name]; fn.Runtime != "provided.al2023" || aws.ToString(fn.Handler) != "bootstrap" {
		t.Errorf("function: runtime %s handler %s", fn.Runtime, aws.ToString(fn.Handler))
	}
	if status, resp := env.Call(t, name, "/ping"); status != 200 || resp["markdown"] != "PONG" {
		t.Errorf("/ping: %d %v", status, resp)
	}
	// The manifest is uploaded as it is in the bundle (it still says go1.x).
	if got := env.S3.Get(t, env.Bucket, apps.ManifestS3Key(appID, version)); !bytes.Contains(got, []byte(`"go1.x"`)) {
		t.Errorf("manifest: %s", got)
	}
	// Idempotent too: the conversion is deterministic.
	rep, err = p.Provision(ctx, openBytes(t, provisiontest.Bundle(t, spec)), false)
	if err != nil || rep.Changed {
		t.Errorf("second run: changed %v, %v", rep != nil && rep.Changed, err)
	}

	// A function an older appsctl deployed on go1.x is migrated (--update).
	old := provisiontest.Go1xSpec(t, "com.example.oldgo", "v1", "old")
	oldName := apps.LambdaName("com.example.oldgo", "v1", "go-function")
	_, err = env.Clients.Lambda.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String(oldName),
		Role:         aws.String("arn:aws:iam::000000000000:role/" + provision.DefaultExecuteRole),
		Runtime:      lambdatypes.RuntimeGo1x,
		Handler:      aws.String("hello"),
		Code:         &lambdatypes.FunctionCode{ZipFile: old.Functions[0].Zip},
	})
	if err != nil {
		t.Fatal(err)
	}
	if status, resp := env.Call(t, oldName, "/ping"); status != 200 || resp["markdown"] != "PONG" {
		t.Fatalf("go1.x /ping: %d %v", status, resp)
	}
	pu, _ := provision.New(env.Clients, provision.Options{Update: true})
	rep, err = pu.Provision(ctx, openBytes(t, provisiontest.Bundle(t, old)), false)
	if err != nil {
		t.Fatal(err)
	}
	f = rep.Functions[0]
	if f.Action != provision.ActionUpdate || !slices.Contains(f.Changes, "code") || !slices.Contains(f.Changes, "runtime go1.x→provided.al2023") || !slices.Contains(f.Changes, "handler hello→bootstrap") {
		t.Errorf("migration: %s %q", f.Action, f.Changes)
	}
	if fn := env.Functions(t)[oldName]; fn.Runtime != "provided.al2023" || aws.ToString(fn.Handler) != "bootstrap" {
		t.Errorf("migrated function: runtime %s handler %s", fn.Runtime, aws.ToString(fn.Handler))
	}
	if status, resp := env.Call(t, oldName, "/ping"); status != 200 || resp["markdown"] != "PONG" {
		t.Errorf("migrated /ping: %d %v", status, resp)
	}
}

func TestProvisionMissingAWSResources(t *testing.T) {
	env := provisiontest.NewEnvWith(t, provisiontest.InProcess, provisiontest.EnvOptions{NoInit: true})
	ctx := testCtx(t)
	b := openBytes(t, provisiontest.Bundle(t, provisiontest.AppSpec(t, "com.example.x", "v1", "c")))
	p, err := provision.New(env.Clients, provision.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Plan(ctx, b)
	if err == nil || provision.ExitCode(err) != 1 || !strings.Contains(err.Error(), "appsctl aws init") {
		t.Fatalf("missing bucket: %v", err)
	}
	env.S3.CreateBucket(t, env.Bucket)
	if _, err = p.Plan(ctx, b); err == nil || !strings.Contains(err.Error(), "execute role") || !strings.Contains(err.Error(), "appsctl aws init") {
		t.Fatalf("missing role: %v", err)
	}
	if _, err := provision.Init(ctx, env.Clients, provision.InitOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := provision.Clean(ctx, env.Clients, provision.InitOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err = p.Plan(ctx, b); err == nil || !strings.Contains(err.Error(), "invoke policy") {
		t.Fatalf("missing policy: %v", err)
	}
	p, _ = provision.New(env.Clients, provision.Options{NoInvokePolicy: true})
	rep, err := p.Provision(ctx, b, false)
	if err != nil || rep.Policy != nil {
		t.Fatalf("without the invoke policy: %v", err)
	}
}

func TestInitClean(t *testing.T) {
	env := provisiontest.NewEnvWith(t, provisiontest.InProcess, provisiontest.EnvOptions{NoInit: true})
	ctx := testCtx(t)
	statuses := func(rep *provision.InitReport) map[string]string {
		m := map[string]string{}
		for _, s := range rep.Steps {
			m[s.Resource+" "+s.Name] = s.Status
		}
		return m
	}
	dry, err := provision.Init(ctx, env.Clients, provision.InitOptions{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range statuses(dry) {
		if v != provision.StatusMissing {
			t.Errorf("dry run: %s %s", k, v)
		}
	}
	rep, err := provision.Init(ctx, env.Clients, provision.InitOptions{CreateAccessKey: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Steps) != 9 || rep.AccessKeyID == "" || rep.SecretAccessKey == "" {
		t.Errorf("init: %+v", rep)
	}
	for k, v := range statuses(rep) {
		if v != provision.StatusCreated {
			t.Errorf("init: %s %s", k, v)
		}
	}
	rep, err = provision.Init(ctx, env.Clients, provision.InitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range statuses(rep) {
		if v != provision.StatusExists {
			t.Errorf("second init: %s %s", k, v)
		}
	}
	// The invoke policy document.
	doc := policyDoc(t, env)
	for _, want := range []string{"arn:aws:s3:::" + env.Bucket + "/manifests/*", "arn:aws:s3:::" + env.Bucket + "/static/*", "s3:ListBucket"} {
		if !strings.Contains(doc, want) {
			t.Errorf("invoke policy lacks %q: %s", want, doc)
		}
	}

	rep, err = provision.Clean(ctx, env.Clients, provision.InitOptions{DeleteRole: true})
	if err != nil {
		t.Fatal(err)
	}
	st := statuses(rep)
	for _, k := range []string{"user " + provision.DefaultInvokeUser, "group " + provision.DefaultInvokeGroup, "policy " + provision.DefaultInvokePolicy, "role " + provision.DefaultExecuteRole} {
		if st[k] != provision.StatusDeleted {
			t.Errorf("clean: %s = %q (%v)", k, st[k], st)
		}
	}
	rep, err = provision.Clean(ctx, env.Clients, provision.InitOptions{DeleteRole: true})
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range statuses(rep) {
		if v != provision.StatusAbsent && v != provision.StatusKept {
			t.Errorf("second clean: %s %s", k, v)
		}
	}
}

func TestConfigFromEnv(t *testing.T) {
	for _, tc := range []struct {
		name    string
		env     map[string]string
		want    provision.Config
		wantErr string
	}{
		{"defaults", nil, provision.Config{Region: "us-east-1", Bucket: "mattermost-apps-bucket"}, ""},
		{"seed names", map[string]string{"APPS_PROVISION_AWS_ACCESS_KEY": "a", "APPS_PROVISION_AWS_SECRET_KEY": "s", "MM_APPS_S3_BUCKET": "b", "MM_APPS_AWS_REGION": "eu-west-1"},
			provision.Config{Region: "eu-west-1", Bucket: "b", AccessKey: "a", SecretKey: "s", CredentialsFrom: "APPS_PROVISION_AWS_ACCESS_KEY"}, ""},
		{"v0.7 names", map[string]string{"MM_APPS_PROVISION_AWS_ACCESS_KEY": "a", "MM_APPS_PROVISION_AWS_SECRET_KEY": "s"},
			provision.Config{Region: "us-east-1", Bucket: "mattermost-apps-bucket", AccessKey: "a", SecretKey: "s", CredentialsFrom: "MM_APPS_PROVISION_AWS_ACCESS_KEY"}, ""},
		{"v1 names", map[string]string{"MM_APPS_DEPLOY_AWS_ACCESS_KEY": "a", "MM_APPS_DEPLOY_AWS_SECRET_KEY": "s"},
			provision.Config{Region: "us-east-1", Bucket: "mattermost-apps-bucket", AccessKey: "a", SecretKey: "s", CredentialsFrom: "MM_APPS_DEPLOY_AWS_ACCESS_KEY"}, ""},
		{"seed names first", map[string]string{"APPS_PROVISION_AWS_ACCESS_KEY": "a1", "APPS_PROVISION_AWS_SECRET_KEY": "s1", "MM_APPS_DEPLOY_AWS_ACCESS_KEY": "a2", "MM_APPS_DEPLOY_AWS_SECRET_KEY": "s2"},
			provision.Config{Region: "us-east-1", Bucket: "mattermost-apps-bucket", AccessKey: "a1", SecretKey: "s1", CredentialsFrom: "APPS_PROVISION_AWS_ACCESS_KEY"}, ""},
		{"half a pair", map[string]string{"APPS_PROVISION_AWS_ACCESS_KEY": "a"}, provision.Config{}, "APPS_PROVISION_AWS_ACCESS_KEY is set but APPS_PROVISION_AWS_SECRET_KEY is not"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := provision.ConfigFromEnv(func(k string) string { return tc.env[k] })
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || provision.ExitCode(err) != 2 {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

func TestNewClientsWithoutCredentials(t *testing.T) {
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": "", "AWS_PROFILE": "", "AWS_DEFAULT_PROFILE": "",
		"AWS_CONFIG_FILE": dir + "/config", "AWS_SHARED_CREDENTIALS_FILE": dir + "/credentials",
		"AWS_EC2_METADATA_DISABLED": "true", "AWS_WEB_IDENTITY_TOKEN_FILE": "", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI": "",
	} {
		t.Setenv(k, v)
	}
	_, err := provision.Config{}.NewClients(testCtx(t))
	if err == nil || provision.ExitCode(err) != 2 {
		t.Fatalf("want a usage error, got %v", err)
	}
	for _, want := range []string{"APPS_PROVISION_AWS_ACCESS_KEY", "APPS_PROVISION_AWS_SECRET_KEY", "MM_APPS_DEPLOY_AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not name %s: %v", want, err)
		}
	}
}

func TestExitCodes(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want int
	}{
		{nil, 0},
		{errors.New("network down"), 1},
		{apps.NewInvalidError("bad manifest"), 2},
		{provision.UsageError("bad flag"), 2},
		{provision.BundleError("bad bundle"), 2},
		{fmt.Errorf("wrapped: %w", provision.UsageError("x")), 2},
	} {
		if got := provision.ExitCode(tc.err); got != tc.want {
			t.Errorf("ExitCode(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}

func TestReportJSON(t *testing.T) {
	env := provisiontest.NewEnv(t, provisiontest.InProcess)
	p, _ := provision.New(env.Clients, provision.Options{})
	rep, err := p.Provision(testCtx(t), openBytes(t, provisiontest.Bundle(t, provisiontest.AppSpec(t, "com.example.j", "v1", "c"))), true)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	for _, k := range []string{"app_id", "version", "bucket", "region", "execute_role", "functions", "assets", "manifest", "policy", "dry_run", "changed", "install_commands", "duration_ms"} {
		if _, ok := m[k]; !ok {
			t.Errorf("report JSON lacks %q: %s", k, b)
		}
	}
}
