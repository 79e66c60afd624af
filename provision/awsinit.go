package provision

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/mattermost-community/apps-plugin/apps"
)

// Defaults of InitOptions.
const (
	DefaultInvokeUser  = "mattermost-apps-invoke"
	DefaultInvokeGroup = "mattermost-apps-invoke-group"
	// LambdaBasicExecutionPolicyARN is attached to the execute role.
	LambdaBasicExecutionPolicyARN = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
)

// Step results of Init and Clean.
const (
	StatusExists  = "exists"
	StatusCreated = "created"
	StatusMissing = "missing" // dry run: would be created
	StatusDeleted = "deleted"
	StatusAbsent  = "absent" // clean: nothing to delete
	StatusKept    = "kept"
)

// InitStep is one resource checked or changed by Init or Clean.
type InitStep struct {
	Resource string `json:"resource"` // bucket, role, policy, group, user, access key, attachment, membership
	Name     string `json:"name"`
	Status   string `json:"status"`
	ARN      string `json:"arn,omitempty"`
}

// InitOptions configure Init and Clean.
type InitOptions struct {
	Bucket      string
	User        string
	Group       string
	Policy      string
	ExecuteRole string
	// CreateAccessKey creates an access key for the invoke user (Init).
	CreateAccessKey bool
	// DeleteRole also deletes the execute role (Clean).
	DeleteRole bool
	// DryRun only checks.
	DryRun bool
	// OnStep, if set, receives each step as it is done.
	OnStep func(InitStep)
}

func (o InitOptions) withDefaults(c *Clients) InitOptions {
	if o.Bucket == "" {
		o.Bucket = c.Bucket
	}
	if o.Bucket == "" {
		o.Bucket = DefaultBucket
	}
	if o.User == "" {
		o.User = DefaultInvokeUser
	}
	if o.Group == "" {
		o.Group = DefaultInvokeGroup
	}
	if o.Policy == "" {
		o.Policy = DefaultInvokePolicy
	}
	if o.ExecuteRole == "" {
		o.ExecuteRole = DefaultExecuteRole
	}
	return o
}

// InitReport is the outcome of Init or Clean.
type InitReport struct {
	Steps  []InitStep `json:"steps"`
	DryRun bool       `json:"dry_run"`
	// AccessKeyID and SecretAccessKey are the invoke user's new access key
	// (Init with CreateAccessKey).
	AccessKeyID     string `json:"access_key_id,omitempty"`
	SecretAccessKey string `json:"secret_access_key,omitempty"`
}

type initRun struct {
	c   *Clients
	o   InitOptions
	rep *InitReport
}

func (r *initRun) step(resource, name, status, arn string) {
	s := InitStep{Resource: resource, Name: name, Status: status, ARN: arn}
	r.rep.Steps = append(r.rep.Steps, s)
	if r.o.OnStep != nil {
		r.o.OnStep(s)
	}
}

// created is StatusCreated, or StatusMissing in a dry run.
func (r *initRun) created() string {
	if r.o.DryRun {
		return StatusMissing
	}
	return StatusCreated
}

// Init makes sure everything the Apps plugin and provisioning need exists,
// creating what is missing (only checking with DryRun): the S3 bucket; the
// execute role for the functions (AWSLambdaBasicExecutionRole attached);
// the invoke policy (read manifests and static assets); the invoke group
// with the policy attached, and the invoke user in it; optionally an access
// key for that user (the plugin's credentials).
func Init(ctx context.Context, c *Clients, opts InitOptions) (*InitReport, error) {
	r := &initRun{c: c, o: opts.withDefaults(c), rep: &InitReport{DryRun: opts.DryRun}}
	for _, f := range []func(context.Context) error{r.bucket, r.role, r.policyGroupUser} {
		if err := f(ctx); err != nil {
			return r.rep, err
		}
	}
	return r.rep, nil
}

func (r *initRun) bucket(ctx context.Context) error {
	b := r.o.Bucket
	_, err := r.c.S3.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(b)})
	switch {
	case err == nil:
		r.step("bucket", b, StatusExists, "arn:aws:s3:::"+b)
		return nil
	case !isNotFound(err):
		return awsError(err, "check S3 bucket %q", b)
	}
	if !r.o.DryRun {
		in := &s3.CreateBucketInput{Bucket: aws.String(b)}
		if r.c.Region != "" && r.c.Region != "us-east-1" {
			in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(r.c.Region)}
		}
		if _, err := r.c.S3.CreateBucket(ctx, in); err != nil {
			return awsError(err, "create S3 bucket %q", b)
		}
	}
	r.step("bucket", b, r.created(), "arn:aws:s3:::"+b)
	return nil
}

func (r *initRun) role(ctx context.Context) error {
	name := r.o.ExecuteRole
	out, err := r.c.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	var roleARN string
	status := StatusExists
	switch {
	case err == nil:
		roleARN = aws.ToString(out.Role.Arn)
	case !isNotFound(err):
		return awsError(err, "get execute role %q", name)
	case r.o.DryRun:
		status = StatusMissing
	default:
		cr, err := r.c.IAM.CreateRole(ctx, &iam.CreateRoleInput{
			RoleName:                 aws.String(name),
			AssumeRolePolicyDocument: aws.String(AssumeRolePolicyDocument),
			Description:              aws.String("Execution role of Mattermost Apps Lambda functions"),
		})
		if err != nil {
			return awsError(err, "create execute role %q", name)
		}
		roleARN, status = aws.ToString(cr.Role.Arn), StatusCreated
	}
	r.step("role", name, status, roleARN)

	attached := false
	if status == StatusExists {
		pg := iam.NewListAttachedRolePoliciesPaginator(r.c.IAM, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(name)})
		for pg.HasMorePages() && !attached {
			page, err := pg.NextPage(ctx)
			if err != nil {
				return awsError(err, "list the policies of role %q", name)
			}
			for _, p := range page.AttachedPolicies {
				attached = attached || aws.ToString(p.PolicyArn) == LambdaBasicExecutionPolicyARN
			}
		}
	}
	what := name + " ← AWSLambdaBasicExecutionRole"
	if attached {
		r.step("attachment", what, StatusExists, LambdaBasicExecutionPolicyARN)
		return nil
	}
	if !r.o.DryRun {
		_, err := r.c.IAM.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(name), PolicyArn: aws.String(LambdaBasicExecutionPolicyARN)})
		if err != nil {
			return awsError(err, "attach AWSLambdaBasicExecutionRole to role %q", name)
		}
	}
	r.step("attachment", what, r.created(), LambdaBasicExecutionPolicyARN)
	return nil
}

func (r *initRun) policyGroupUser(ctx context.Context) error {
	// Policy.
	name := r.o.Policy
	var policyARN string
	status := StatusExists
	if strings.HasPrefix(name, "arn:") {
		if _, err := r.c.IAM.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(name)}); err != nil {
			return awsError(err, "get invoke policy %s", name)
		}
		policyARN = name
	} else {
		pol, err := findPolicyByName(ctx, r.c.IAM, name)
		switch {
		case err != nil:
			return awsError(err, "find invoke policy %q", name)
		case pol != nil:
			policyARN = aws.ToString(pol.Arn)
		case r.o.DryRun:
			status = StatusMissing
		default:
			out, err := r.c.IAM.CreatePolicy(ctx, &iam.CreatePolicyInput{
				PolicyName:     aws.String(name),
				PolicyDocument: aws.String(InvokePolicyDocument(r.o.Bucket)),
				Description:    aws.String("Lets the Mattermost Apps plugin read app manifests and assets and invoke app functions"),
			})
			if err != nil {
				return awsError(err, "create invoke policy %q", name)
			}
			policyARN, status = aws.ToString(out.Policy.Arn), StatusCreated
		}
	}
	r.step("policy", policyName(name), status, policyARN)

	// Group, with the policy attached.
	group := r.o.Group
	groupExists, err := r.exists(ctx, func(ctx context.Context) error {
		_, err := r.c.IAM.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String(group)})
		return err
	}, "get group %q", group)
	if err != nil {
		return err
	}
	if groupExists {
		r.step("group", group, StatusExists, "")
	} else {
		if !r.o.DryRun {
			if _, err := r.c.IAM.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String(group)}); err != nil {
				return awsError(err, "create group %q", group)
			}
		}
		r.step("group", group, r.created(), "")
	}
	attached := false
	if groupExists && policyARN != "" {
		pg := iam.NewListAttachedGroupPoliciesPaginator(r.c.IAM, &iam.ListAttachedGroupPoliciesInput{GroupName: aws.String(group)})
		for pg.HasMorePages() && !attached {
			page, err := pg.NextPage(ctx)
			if err != nil {
				return awsError(err, "list the policies of group %q", group)
			}
			for _, p := range page.AttachedPolicies {
				attached = attached || aws.ToString(p.PolicyArn) == policyARN
			}
		}
	}
	what := group + " ← " + policyName(name)
	if attached {
		r.step("attachment", what, StatusExists, policyARN)
	} else {
		if !r.o.DryRun {
			if _, err := r.c.IAM.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String(group), PolicyArn: aws.String(policyARN)}); err != nil {
				return awsError(err, "attach policy %q to group %q", name, group)
			}
		}
		r.step("attachment", what, r.created(), policyARN)
	}

	// User, in the group.
	user := r.o.User
	var userARN string
	userExists, err := r.exists(ctx, func(ctx context.Context) error {
		out, err := r.c.IAM.GetUser(ctx, &iam.GetUserInput{UserName: aws.String(user)})
		if err == nil {
			userARN = aws.ToString(out.User.Arn)
		}
		return err
	}, "get user %q", user)
	if err != nil {
		return err
	}
	if userExists {
		r.step("user", user, StatusExists, userARN)
	} else {
		if !r.o.DryRun {
			out, err := r.c.IAM.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(user)})
			if err != nil {
				return awsError(err, "create user %q", user)
			}
			userARN = aws.ToString(out.User.Arn)
		}
		r.step("user", user, r.created(), userARN)
	}
	member := false
	if userExists && groupExists {
		pg := iam.NewListGroupsForUserPaginator(r.c.IAM, &iam.ListGroupsForUserInput{UserName: aws.String(user)})
		for pg.HasMorePages() && !member {
			page, err := pg.NextPage(ctx)
			if err != nil {
				return awsError(err, "list the groups of user %q", user)
			}
			for _, g := range page.Groups {
				member = member || aws.ToString(g.GroupName) == group
			}
		}
	}
	what = user + " ∈ " + group
	if member {
		r.step("membership", what, StatusExists, "")
	} else {
		if !r.o.DryRun {
			if _, err := r.c.IAM.AddUserToGroup(ctx, &iam.AddUserToGroupInput{UserName: aws.String(user), GroupName: aws.String(group)}); err != nil {
				return awsError(err, "add user %q to group %q", user, group)
			}
		}
		r.step("membership", what, r.created(), "")
	}

	if r.o.CreateAccessKey {
		if r.o.DryRun {
			r.step("access key", user, StatusMissing, "")
			return nil
		}
		out, err := r.c.IAM.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(user)})
		if err != nil {
			return awsError(err, "create an access key for user %q (a user has at most 2: delete one with `aws iam delete-access-key`)", user)
		}
		r.rep.AccessKeyID = aws.ToString(out.AccessKey.AccessKeyId)
		r.rep.SecretAccessKey = aws.ToString(out.AccessKey.SecretAccessKey)
		r.step("access key", user, StatusCreated, r.rep.AccessKeyID)
	}
	return nil
}

// exists runs get: true if it succeeds, false if it fails with "not found".
func (r *initRun) exists(ctx context.Context, get func(context.Context) error, format string, args ...any) (bool, error) {
	err := get(ctx)
	switch {
	case err == nil:
		return true, nil
	case isNotFound(err):
		return false, nil
	}
	return false, awsError(err, format, args...)
}

// Clean removes what Init created for the plugin's credentials: the invoke
// user (and its access keys) from the group, the group, the invoke policy
// and the user; with DeleteRole also the execute role. Lambda functions, the
// bucket and its objects are kept.
func Clean(ctx context.Context, c *Clients, opts InitOptions) (*InitReport, error) {
	r := &initRun{c: c, o: opts.withDefaults(c), rep: &InitReport{DryRun: opts.DryRun}}
	o := r.o
	done := func(found bool) string {
		switch {
		case !found:
			return StatusAbsent
		case o.DryRun:
			return StatusExists
		}
		return StatusDeleted
	}
	do := func(found bool, err error, call func() error, format string, args ...any) error {
		if err != nil {
			return err
		}
		if !found || o.DryRun {
			return nil
		}
		if err := call(); err != nil && !isNotFound(err) {
			return awsError(err, format, args...)
		}
		return nil
	}

	// User: access keys, group membership.
	userExists, err := r.exists(ctx, func(ctx context.Context) error {
		_, err := c.IAM.GetUser(ctx, &iam.GetUserInput{UserName: aws.String(o.User)})
		return err
	}, "get user %q", o.User)
	if err != nil {
		return r.rep, err
	}
	if userExists {
		keys, err := c.IAM.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String(o.User)})
		if err != nil {
			return r.rep, awsError(err, "list the access keys of user %q", o.User)
		}
		for _, k := range keys.AccessKeyMetadata {
			id := aws.ToString(k.AccessKeyId)
			if err := do(true, nil, func() error {
				_, err := c.IAM.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String(o.User), AccessKeyId: aws.String(id)})
				return err
			}, "delete access key %s of user %q", id, o.User); err != nil {
				return r.rep, err
			}
			r.step("access key", o.User, done(true), id)
		}
		groups, err := c.IAM.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: aws.String(o.User)})
		if err != nil {
			return r.rep, awsError(err, "list the groups of user %q", o.User)
		}
		for _, g := range groups.Groups {
			gn := aws.ToString(g.GroupName)
			if gn != o.Group {
				continue
			}
			if err := do(true, nil, func() error {
				_, err := c.IAM.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{UserName: aws.String(o.User), GroupName: aws.String(gn)})
				return err
			}, "remove user %q from group %q", o.User, gn); err != nil {
				return r.rep, err
			}
			r.step("membership", o.User+" ∈ "+gn, done(true), "")
		}
	}

	// Policy: detach from the group, delete its versions and itself.
	var policyARN string
	if strings.HasPrefix(o.Policy, "arn:") {
		policyARN = o.Policy
	} else {
		pol, err := findPolicyByName(ctx, c.IAM, o.Policy)
		if err != nil {
			return r.rep, awsError(err, "find invoke policy %q", o.Policy)
		}
		if pol != nil {
			policyARN = aws.ToString(pol.Arn)
		}
	}
	groupExists, err := r.exists(ctx, func(ctx context.Context) error {
		_, err := c.IAM.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String(o.Group)})
		return err
	}, "get group %q", o.Group)
	if err != nil {
		return r.rep, err
	}
	if groupExists && policyARN != "" {
		out, err := c.IAM.ListAttachedGroupPolicies(ctx, &iam.ListAttachedGroupPoliciesInput{GroupName: aws.String(o.Group)})
		if err != nil {
			return r.rep, awsError(err, "list the policies of group %q", o.Group)
		}
		for _, p := range out.AttachedPolicies {
			if aws.ToString(p.PolicyArn) != policyARN {
				continue
			}
			if err := do(true, nil, func() error {
				_, err := c.IAM.DetachGroupPolicy(ctx, &iam.DetachGroupPolicyInput{GroupName: aws.String(o.Group), PolicyArn: aws.String(policyARN)})
				return err
			}, "detach policy %s from group %q", policyARN, o.Group); err != nil {
				return r.rep, err
			}
			r.step("attachment", o.Group+" ← "+policyName(o.Policy), done(true), policyARN)
		}
	}
	if policyARN != "" {
		err := do(true, nil, func() error {
			vs, err := c.IAM.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(policyARN)})
			if err != nil {
				return err
			}
			for _, v := range vs.Versions {
				if v.IsDefaultVersion {
					continue
				}
				if _, err := c.IAM.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: aws.String(policyARN), VersionId: v.VersionId}); err != nil {
					return err
				}
			}
			_, err = c.IAM.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(policyARN)})
			return err
		}, "delete invoke policy %s (detach it from other users, groups and roles first)", policyARN)
		if err != nil {
			return r.rep, err
		}
	}
	r.step("policy", policyName(o.Policy), done(policyARN != ""), policyARN)

	if err := do(groupExists, nil, func() error {
		_, err := c.IAM.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String(o.Group)})
		return err
	}, "delete group %q (remove its other users and policies first)", o.Group); err != nil {
		return r.rep, err
	}
	r.step("group", o.Group, done(groupExists), "")
	if err := do(userExists, nil, func() error {
		_, err := c.IAM.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String(o.User)})
		return err
	}, "delete user %q (remove its other groups, policies and keys first)", o.User); err != nil {
		return r.rep, err
	}
	r.step("user", o.User, done(userExists), "")

	// Execute role.
	if !o.DeleteRole || strings.HasPrefix(o.ExecuteRole, "arn:") {
		r.step("role", o.ExecuteRole, StatusKept, "")
	} else {
		roleExists, err := r.exists(ctx, func(ctx context.Context) error {
			_, err := c.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(o.ExecuteRole)})
			return err
		}, "get execute role %q", o.ExecuteRole)
		if err == nil {
			err = do(roleExists, nil, func() error {
				out, err := c.IAM.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(o.ExecuteRole)})
				if err != nil {
					return err
				}
				for _, p := range out.AttachedPolicies {
					if _, err := c.IAM.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String(o.ExecuteRole), PolicyArn: p.PolicyArn}); err != nil {
						return err
					}
				}
				_, err = c.IAM.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(o.ExecuteRole)})
				return err
			}, "delete execute role %q", o.ExecuteRole)
		}
		if err != nil {
			return r.rep, err
		}
		r.step("role", o.ExecuteRole, done(roleExists), "")
	}
	r.step("functions and bucket", r.o.Bucket, StatusKept, "")
	return r.rep, nil
}

// CheckReport is the outcome of CheckApp.
type CheckReport struct {
	AppID       apps.AppID      `json:"app_id"`
	Version     apps.AppVersion `json:"version"`
	ManifestKey string          `json:"manifest_key"`
	// Function is the Lambda function that answered /ping.
	Function   string `json:"function"`
	PingStatus int    `json:"ping_status"`
	// PingResponse is the CallResponse the function returned.
	PingResponse json.RawMessage `json:"ping_response"`
	PingMS       int64           `json:"ping_ms"`
	// StaticKey and StaticSize: the static file read (none if the app has
	// none).
	StaticKey  string `json:"static_key,omitempty"`
	StaticSize int64  `json:"static_size,omitempty"`
}

// CheckApp checks a provisioned app: its manifest is in the bucket, its
// function for /ping answers an Apps call with an "ok" response, and a
// static file (staticName, else the icon, else the first one) can be read.
func CheckApp(ctx context.Context, c *Clients, bucket string, appID apps.AppID, version apps.AppVersion, staticName string) (*CheckReport, error) {
	if bucket == "" {
		bucket = c.Bucket
	}
	rep := &CheckReport{AppID: appID, Version: version, ManifestKey: apps.ManifestS3Key(appID, version)}
	data, err := getObject(ctx, c.S3, bucket, rep.ManifestKey, apps.MaxManifestSize)
	if err != nil {
		if isNotFound(err) {
			return rep, &Error{Kind: KindAWS, Err: fmt.Errorf("%s %s is not provisioned: no s3://%s/%s (provision it with `appsctl provision app`)", appID, version, bucket, rep.ManifestKey)}
		}
		return rep, awsError(err, "read s3://%s/%s", bucket, rep.ManifestKey)
	}
	m, err := apps.DecodeManifest(data)
	if err != nil {
		return rep, &Error{Kind: KindAWS, Err: fmt.Errorf("s3://%s/%s: %w", bucket, rep.ManifestKey, err)}
	}
	if m.AppID != appID || m.Version != version {
		return rep, &Error{Kind: KindAWS, Err: fmt.Errorf("s3://%s/%s holds %s %s", bucket, rep.ManifestKey, m.AppID, m.Version)}
	}
	if m.AWSLambda == nil {
		return rep, &Error{Kind: KindAWS, Err: fmt.Errorf("%s %s has no aws_lambda functions", appID, version)}
	}

	// The function whose path is the longest prefix of /ping.
	const pingPath = "/ping"
	var fn *apps.AWSLambdaFunction
	for i, f := range m.AWSLambda.Functions {
		p := strings.TrimSuffix(f.Path, "/")
		if (p == "" || strings.HasPrefix(pingPath, p)) && (fn == nil || len(f.Path) > len(fn.Path)) {
			fn = &m.AWSLambda.Functions[i]
		}
	}
	if fn == nil {
		return rep, &Error{Kind: KindAWS, Err: fmt.Errorf("%s %s has no function for %s", appID, version, pingPath)}
	}
	rep.Function = apps.LambdaName(appID, version, fn.Name)
	body, _ := json.Marshal(map[string]any{"path": pingPath, "context": map[string]any{"app_id": appID}})
	payload, _ := json.Marshal(apps.HTTPCallRequest{
		Path:       pingPath,
		HTTPMethod: "POST",
		Headers:    map[string]string{"Content-Type": "application/json"},
		Body:       string(body),
	})
	start := time.Now()
	out, err := c.Lambda.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(rep.Function), Payload: payload})
	rep.PingMS = ms(time.Since(start))
	if err != nil {
		return rep, awsError(err, "invoke %s", rep.Function)
	}
	if out.FunctionError != nil {
		return rep, &Error{Kind: KindAWS, Err: fmt.Errorf("%s failed (%s): %s", rep.Function, aws.ToString(out.FunctionError), truncate(out.Payload, 500))}
	}
	var resp apps.HTTPCallResponse
	if err := json.Unmarshal(out.Payload, &resp); err != nil {
		return rep, &Error{Kind: KindAWS, Err: fmt.Errorf("%s returned %q, not an API Gateway proxy response: %w", rep.Function, truncate(out.Payload, 200), err)}
	}
	rep.PingStatus = resp.StatusCode
	rep.PingResponse = json.RawMessage(strings.TrimSpace(resp.Body))
	if !json.Valid(rep.PingResponse) {
		rep.PingResponse, _ = json.Marshal(resp.Body)
	}
	var cr struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	_ = json.Unmarshal([]byte(resp.Body), &cr)
	if resp.StatusCode != 200 || (cr.Type != "ok" && cr.Type != "") {
		return rep, &Error{Kind: KindAWS, Err: fmt.Errorf("%s answered %s with status %d: %s", rep.Function, pingPath, resp.StatusCode, truncate([]byte(resp.Body), 500))}
	}

	// A static file.
	key := ""
	switch {
	case staticName != "":
		key = apps.StaticS3Key(appID, version, staticName)
	case m.Icon != "":
		key = apps.StaticS3Key(appID, version, m.Icon)
	default:
		prefix := apps.StaticS3Key(appID, version, "")
		lo, err := c.S3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix), MaxKeys: aws.Int32(1)})
		if err != nil {
			return rep, awsError(err, "list s3://%s/%s", bucket, prefix)
		}
		if len(lo.Contents) > 0 {
			key = aws.ToString(lo.Contents[0].Key)
		}
	}
	if key != "" {
		data, err := getObject(ctx, c.S3, bucket, key, 1<<30)
		if err != nil {
			return rep, awsError(err, "read static file s3://%s/%s", bucket, key)
		}
		rep.StaticKey, rep.StaticSize = key, int64(len(data))
	}
	return rep, nil
}

func getObject(ctx context.Context, c *s3.Client, bucket, key string, limit int64) ([]byte, error) {
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return nil, err
	}
	defer out.Body.Close()
	data, err := io.ReadAll(io.LimitReader(out.Body, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("s3://%s/%s is larger than %d bytes", bucket, key, limit)
	}
	return data, nil
}

func truncate(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}
