package provision

import (
	"bytes"
	"context"
	"crypto/md5" //nolint:gosec // S3 ETags are MD5; used to compare content only
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"mime"
	"path"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/apps/bundle"
)

// Defaults of Options.
const (
	DefaultExecuteRole  = "mattermost-apps-execute-lambda-role"
	DefaultInvokePolicy = "mattermost-apps-invoke-policy"
	DefaultMemoryMB     = 128
	DefaultTimeout      = 30 * time.Second
	DefaultConcurrency  = 16

	// Lambda's limits on MemorySize (MB) and Timeout.
	MinMemoryMB = 128
	MaxMemoryMB = 10240
	MaxTimeout  = 900 * time.Second

	// waitTimeout bounds waiting for a function to become active/updated.
	waitTimeout = 2 * time.Minute
	// roleRetryTimeout bounds retrying CreateFunction while a new execute
	// role propagates in IAM.
	roleRetryTimeout = time.Minute
)

// MetadataSHA256 is the S3 user metadata key holding the hex SHA-256 of an
// uploaded object (compared on the next run, whatever the ETag is).
const MetadataSHA256 = "sha256"

// Action is what a step does (or did).
type Action string

// Actions.
const (
	ActionCreate    Action = "create"
	ActionUpdate    Action = "update"
	ActionUnchanged Action = "unchanged"
)

// StepKind is the kind of a provisioning step.
type StepKind string

// Step kinds.
const (
	StepFunction StepKind = "function"
	StepAsset    StepKind = "asset"
	StepManifest StepKind = "manifest"
	StepPolicy   StepKind = "policy"
)

// Event reports a step Apply has finished (Action unchanged: nothing was
// needed). Events of parallel uploads arrive one at a time.
type Event struct {
	Kind StepKind
	// Name is the function's manifest name, the asset's path under static/,
	// manifest.json or the policy name.
	Name string
	// Target is the Lambda function name, the S3 key or the policy ARN.
	Target   string
	Action   Action
	Size     int64
	Duration time.Duration
	// Detail lists what changed (e.g. "code, memory 128→256 MB") or notes.
	Detail string
}

// Options configure a Provisioner.
type Options struct {
	// Bucket receives manifests and static assets; default the Clients'
	// bucket.
	Bucket string
	// ExecuteRole is the functions' execution role (name or ARN); default
	// DefaultExecuteRole.
	ExecuteRole string
	// InvokePolicy (name or ARN) gets the AllowLambda statement for the
	// functions; default DefaultInvokePolicy. NoInvokePolicy skips it.
	InvokePolicy   string
	NoInvokePolicy bool
	// MemoryMB and Timeout of the functions; defaults DefaultMemoryMB and
	// DefaultTimeout.
	MemoryMB int32
	Timeout  time.Duration
	// Env, if not nil, is the functions' complete environment; nil leaves
	// the environment of existing functions as it is.
	Env map[string]string
	// Update allows replacing what exists with different content (function
	// code or configuration, assets, manifest). Without it such differences
	// are conflicts and nothing is changed.
	Update bool
	// Concurrency bounds parallel S3 requests; default DefaultConcurrency.
	Concurrency int
	// OnEvent, if set, receives an Event per finished step.
	OnEvent func(Event)
}

func (o Options) withDefaults(c *Clients) (Options, error) {
	if o.Bucket == "" {
		o.Bucket = c.Bucket
	}
	if o.Bucket == "" {
		o.Bucket = DefaultBucket
	}
	if o.ExecuteRole == "" {
		o.ExecuteRole = DefaultExecuteRole
	}
	if o.InvokePolicy == "" {
		o.InvokePolicy = DefaultInvokePolicy
	}
	if o.MemoryMB == 0 {
		o.MemoryMB = DefaultMemoryMB
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.MemoryMB < MinMemoryMB || o.MemoryMB > MaxMemoryMB {
		return o, UsageError("memory %d MB is outside AWS Lambda's range %d..%d MB", o.MemoryMB, MinMemoryMB, MaxMemoryMB)
	}
	if o.Timeout < time.Second || o.Timeout > MaxTimeout || o.Timeout%time.Second != 0 {
		return o, UsageError("timeout %s must be whole seconds from 1s to %s", o.Timeout, MaxTimeout)
	}
	for k := range o.Env {
		if !validEnvName(k) {
			return o, UsageError("environment variable name %q is not valid for AWS Lambda (letters, digits and '_', starting with a letter)", k)
		}
	}
	return o, nil
}

func validEnvName(k string) bool {
	if len(k) < 2 {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !letter && (i == 0 || !(c >= '0' && c <= '9' || c == '_')) {
			return false
		}
	}
	return true
}

// Check validates the options (KindUsage errors) without AWS.
func (o Options) Check() error {
	_, err := o.withDefaults(&Clients{})
	return err
}

// Provisioner deploys bundles to AWS Lambda and S3.
type Provisioner struct {
	c    *Clients
	opts Options
}

// New returns a Provisioner. Bad options are a KindUsage error.
func New(c *Clients, opts Options) (*Provisioner, error) {
	o, err := opts.withDefaults(c)
	if err != nil {
		return nil, err
	}
	return &Provisioner{c: c, opts: o}, nil
}

// Options returns the options in effect (defaults filled in).
func (p *Provisioner) Options() Options { return p.opts }

// FunctionStep provisions one Lambda function.
type FunctionStep struct {
	// Name is the manifest function name; LambdaName the AWS name.
	Name       string `json:"name"`
	LambdaName string `json:"lambda_name"`
	ARN        string `json:"arn,omitempty"`
	Runtime    string `json:"runtime"`
	Handler    string `json:"handler"`
	MemoryMB   int32  `json:"memory_mb"`
	TimeoutSec int32  `json:"timeout_s"`
	// Size and CodeSHA256 (base64, as AWS reports it) of the uploaded zip.
	Size       int64  `json:"size"`
	CodeSHA256 string `json:"code_sha256"`
	// ConvertedFromGo1x: the bundle said go1.x; the function is deployed as
	// provided.al2023 with its handler repacked as bootstrap.
	ConvertedFromGo1x bool     `json:"converted_from_go1x,omitempty"`
	Action            Action   `json:"action"`
	Changes           []string `json:"changes,omitempty"`
	Done              bool     `json:"done"`
	DurationMS        int64    `json:"duration_ms"`

	zip                        []byte
	codeChanged, configChanged bool
}

// AssetStep uploads one S3 object: a static asset or the manifest.
type AssetStep struct {
	Name        string `json:"name"`
	Key         string `json:"key"`
	Size        int64  `json:"size"`
	ContentType string `json:"content_type"`
	SHA256      string `json:"sha256"`
	Action      Action `json:"action"`
	Done        bool   `json:"done"`
	DurationMS  int64  `json:"duration_ms"`

	md5  string
	read func() ([]byte, error)
}

// PolicyStep adds the functions to the invoke policy's AllowLambda
// statement.
type PolicyStep struct {
	Name string `json:"name"`
	ARN  string `json:"arn"`
	// Added are the function ARNs added to AllowLambda.
	Added      []string `json:"added,omitempty"`
	Action     Action   `json:"action"`
	Done       bool     `json:"done"`
	DurationMS int64    `json:"duration_ms"`
}

// Plan is what provisioning a bundle does: each step with its action
// (create, update or unchanged), computed from AWS's current state.
type Plan struct {
	AppID       apps.AppID      `json:"app_id"`
	Version     apps.AppVersion `json:"version"`
	Bucket      string          `json:"bucket"`
	Region      string          `json:"region"`
	ExecuteRole string          `json:"execute_role"`
	Functions   []*FunctionStep `json:"functions"`
	Assets      []*AssetStep    `json:"assets"`
	// Manifest is uploaded last, once everything it points at exists.
	Manifest *AssetStep  `json:"manifest"`
	Policy   *PolicyStep `json:"policy,omitempty"`
	Notes    []string    `json:"notes,omitempty"`
	// Conflicts are differences that need Options.Update.
	Conflicts []string `json:"conflicts,omitempty"`

	bundle  *bundle.Bundle
	applied atomic.Bool
}

// Changes counts the steps that create or update something.
func (p *Plan) Changes() int {
	n := 0
	for _, f := range p.Functions {
		if f.Action != ActionUnchanged {
			n++
		}
	}
	for _, a := range p.Assets {
		if a.Action != ActionUnchanged {
			n++
		}
	}
	if p.Manifest != nil && p.Manifest.Action != ActionUnchanged {
		n++
	}
	if p.Policy != nil && p.Policy.Action != ActionUnchanged {
		n++
	}
	return n
}

// Err is a KindUsage error listing the conflicts, or nil. (The flag it
// names, --update, is appsctl's Options.Update.)
func (p *Plan) Err() error {
	if len(p.Conflicts) == 0 {
		return nil
	}
	return UsageError("%s %s is already provisioned with different content (%s); rerun with --update to replace it",
		p.AppID, p.Version, strings.Join(p.Conflicts, "; "))
}

// InstallCommands are the Mattermost commands that install the app once
// provisioned: from the listing, and (self-managed servers with AWS
// credentials) straight from S3.
func (p *Plan) InstallCommands() []string {
	return []string{
		"/apps install listed " + string(p.AppID),
		"/apps install aws " + string(p.AppID) + " " + string(p.Version),
	}
}

// Report is the outcome of Apply (or, with DryRun, of Plan).
type Report struct {
	*Plan
	DryRun          bool     `json:"dry_run"`
	Changed         bool     `json:"changed"`
	DurationMS      int64    `json:"duration_ms"`
	InstallCommands []string `json:"install_commands"`
	Error           string   `json:"error,omitempty"`
}

// Provision plans and applies b (only plans with dryRun).
func (p *Provisioner) Provision(ctx context.Context, b *bundle.Bundle, dryRun bool) (*Report, error) {
	start := time.Now()
	plan, err := p.Plan(ctx, b)
	if err != nil {
		return nil, err
	}
	if dryRun {
		rep := &Report{Plan: plan, DryRun: true, DurationMS: ms(time.Since(start)), InstallCommands: plan.InstallCommands()}
		if err := plan.Err(); err != nil {
			rep.Error = err.Error()
			return rep, err
		}
		return rep, nil
	}
	rep, err := p.Apply(ctx, plan)
	if rep != nil {
		rep.DurationMS = ms(time.Since(start))
	}
	return rep, err
}

func ms(d time.Duration) int64 { return d.Milliseconds() }

// Plan checks b and reads AWS's state (nothing is changed) to decide each
// step. b must stay open until Apply is done. A bad bundle is a KindBundle
// error; missing AWS resources (bucket, execute role, invoke policy) are
// KindAWS errors that say how to create them. Differences that need
// Options.Update are listed in Plan.Conflicts (see Plan.Err).
func (p *Provisioner) Plan(ctx context.Context, b *bundle.Bundle) (*Plan, error) {
	if b == nil || b.Manifest == nil {
		return nil, BundleError("no bundle")
	}
	m := b.Manifest
	if m.AWSLambda == nil || len(b.Functions) == 0 {
		return nil, BundleError("app %s %s: the manifest has no aws_lambda functions to provision", m.AppID, m.Version)
	}
	plan := &Plan{
		AppID:   m.AppID,
		Version: m.Version,
		Bucket:  p.opts.Bucket,
		Region:  p.c.Region,
		bundle:  b,
	}

	// Functions: convert go1.x first, so that a bad bundle fails before any
	// AWS call.
	for _, f := range b.Functions {
		fs := &FunctionStep{
			Name:       f.Name,
			LambdaName: b.LambdaName(f),
			Runtime:    f.Runtime,
			Handler:    f.Handler,
			MemoryMB:   p.opts.MemoryMB,
			TimeoutSec: int32(p.opts.Timeout / time.Second),
		}
		if bundle.IsGo1x(f.Runtime) {
			origHandler := f.Handler
			conv, err := bundle.ConvertGo1x(f)
			if err != nil {
				return nil, BundleError("app %s %s: function %q: go1.x is retired and the function cannot be converted to %s: %w",
					m.AppID, m.Version, f.Name, bundle.RuntimeProvidedAL2023, err)
			}
			f = conv
			fs.Runtime, fs.Handler, fs.ConvertedFromGo1x = conv.Runtime, conv.Handler, true
			plan.Notes = append(plan.Notes, fmt.Sprintf("function %q: runtime go1.x is retired by AWS; deploying it as %s (handler %q repacked as %q)",
				f.Name, bundle.RuntimeProvidedAL2023, origHandler, bundle.BootstrapName))
		}
		sum := sha256.Sum256(f.Zip)
		fs.zip = f.Zip
		fs.Size = int64(len(f.Zip))
		fs.CodeSHA256 = base64.StdEncoding.EncodeToString(sum[:])
		plan.Functions = append(plan.Functions, fs)
	}

	// Static assets and the manifest: hash the content.
	for _, s := range b.Static {
		data, err := b.ReadStatic(s.Name)
		if err != nil {
			return nil, BundleError("app %s %s: %w", m.AppID, m.Version, err)
		}
		name := s.Name
		a := newAssetStep(name, b.StaticKey(s), data, contentType(name))
		a.read = func() ([]byte, error) { return b.ReadStatic(name) }
		plan.Assets = append(plan.Assets, a)
	}
	manifestJSON := b.ManifestJSON
	plan.Manifest = newAssetStep(bundle.ManifestName, b.ManifestKey(), manifestJSON, "application/json")
	plan.Manifest.read = func() ([]byte, error) { return manifestJSON, nil }

	// AWS state.
	if err := p.checkBucket(ctx); err != nil {
		return nil, err
	}
	roleARN, err := p.resolveRole(ctx)
	if err != nil {
		return nil, err
	}
	plan.ExecuteRole = roleARN
	for _, fs := range plan.Functions {
		if err := p.planFunction(ctx, plan, fs); err != nil {
			return nil, err
		}
	}
	all := append(append([]*AssetStep(nil), plan.Assets...), plan.Manifest)
	err = forEach(ctx, len(all), p.opts.Concurrency, func(ctx context.Context, i int) error {
		return p.planAsset(ctx, all[i])
	})
	if err != nil {
		return nil, err
	}
	for _, a := range all {
		if a.Action == ActionUpdate {
			plan.Conflicts = append(plan.Conflicts, fmt.Sprintf("s3://%s/%s differs", plan.Bucket, a.Key))
		}
	}
	if !p.opts.NoInvokePolicy {
		if plan.Policy, err = p.planPolicy(ctx, plan); err != nil {
			return nil, err
		}
	}
	if p.opts.Update {
		plan.Conflicts = nil
	}
	return plan, nil
}

func newAssetStep(name, key string, data []byte, ctype string) *AssetStep {
	sum := sha256.Sum256(data)
	m := md5.Sum(data) //nolint:gosec // ETag comparison
	return &AssetStep{
		Name:        name,
		Key:         key,
		Size:        int64(len(data)),
		ContentType: ctype,
		SHA256:      hex.EncodeToString(sum[:]),
		md5:         hex.EncodeToString(m[:]),
	}
}

func contentType(name string) string {
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

func (p *Provisioner) checkBucket(ctx context.Context) error {
	_, err := p.c.S3.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(p.opts.Bucket)})
	switch {
	case err == nil:
		return nil
	case isNotFound(err):
		return &Error{Kind: KindAWS, Err: fmt.Errorf("S3 bucket %q does not exist: create it with `appsctl aws init`, or choose another with --bucket or %s", p.opts.Bucket, EnvBucket)}
	}
	return awsError(err, "check S3 bucket %q (check the credentials, region %s and endpoint)", p.opts.Bucket, p.c.Region)
}

// resolveRole returns the execute role's ARN.
func (p *Provisioner) resolveRole(ctx context.Context) (string, error) {
	r := p.opts.ExecuteRole
	if strings.HasPrefix(r, "arn:") {
		return r, nil
	}
	out, err := p.c.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(r)})
	if err != nil {
		if isNotFound(err) {
			return "", &Error{Kind: KindAWS, Err: fmt.Errorf("execute role %q does not exist: create it with `appsctl aws init`, or name another with --execute-role", r)}
		}
		return "", awsError(err, "get execute role %q", r)
	}
	return aws.ToString(out.Role.Arn), nil
}

func (p *Provisioner) planFunction(ctx context.Context, plan *Plan, fs *FunctionStep) error {
	out, err := p.c.Lambda.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(fs.LambdaName)})
	if err != nil {
		if isNotFound(err) {
			fs.Action = ActionCreate
			fs.ARN = predictARN(plan.ExecuteRole, p.c.Region, fs.LambdaName)
			return nil
		}
		return awsError(err, "get Lambda function %q", fs.LambdaName)
	}
	fs.ARN = aws.ToString(out.FunctionArn)
	var changes []string
	if aws.ToString(out.CodeSha256) != fs.CodeSHA256 {
		changes = append(changes, "code")
		fs.codeChanged = true
	}
	cfg := func(what, from, to string) {
		if from != to {
			changes = append(changes, fmt.Sprintf("%s %s→%s", what, orNone(from), to))
			fs.configChanged = true
		}
	}
	cfg("runtime", string(out.Runtime), fs.Runtime)
	cfg("handler", aws.ToString(out.Handler), fs.Handler)
	cfg("role", aws.ToString(out.Role), plan.ExecuteRole)
	cfg("memory", fmt.Sprintf("%d MB", aws.ToInt32(out.MemorySize)), fmt.Sprintf("%d MB", fs.MemoryMB))
	cfg("timeout", fmt.Sprintf("%ds", aws.ToInt32(out.Timeout)), fmt.Sprintf("%ds", fs.TimeoutSec))
	if p.opts.Env != nil {
		var have map[string]string
		if out.Environment != nil {
			have = out.Environment.Variables
		}
		if !maps.Equal(have, p.opts.Env) && !(len(have) == 0 && len(p.opts.Env) == 0) {
			changes = append(changes, "environment")
			fs.configChanged = true
		}
	}
	if len(changes) == 0 {
		fs.Action = ActionUnchanged
		return nil
	}
	fs.Action = ActionUpdate
	fs.Changes = changes
	plan.Conflicts = append(plan.Conflicts, fmt.Sprintf("function %s differs: %s", fs.LambdaName, strings.Join(changes, ", ")))
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// predictARN is a new function's ARN, from the execute role's partition and
// account.
func predictARN(roleARN, region, name string) string {
	a, err := arn.Parse(roleARN)
	if err != nil {
		return ""
	}
	return arn.ARN{Partition: a.Partition, Service: "lambda", Region: region, AccountID: a.AccountID, Resource: "function:" + name}.String()
}

func (p *Provisioner) planAsset(ctx context.Context, a *AssetStep) error {
	out, err := p.c.S3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(p.opts.Bucket), Key: aws.String(a.Key)})
	if err != nil {
		if isNotFound(err) {
			a.Action = ActionCreate
			return nil
		}
		return awsError(err, "check s3://%s/%s", p.opts.Bucket, a.Key)
	}
	if sameObject(out, a) {
		a.Action = ActionUnchanged
	} else {
		a.Action = ActionUpdate
	}
	return nil
}

// sameObject compares an existing object with the content to upload: by the
// SHA-256 metadata that uploads set, else by size and (single-part, MD5)
// ETag.
func sameObject(out *s3.HeadObjectOutput, a *AssetStep) bool {
	for k, v := range out.Metadata {
		if strings.EqualFold(k, MetadataSHA256) {
			return v == a.SHA256
		}
	}
	etag := strings.Trim(aws.ToString(out.ETag), `"`)
	return aws.ToInt64(out.ContentLength) == a.Size && strings.EqualFold(etag, a.md5)
}

// findPolicy returns the ARN and default version of the invoke policy.
func (p *Provisioner) findPolicy(ctx context.Context, roleARN string) (string, string, error) {
	name := p.opts.InvokePolicy
	policyARN := name
	if !strings.HasPrefix(name, "arn:") {
		policyARN = ""
		if a, err := arn.Parse(roleARN); err == nil {
			policyARN = arn.ARN{Partition: a.Partition, Service: "iam", AccountID: a.AccountID, Resource: "policy/" + name}.String()
		}
	}
	if policyARN != "" {
		out, err := p.c.IAM.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(policyARN)})
		if err == nil {
			return policyARN, aws.ToString(out.Policy.DefaultVersionId), nil
		}
		if !isNotFound(err) {
			return "", "", awsError(err, "get invoke policy %q", name)
		}
	}
	if !strings.HasPrefix(name, "arn:") {
		pol, err := findPolicyByName(ctx, p.c.IAM, name)
		if err != nil {
			return "", "", awsError(err, "find invoke policy %q", name)
		}
		if pol != nil {
			return aws.ToString(pol.Arn), aws.ToString(pol.DefaultVersionId), nil
		}
	}
	return "", "", &Error{Kind: KindAWS, Err: fmt.Errorf("invoke policy %q does not exist: create it with `appsctl aws init`, name another with --policy, or skip it with --policy=''", name)}
}

// findPolicyByName lists the account's own policies for name.
func findPolicyByName(ctx context.Context, c *iam.Client, name string) (*iamtypes.Policy, error) {
	pg := iam.NewListPoliciesPaginator(c, &iam.ListPoliciesInput{Scope: iamtypes.PolicyScopeTypeLocal})
	for pg.HasMorePages() {
		page, err := pg.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for i := range page.Policies {
			if aws.ToString(page.Policies[i].PolicyName) == name {
				return &page.Policies[i], nil
			}
		}
	}
	return nil, nil
}

func (p *Provisioner) policyDocument(ctx context.Context, policyARN, version string) (*policyDocument, error) {
	out, err := p.c.IAM.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(policyARN), VersionId: aws.String(version)})
	if err != nil {
		return nil, awsError(err, "get invoke policy %s version %s", policyARN, version)
	}
	doc, err := decodePolicyDocument(aws.ToString(out.PolicyVersion.Document))
	if err != nil {
		return nil, &Error{Kind: KindAWS, Err: fmt.Errorf("invoke policy %s: %w", policyARN, err)}
	}
	return doc, nil
}

func (p *Provisioner) planPolicy(ctx context.Context, plan *Plan) (*PolicyStep, error) {
	policyARN, version, err := p.findPolicy(ctx, plan.ExecuteRole)
	if err != nil {
		return nil, err
	}
	doc, err := p.policyDocument(ctx, policyARN, version)
	if err != nil {
		return nil, err
	}
	step := &PolicyStep{Name: policyName(p.opts.InvokePolicy), ARN: policyARN, Action: ActionUnchanged}
	var arns []string
	for _, f := range plan.Functions {
		if f.ARN != "" {
			arns = append(arns, f.ARN)
		}
	}
	_, added, err := mergeAllowLambda(doc, arns)
	if err != nil {
		return nil, err
	}
	if len(added) > 0 {
		step.Action = ActionUpdate
		step.Added = added
	}
	return step, nil
}

func policyName(nameOrARN string) string {
	if i := strings.LastIndexByte(nameOrARN, '/'); i >= 0 && strings.HasPrefix(nameOrARN, "arn:") {
		return nameOrARN[i+1:]
	}
	return nameOrARN
}

// Apply carries out plan: functions (created or updated, waiting until they
// are ready), the invoke policy, the static assets (in parallel), and last
// the manifest, so that a listed manifest never points at missing
// functions or assets. It stops at the first failure, before the manifest.
// A plan applies once.
func (p *Provisioner) Apply(ctx context.Context, plan *Plan) (*Report, error) {
	start := time.Now()
	rep := &Report{Plan: plan, InstallCommands: plan.InstallCommands()}
	fail := func(err error) (*Report, error) {
		rep.DurationMS = ms(time.Since(start))
		rep.Changed = p.changedSoFar(plan)
		rep.Error = err.Error()
		return rep, err
	}
	if err := plan.Err(); err != nil {
		return fail(err)
	}
	if !plan.applied.CompareAndSwap(false, true) {
		return fail(UsageError("the plan for %s %s was already applied; make a new plan", plan.AppID, plan.Version))
	}
	if plan.bundle == nil {
		return fail(UsageError("the plan has no bundle"))
	}

	var arns []string
	for _, f := range plan.Functions {
		if err := p.applyFunction(ctx, plan, f); err != nil {
			return fail(err)
		}
		arns = append(arns, f.ARN)
	}
	if plan.Policy != nil {
		if err := p.applyPolicy(ctx, plan.Policy, arns); err != nil {
			return fail(err)
		}
	}
	var mu sync.Mutex
	err := forEach(ctx, len(plan.Assets), p.opts.Concurrency, func(ctx context.Context, i int) error {
		return p.applyAsset(ctx, StepAsset, plan.Assets[i], &mu)
	})
	if err != nil {
		return fail(err)
	}
	if err := p.applyAsset(ctx, StepManifest, plan.Manifest, &mu); err != nil {
		return fail(err)
	}
	rep.DurationMS = ms(time.Since(start))
	rep.Changed = p.changedSoFar(plan)
	return rep, nil
}

func (p *Provisioner) changedSoFar(plan *Plan) bool {
	for _, f := range plan.Functions {
		if f.Done && f.Action != ActionUnchanged {
			return true
		}
	}
	for _, a := range append(append([]*AssetStep(nil), plan.Assets...), plan.Manifest) {
		if a != nil && a.Done && a.Action != ActionUnchanged {
			return true
		}
	}
	return plan.Policy != nil && plan.Policy.Done && plan.Policy.Action != ActionUnchanged
}

func (p *Provisioner) emit(mu *sync.Mutex, e Event) {
	if p.opts.OnEvent == nil {
		return
	}
	if mu != nil {
		mu.Lock()
		defer mu.Unlock()
	}
	p.opts.OnEvent(e)
}

func (p *Provisioner) applyFunction(ctx context.Context, plan *Plan, f *FunctionStep) error {
	start := time.Now()
	var detail []string
	if f.ConvertedFromGo1x {
		detail = append(detail, "converted go1.x → "+bundle.RuntimeProvidedAL2023)
	}
	switch f.Action {
	case ActionCreate:
		out, err := p.createFunction(ctx, plan, f)
		if err != nil {
			return err
		}
		f.ARN = aws.ToString(out.FunctionArn)
		if err := p.waitActive(ctx, f.LambdaName); err != nil {
			return err
		}
	case ActionUpdate:
		// Configuration first: AWS blocks code updates of functions on
		// deprecated runtimes (go1.x), so the runtime must change first.
		if f.configChanged {
			in := &lambda.UpdateFunctionConfigurationInput{
				FunctionName: aws.String(f.LambdaName),
				Role:         aws.String(plan.ExecuteRole),
				Runtime:      lambdatypes.Runtime(f.Runtime),
				Handler:      aws.String(f.Handler),
				MemorySize:   aws.Int32(f.MemoryMB),
				Timeout:      aws.Int32(f.TimeoutSec),
			}
			if p.opts.Env != nil {
				in.Environment = &lambdatypes.Environment{Variables: p.opts.Env}
			}
			if _, err := p.c.Lambda.UpdateFunctionConfiguration(ctx, in); err != nil {
				return awsError(err, "update the configuration of Lambda function %q", f.LambdaName)
			}
			if err := p.waitUpdated(ctx, f.LambdaName); err != nil {
				return err
			}
		}
		if f.codeChanged {
			_, err := p.c.Lambda.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{
				FunctionName: aws.String(f.LambdaName),
				ZipFile:      f.zip,
			})
			if err != nil {
				return awsError(err, "update the code of Lambda function %q", f.LambdaName)
			}
			if err := p.waitUpdated(ctx, f.LambdaName); err != nil {
				return err
			}
		}
		detail = append(detail, f.Changes...)
	}
	f.Done = true
	f.DurationMS = ms(time.Since(start))
	p.emit(nil, Event{Kind: StepFunction, Name: f.Name, Target: f.LambdaName, Action: f.Action, Size: f.Size,
		Duration: time.Since(start), Detail: strings.Join(detail, ", ")})
	return nil
}

func (p *Provisioner) createFunction(ctx context.Context, plan *Plan, f *FunctionStep) (*lambda.CreateFunctionOutput, error) {
	in := &lambda.CreateFunctionInput{
		FunctionName: aws.String(f.LambdaName),
		Role:         aws.String(plan.ExecuteRole),
		Runtime:      lambdatypes.Runtime(f.Runtime),
		Handler:      aws.String(f.Handler),
		Code:         &lambdatypes.FunctionCode{ZipFile: f.zip},
		MemorySize:   aws.Int32(f.MemoryMB),
		Timeout:      aws.Int32(f.TimeoutSec),
		PackageType:  lambdatypes.PackageTypeZip,
		Description:  aws.String(fmt.Sprintf("Mattermost app %s %s, function %s", plan.AppID, plan.Version, f.Name)),
	}
	if p.opts.Env != nil {
		in.Environment = &lambdatypes.Environment{Variables: p.opts.Env}
	}
	deadline := time.Now().Add(roleRetryTimeout)
	for {
		out, err := p.c.Lambda.CreateFunction(ctx, in)
		if err == nil {
			return out, nil
		}
		// A role created moments ago may not be assumable yet.
		if errorCode(err) == "InvalidParameterValueException" && strings.Contains(err.Error(), "cannot be assumed") && time.Now().Before(deadline) {
			select {
			case <-time.After(3 * time.Second):
				continue
			case <-ctx.Done():
				return nil, awsError(ctx.Err(), "create Lambda function %q", f.LambdaName)
			}
		}
		return nil, awsError(err, "create Lambda function %q", f.LambdaName)
	}
}

func (p *Provisioner) waitActive(ctx context.Context, name string) error {
	w := lambda.NewFunctionActiveV2Waiter(p.c.Lambda, func(o *lambda.FunctionActiveV2WaiterOptions) {
		o.MinDelay, o.MaxDelay = time.Second, 5*time.Second
	})
	if err := w.Wait(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(name)}, waitTimeout); err != nil {
		return awsError(err, "wait for Lambda function %q to become active", name)
	}
	return nil
}

func (p *Provisioner) waitUpdated(ctx context.Context, name string) error {
	w := lambda.NewFunctionUpdatedV2Waiter(p.c.Lambda, func(o *lambda.FunctionUpdatedV2WaiterOptions) {
		o.MinDelay, o.MaxDelay = time.Second, 5*time.Second
	})
	if err := w.Wait(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(name)}, waitTimeout); err != nil {
		return awsError(err, "wait for the update of Lambda function %q", name)
	}
	return nil
}

// maxPolicyVersions is IAM's limit of versions per managed policy.
const maxPolicyVersions = 5

func (p *Provisioner) applyPolicy(ctx context.Context, step *PolicyStep, arns []string) error {
	start := time.Now()
	out, err := p.c.IAM.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(step.ARN)})
	if err != nil {
		return awsError(err, "get invoke policy %s", step.ARN)
	}
	doc, err := p.policyDocument(ctx, step.ARN, aws.ToString(out.Policy.DefaultVersionId))
	if err != nil {
		return err
	}
	newDoc, added, err := mergeAllowLambda(doc, arns)
	if err != nil {
		return err
	}
	step.Added = added
	step.Action = ActionUnchanged
	if len(added) > 0 {
		if err := p.makeRoomForPolicyVersion(ctx, step.ARN); err != nil {
			return err
		}
		_, err := p.c.IAM.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{
			PolicyArn:      aws.String(step.ARN),
			PolicyDocument: aws.String(newDoc),
			SetAsDefault:   true,
		})
		if err != nil {
			return awsError(err, "update invoke policy %s", step.ARN)
		}
		step.Action = ActionUpdate
	}
	step.Done = true
	step.DurationMS = ms(time.Since(start))
	detail := ""
	if len(added) > 0 {
		detail = fmt.Sprintf("%s +%d function(s)", AllowLambdaSid, len(added))
	}
	p.emit(nil, Event{Kind: StepPolicy, Name: step.Name, Target: step.ARN, Action: step.Action, Duration: time.Since(start), Detail: detail})
	return nil
}

// makeRoomForPolicyVersion deletes the oldest non-default versions so that
// one more fits.
func (p *Provisioner) makeRoomForPolicyVersion(ctx context.Context, policyARN string) error {
	out, err := p.c.IAM.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(policyARN)})
	if err != nil {
		return awsError(err, "list versions of invoke policy %s", policyARN)
	}
	var old []iamtypes.PolicyVersion
	for _, v := range out.Versions {
		if !v.IsDefaultVersion {
			old = append(old, v)
		}
	}
	sort.Slice(old, func(i, j int) bool { return aws.ToTime(old[i].CreateDate).Before(aws.ToTime(old[j].CreateDate)) })
	for n := len(out.Versions); n >= maxPolicyVersions && len(old) > 0; n-- {
		_, err := p.c.IAM.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: aws.String(policyARN), VersionId: old[0].VersionId})
		if err != nil {
			return awsError(err, "delete old version %s of invoke policy %s", aws.ToString(old[0].VersionId), policyARN)
		}
		old = old[1:]
	}
	return nil
}

func (p *Provisioner) applyAsset(ctx context.Context, kind StepKind, a *AssetStep, mu *sync.Mutex) error {
	start := time.Now()
	if a.Action != ActionUnchanged {
		data, err := a.read()
		if err != nil {
			return BundleError("read %s from the bundle: %w", a.Name, err)
		}
		if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != a.SHA256 {
			return BundleError("%s changed in the bundle since it was planned", a.Name)
		}
		_, err = p.c.S3.PutObject(ctx, &s3.PutObjectInput{
			Bucket:        aws.String(p.opts.Bucket),
			Key:           aws.String(a.Key),
			Body:          bytes.NewReader(data),
			ContentLength: aws.Int64(int64(len(data))),
			ContentType:   aws.String(a.ContentType),
			Metadata:      map[string]string{MetadataSHA256: a.SHA256},
		})
		if err != nil {
			return awsError(err, "upload %s to s3://%s/%s", a.Name, p.opts.Bucket, a.Key)
		}
	}
	a.Done = true
	a.DurationMS = ms(time.Since(start))
	p.emit(mu, Event{Kind: kind, Name: a.Name, Target: a.Key, Action: a.Action, Size: a.Size, Duration: time.Since(start)})
	return nil
}

// forEach runs fn for 0..n-1 on at most concurrency goroutines, stopping at
// the first error (returned; the others' context is canceled).
func forEach(ctx context.Context, n, concurrency int, fn func(ctx context.Context, i int) error) error {
	if n == 0 {
		return ctx.Err()
	}
	concurrency = max(1, min(concurrency, n))
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range concurrency {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := fn(ctx, i); err != nil {
					cancel(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return awsError(err, "provisioning interrupted")
		}
		return err
	}
	return nil
}
