package localaws

import (
	"context"
	"errors"
	"net/url"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

const (
	assumeRoleDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	invokePolicy  = `{"Version":"2012-10-17","Statement":[{"Sid":"AllowS3","Effect":"Allow","Action":["s3:GetObject"],"Resource":["arn:aws:s3:::bucket/manifests/*"]}]}`
	invokePolicy2 = `{"Version":"2012-10-17","Statement":[{"Sid":"AllowLambda","Effect":"Allow","Action":["lambda:InvokeFunction"],"Resource":["arn:aws:lambda:us-east-1:000000000000:function:x"]}]}`
	basicExecRole = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
)

// TestIAMAppsctlFlow walks through what appsctl's "aws init", "deploy" and
// "clean" do, with the real SDK client.
func TestIAMAppsctlFlow(t *testing.T) {
	t.Parallel()
	s := startServer(t, Options{})
	c := iamClient(s)
	ctx := context.Background()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}

	// Roles.
	_, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("mattermost-apps-execute-lambda-role")})
	var nse *iamtypes.NoSuchEntityException
	if !errors.As(err, &nse) {
		t.Fatalf("GetRole of a missing role: %v", err)
	}
	cr, err := c.CreateRole(ctx, &iam.CreateRoleInput{
		RoleName:                 aws.String("mattermost-apps-execute-lambda-role"),
		AssumeRolePolicyDocument: aws.String(assumeRoleDoc),
	})
	must("CreateRole", err)
	if aws.ToString(cr.Role.Arn) != "arn:aws:iam::000000000000:role/mattermost-apps-execute-lambda-role" || cr.Role.CreateDate == nil {
		t.Errorf("CreateRole = %+v", cr.Role)
	}
	_, err = c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("mattermost-apps-execute-lambda-role"), AssumeRolePolicyDocument: aws.String(assumeRoleDoc)})
	var eae *iamtypes.EntityAlreadyExistsException
	if !errors.As(err, &eae) {
		t.Errorf("duplicate CreateRole: %v", err)
	}
	gr, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("mattermost-apps-execute-lambda-role")})
	must("GetRole", err)
	if doc, _ := url.QueryUnescape(aws.ToString(gr.Role.AssumeRolePolicyDocument)); doc != assumeRoleDoc {
		t.Errorf("AssumeRolePolicyDocument = %q (decoded %q)", aws.ToString(gr.Role.AssumeRolePolicyDocument), doc)
	}

	// Managed policy and versions.
	cp, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("mattermost-apps-invoke-policy"), PolicyDocument: aws.String(invokePolicy)})
	must("CreatePolicy", err)
	policyARN := aws.ToString(cp.Policy.Arn)
	if policyARN != "arn:aws:iam::000000000000:policy/mattermost-apps-invoke-policy" || aws.ToString(cp.Policy.DefaultVersionId) != "v1" {
		t.Errorf("CreatePolicy = %+v", cp.Policy)
	}
	_, err = c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("mattermost-apps-invoke-policy"), PolicyDocument: aws.String(invokePolicy)})
	if !errors.As(err, &eae) {
		t.Errorf("duplicate CreatePolicy: %v", err)
	}
	_, err = c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("bad"), PolicyDocument: aws.String("{nope")})
	var mpd *iamtypes.MalformedPolicyDocumentException
	if !errors.As(err, &mpd) {
		t.Errorf("malformed policy: %v", err)
	}

	_, err = c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("mattermost-apps-execute-lambda-role"), PolicyArn: aws.String(basicExecRole)})
	must("AttachRolePolicy (AWS managed)", err)
	_, err = c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("mattermost-apps-execute-lambda-role"), PolicyArn: aws.String(policyARN)})
	must("AttachRolePolicy", err)
	_, err = c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("mattermost-apps-execute-lambda-role"), PolicyArn: aws.String("arn:aws:iam::000000000000:policy/nope")})
	if !errors.As(err, &nse) {
		t.Errorf("attach missing policy: %v", err)
	}
	ar, err := c.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("mattermost-apps-execute-lambda-role")})
	must("ListAttachedRolePolicies", err)
	if len(ar.AttachedPolicies) != 2 || aws.ToString(ar.AttachedPolicies[0].PolicyName) != "AWSLambdaBasicExecutionRole" {
		t.Errorf("attached policies = %+v", ar.AttachedPolicies)
	}

	gp, err := c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(policyARN)})
	must("GetPolicy", err)
	if aws.ToInt32(gp.Policy.AttachmentCount) != 1 {
		t.Errorf("AttachmentCount = %d", aws.ToInt32(gp.Policy.AttachmentCount))
	}
	pv, err := c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(policyARN), PolicyDocument: aws.String(invokePolicy2), SetAsDefault: true})
	must("CreatePolicyVersion", err)
	if aws.ToString(pv.PolicyVersion.VersionId) != "v2" || !pv.PolicyVersion.IsDefaultVersion {
		t.Errorf("CreatePolicyVersion = %+v", pv.PolicyVersion)
	}
	lv, err := c.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(policyARN)})
	must("ListPolicyVersions", err)
	if len(lv.Versions) != 2 || aws.ToString(lv.Versions[0].VersionId) != "v2" {
		t.Errorf("versions = %+v", lv.Versions)
	}
	gv, err := c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(policyARN), VersionId: aws.String("v2")})
	must("GetPolicyVersion", err)
	if doc, _ := url.QueryUnescape(aws.ToString(gv.PolicyVersion.Document)); doc != invokePolicy2 {
		t.Errorf("policy version document = %q", doc)
	}
	_, err = c.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: aws.String(policyARN), VersionId: aws.String("v2")})
	var dc *iamtypes.DeleteConflictException
	if !errors.As(err, &dc) {
		t.Errorf("delete default version: %v", err)
	}
	_, err = c.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: aws.String(policyARN), VersionId: aws.String("v1")})
	must("DeletePolicyVersion", err)
	for range 5 { // v2 plus four more is the maximum of five
		_, err = c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(policyARN), PolicyDocument: aws.String(invokePolicy)})
	}
	var le *iamtypes.LimitExceededException
	if !errors.As(err, &le) {
		t.Errorf("sixth policy version: %v", err)
	}

	// Users, groups, access keys.
	cu, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("mattermost-apps-invoke")})
	must("CreateUser", err)
	if aws.ToString(cu.User.Arn) != "arn:aws:iam::000000000000:user/mattermost-apps-invoke" {
		t.Errorf("CreateUser = %+v", cu.User)
	}
	_, err = c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("mattermost-apps-invoke")})
	must("GetUser", err)
	_, err = c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("mattermost-apps-invoke-group")})
	must("CreateGroup", err)
	_, err = c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("mattermost-apps-invoke-group"), UserName: aws.String("mattermost-apps-invoke")})
	must("AddUserToGroup", err)
	gg, err := c.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("mattermost-apps-invoke-group")})
	must("GetGroup", err)
	if len(gg.Users) != 1 || aws.ToString(gg.Users[0].UserName) != "mattermost-apps-invoke" {
		t.Errorf("group users = %+v", gg.Users)
	}
	_, err = c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("mattermost-apps-invoke-group"), PolicyArn: aws.String(policyARN)})
	must("AttachGroupPolicy", err)
	ak, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("mattermost-apps-invoke")})
	must("CreateAccessKey", err)
	if len(aws.ToString(ak.AccessKey.AccessKeyId)) != 20 || len(aws.ToString(ak.AccessKey.SecretAccessKey)) != 40 {
		t.Errorf("access key = %+v", ak.AccessKey)
	}

	// The new access key identifies its user.
	keyed := awsConfig(s)
	keyed.Credentials = aws.NewCredentialsCache(aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: *ak.AccessKey.AccessKeyId, SecretAccessKey: *ak.AccessKey.SecretAccessKey}, nil
	}))
	me, err := iam.NewFromConfig(keyed, func(o *iam.Options) { o.BaseEndpoint = aws.String(s.URL()) }).GetUser(ctx, &iam.GetUserInput{})
	must("GetUser (caller)", err)
	if aws.ToString(me.User.UserName) != "mattermost-apps-invoke" {
		t.Errorf("caller = %+v", me.User)
	}
	id, err := sts.NewFromConfig(keyed, func(o *sts.Options) { o.BaseEndpoint = aws.String(s.URL()) }).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	must("GetCallerIdentity", err)
	if aws.ToString(id.Account) != AccountID {
		t.Errorf("account = %s", aws.ToString(id.Account))
	}

	// Clean up in appsctl "aws clean" order; conflicts first.
	_, err = c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("mattermost-apps-invoke")})
	if !errors.As(err, &dc) {
		t.Errorf("delete user with keys: %v", err)
	}
	_, err = c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(policyARN)})
	if !errors.As(err, &dc) {
		t.Errorf("delete attached policy: %v", err)
	}
	_, err = c.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: aws.String("mattermost-apps-invoke-group"), UserName: aws.String("mattermost-apps-invoke")})
	must("RemoveUserFromGroup", err)
	_, err = c.DetachGroupPolicy(ctx, &iam.DetachGroupPolicyInput{GroupName: aws.String("mattermost-apps-invoke-group"), PolicyArn: aws.String(policyARN)})
	must("DetachGroupPolicy", err)
	_, err = c.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String("mattermost-apps-execute-lambda-role"), PolicyArn: aws.String(policyARN)})
	must("DetachRolePolicy", err)
	_, err = c.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{AccessKeyId: ak.AccessKey.AccessKeyId})
	must("DeleteAccessKey", err)
	_, err = c.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{AccessKeyId: ak.AccessKey.AccessKeyId})
	if !errors.As(err, &nse) {
		t.Errorf("delete missing access key: %v", err)
	}
	_, err = c.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("mattermost-apps-invoke-group")})
	must("DeleteGroup", err)
	_, err = c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("mattermost-apps-invoke")})
	must("DeleteUser", err)
	lv, err = c.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(policyARN)})
	must("ListPolicyVersions", err)
	for _, v := range lv.Versions {
		if !v.IsDefaultVersion {
			_, err = c.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: aws.String(policyARN), VersionId: v.VersionId})
			must("DeletePolicyVersion", err)
		}
	}
	_, err = c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(policyARN)})
	must("DeletePolicy", err)
	_, err = c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(policyARN)})
	if !errors.As(err, &nse) {
		t.Errorf("GetPolicy after delete: %v", err)
	}
	_, err = c.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("mattermost-apps-invoke-group")})
	if !errors.As(err, &nse) {
		t.Errorf("GetGroup after delete: %v", err)
	}
}
