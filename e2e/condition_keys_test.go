package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
)

// The request-context keys AWS supplies per action (aws:RequestTag,
// aws:TagKeys, iam:ResourceTag/aws:ResourceTag, iam:PolicyARN,
// iam:PermissionsBoundary), exercised with the IAM User Guide's published
// example policies through aws-sdk-go-v2, and with the attacks that worked
// while the keys were missing.

func tags(kv ...string) []types.Tag {
	var out []types.Tag
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, types.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return out
}

func wantDenied(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: allowed, want AccessDenied", what)
	}
	if code, _ := apiCode(t, err); code != "AccessDenied" {
		t.Fatalf("%s: got %v, want AccessDenied", what, err)
	}
}

func wantAllowed(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// IAM: Add a specific tag with specific values
// (reference_policies_examples_iam-add-tag-user-role), plus a Deny on
// aws:TagKeys: the ABAC escalation in which a user tags itself admin.
func TestConditionKeys_TagWithSpecificValues(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	root := e.iam(e.root)
	alice := e.mustUser("alice")
	e.mustUser("bob")
	e.mustPutUserPolicy("alice", "AddTag", `{
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "ConsoleDisplay", "Effect": "Allow",
         "Action": ["iam:GetRole", "iam:GetUser", "iam:ListRoles", "iam:ListRoleTags", "iam:ListUsers", "iam:ListUserTags"],
         "Resource": "*"},
        {"Sid": "AddTag", "Effect": "Allow", "Action": ["iam:TagUser", "iam:TagRole"], "Resource": "*",
         "Condition": {
            "StringEquals": {"aws:RequestTag/CostCenter": ["A-123", "B-456"]},
            "ForAllValues:StringEquals": {"aws:TagKeys": "CostCenter"}}}
    ]}`)
	c := e.iam(alice)
	tag := func(user string, kv ...string) error {
		_, err := c.TagUser(ctx, &iam.TagUserInput{UserName: aws.String(user), Tags: tags(kv...)})
		return err
	}
	wantAllowed(t, "CostCenter=A-123", tag("bob", "CostCenter", "A-123"))
	wantDenied(t, "CostCenter=C-789", tag("bob", "CostCenter", "C-789"))
	// ForAllValues over aws:TagKeys is an allow-list of keys: another key
	// alongside an allowed one is refused.
	wantDenied(t, "an extra key", tag("bob", "CostCenter", "A-123", "access-level", "admin"))
	wantDenied(t, "tagging itself admin", tag("alice", "access-level", "admin"))

	// A Deny on aws:TagKeys stops a user who may otherwise tag anything.
	e.mustPutUserPolicy("bob", "tagger", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"iam:TagUser","Resource":"*"},
		{"Effect":"Deny","Action":"iam:TagUser","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"aws:TagKeys":"access-level"}}}]}`)
	bobKey, err := root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("bob")})
	if err != nil {
		t.Fatal(err)
	}
	bob := fromSTS(bobKey.AccessKey.AccessKeyId, bobKey.AccessKey.SecretAccessKey, nil)
	_, err = e.iam(bob).TagUser(ctx, &iam.TagUserInput{UserName: aws.String("bob"), Tags: tags("team", "blue", "access-level", "admin")})
	wantDenied(t, "self-tagging access-level=admin past a Deny on aws:TagKeys", err)
	_, err = e.iam(bob).TagUser(ctx, &iam.TagUserInput{UserName: aws.String("bob"), Tags: tags("team", "blue")})
	wantAllowed(t, "another key", err)
	got, err := root.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: aws.String("bob")})
	if err != nil {
		t.Fatal(err)
	}
	for _, tg := range got.Tags {
		if *tg.Key == "access-level" {
			t.Fatalf("bob holds %s=%s", *tg.Key, *tg.Value)
		}
	}

	// UntagUser: aws:TagKeys holds the keys removed (access_iam-tags,
	// "allows removing only the tag with the temporary key").
	e.mustPutUserPolicy("alice", "untag", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:UntagUser","Resource":"*",
		"Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["temporary"]}}}]}`)
	_, err = c.UntagUser(ctx, &iam.UntagUserInput{UserName: aws.String("bob"), TagKeys: []string{"temporary"}})
	wantAllowed(t, "untag temporary", err)
	_, err = c.UntagUser(ctx, &iam.UntagUserInput{UserName: aws.String("bob"), TagKeys: []string{"CostCenter"}})
	wantDenied(t, "untag CostCenter", err)
}

// IAM: Add a specific tag to a user with a specific tag
// (reference_policies_examples_iam-add-tag), and a Deny on
// iam:ResourceTag protecting tagged users.
func TestConditionKeys_ResourceTags(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	root := e.iam(e.root)
	alice := e.mustUser("alice")
	for _, u := range []struct {
		name string
		tags []types.Tag
	}{{"manager", tags("JobFunction", "Manager")}, {"engineer", tags("JobFunction", "Engineer")}, {"admin", tags("protected", "true")}, {"temp", nil}} {
		if _, err := root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(u.name), Tags: u.tags}); err != nil {
			t.Fatal(err)
		}
	}
	e.mustPutUserPolicy("alice", "TagManager", `{
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "ListTagsForAllUsers", "Effect": "Allow", "Action": ["iam:ListUserTags", "iam:ListUsers"], "Resource": "*"},
        {"Sid": "TagManagerWithSpecificDepartment", "Effect": "Allow", "Action": "iam:TagUser", "Resource": "*",
         "Condition": {"StringEquals": {
                "iam:ResourceTag/JobFunction": "Manager",
                "aws:RequestTag/Department": ["Marketing", "Development", "QualityAssurance"]},
            "ForAllValues:StringEquals": {"aws:TagKeys": "Department"}}}
    ]}`)
	c := e.iam(alice)
	_, err := c.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("manager"), Tags: tags("Department", "Marketing")})
	wantAllowed(t, "tag a manager", err)
	_, err = c.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("engineer"), Tags: tags("Department", "Marketing")})
	wantDenied(t, "tag an engineer", err)
	_, err = c.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("temp"), Tags: tags("Department", "Marketing")})
	wantDenied(t, "tag an untagged user", err)

	// A Deny on iam:ResourceTag (and on aws:ResourceTag) protects an admin
	// from anyone allowed iam:* on users.
	for _, key := range []string{"iam:ResourceTag/protected", "aws:ResourceTag/protected"} {
		t.Run(key, func(t *testing.T) {
			e.mustPutUserPolicy("alice", "admin", `{"Version":"2012-10-17","Statement":[
				{"Effect":"Allow","Action":"iam:*","Resource":"*"},
				{"Effect":"Deny","Action":"iam:*","Resource":"*","Condition":{"StringEquals":{"`+key+`":"true"}}}]}`)
			_, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("admin")})
			wantDenied(t, "CreateAccessKey for a protected admin", err)
			_, err = c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("admin"), PolicyName: aws.String("x"),
				PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)})
			wantDenied(t, "PutUserPolicy on a protected admin", err)
			_, err = c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("ADMIN")}) // names are case-insensitive
			wantDenied(t, "DeleteUser of a protected admin by another case", err)
			_, err = c.UntagUser(ctx, &iam.UntagUserInput{UserName: aws.String("admin"), TagKeys: []string{"protected"}})
			wantDenied(t, "untagging the protection", err)
			key, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("engineer")})
			wantAllowed(t, "CreateAccessKey for an unprotected user", err)
			if _, err := root.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("engineer"), AccessKeyId: key.AccessKey.AccessKeyId}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// IAM: Limits managed policies that can be applied to an IAM user, group,
// or role (reference_policies_examples_iam_limit-managed), and its Deny
// counterpart for a named policy.
func TestConditionKeys_PolicyARN(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	root := e.iam(e.root)
	acct := e.node.Root.AccountID
	alice := e.mustUser("alice")
	e.mustUser("bob")
	if _, err := root.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("devs")}); err != nil {
		t.Fatal(err)
	}
	arn := map[string]string{}
	for _, name := range []string{"policy-name-1", "policy-name-2", "Admin"} {
		p, err := root.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(name),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)})
		if err != nil {
			t.Fatal(err)
		}
		arn[name] = *p.Policy.Arn
	}
	c := e.iam(alice)
	attach := func(name string) error {
		_, err := c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("bob"), PolicyArn: aws.String(name)})
		return err
	}

	t.Run("allow-list", func(t *testing.T) {
		e.mustPutUserPolicy("alice", "limit", `{
    "Version": "2012-10-17",
    "Statement": {
        "Effect": "Allow",
        "Action": ["iam:AttachUserPolicy", "iam:DetachUserPolicy"],
        "Resource": "*",
        "Condition": {"ArnEquals": {"iam:PolicyARN": ["arn:aws:iam::*:policy/policy-name-1", "arn:aws:iam::*:policy/policy-name-2"]}}
    }}`)
		wantAllowed(t, "attach policy-name-1", attach(arn["policy-name-1"]))
		wantDenied(t, "attach Admin", attach(arn["Admin"]))
		_, err := c.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: aws.String("bob"), PolicyArn: aws.String(arn["policy-name-1"])})
		wantAllowed(t, "detach policy-name-1", err)
		// A policy that does not exist is AccessDenied, not NoSuchEntity,
		// for a caller not allowed to attach it.
		wantDenied(t, "attach a missing policy", attach("arn:aws:iam::"+acct+":policy/nope"))
	})
	t.Run("deny a named policy", func(t *testing.T) {
		e.mustPutUserPolicy("alice", "limit", `{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Action":["iam:Attach*","iam:Detach*"],"Resource":"*"},
			{"Effect":"Deny","Action":["iam:AttachUserPolicy","iam:AttachGroupPolicy"],"Resource":"*",
			 "Condition":{"ArnEquals":{"iam:PolicyARN":"arn:aws:iam::`+acct+`:policy/Admin"}}}]}`)
		wantDenied(t, "attach Admin", attach(arn["Admin"]))
		wantDenied(t, "attach Admin named in another case", attach(strings.Replace(arn["Admin"], "Admin", "ADMIN", 1)))
		_, err := c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("devs"), PolicyArn: aws.String(arn["Admin"])})
		wantDenied(t, "attach Admin to a group", err)
		wantAllowed(t, "attach policy-name-2", attach(arn["policy-name-2"]))
		_, err = c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("devs"), PolicyArn: aws.String(arn["policy-name-2"])})
		wantAllowed(t, "attach policy-name-2 to a group", err)
	})
}

// Delegating responsibility with permissions boundaries
// (access_policies_boundaries, DelegatedUserBoundary): create users only
// with a given boundary, and manage only users that have it.
func TestConditionKeys_PermissionsBoundary(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	root := e.iam(e.root)
	acct := e.node.Root.AccountID
	zhang := e.mustUser("zhang")
	boundary := map[string]string{}
	for _, name := range []string{"XCompanyBoundaries", "Other", "ReadOnly"} {
		p, err := root.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(name),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:Get*","Resource":"*"}]}`)})
		if err != nil {
			t.Fatal(err)
		}
		boundary[name] = *p.Policy.Arn
	}
	e.mustPutUserPolicy("zhang", "DelegatedUserBoundary", `{
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "CreateOrChangeOnlyWithBoundary", "Effect": "Allow",
         "Action": ["iam:CreateUser", "iam:DeleteUserPolicy", "iam:AttachUserPolicy", "iam:DetachUserPolicy", "iam:PutUserPermissionsBoundary", "iam:PutUserPolicy"],
         "Resource": "*",
         "Condition": {"StringEquals": {"iam:PermissionsBoundary": "arn:aws:iam::`+acct+`:policy/XCompanyBoundaries"}}},
        {"Sid": "CloudWatchAndOtherIAMTasks", "Effect": "Allow",
         "Action": ["iam:GetUser", "iam:ListUsers", "iam:DeleteUser", "iam:CreateAccessKey", "iam:GetPolicy", "iam:ListPolicies"],
         "NotResource": "arn:aws:iam::`+acct+`:user/Maria"},
        {"Sid": "NoBoundaryPolicyEdit", "Effect": "Deny",
         "Action": ["iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion"],
         "Resource": ["arn:aws:iam::`+acct+`:policy/XCompanyBoundaries", "arn:aws:iam::`+acct+`:policy/DelegatedUserBoundary"]},
        {"Sid": "NoBoundaryUserDelete", "Effect": "Deny", "Action": "iam:DeleteUserPermissionsBoundary", "Resource": "*"}
    ]}`)
	c := e.iam(zhang)
	create := func(name, b string) error {
		in := &iam.CreateUserInput{UserName: aws.String(name)}
		if b != "" {
			in.PermissionsBoundary = aws.String(b)
		}
		_, err := c.CreateUser(ctx, in)
		return err
	}
	wantAllowed(t, "CreateUser with the boundary", create("worker", boundary["XCompanyBoundaries"]))
	wantDenied(t, "CreateUser without a boundary", create("free", ""))
	wantDenied(t, "CreateUser with another boundary", create("other", boundary["Other"]))

	// Users zhang did not create with the boundary are out of reach.
	if _, err := root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("unbounded")}); err != nil {
		t.Fatal(err)
	}
	attach := func(user string) error {
		_, err := c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String(user), PolicyArn: aws.String(boundary["ReadOnly"])})
		return err
	}
	wantAllowed(t, "AttachUserPolicy on a bounded user", attach("worker"))
	wantDenied(t, "AttachUserPolicy on an unbounded user", attach("unbounded"))
	put := func(user string) error {
		_, err := c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(user), PolicyName: aws.String("p"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}`)})
		return err
	}
	wantAllowed(t, "PutUserPolicy on a bounded user", put("worker"))
	wantDenied(t, "PutUserPolicy on an unbounded user", put("unbounded"))
	_, err := c.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("unbounded"), PermissionsBoundary: aws.String(boundary["XCompanyBoundaries"])})
	wantAllowed(t, "setting the boundary", err)
	_, err = c.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("worker"), PermissionsBoundary: aws.String(boundary["Other"])})
	wantDenied(t, "setting another boundary", err)
	_, err = c.DeleteUserPermissionsBoundary(ctx, &iam.DeleteUserPermissionsBoundaryInput{UserName: aws.String("worker")})
	wantDenied(t, "removing the boundary", err)
	_, err = c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(boundary["XCompanyBoundaries"])})
	wantDenied(t, "deleting the boundary policy", err)
}

// GetFederationToken and sts:TagSession see the session tags requested.
func TestConditionKeys_FederationSessionTags(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	alice := e.mustUser("alice")
	e.mustPutUserPolicy("alice", "fed", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["sts:GetFederationToken","sts:TagSession"],"Resource":"*"},
		{"Effect":"Deny","Action":"sts:GetFederationToken","Resource":"*","Condition":{"StringEquals":{"aws:RequestTag/role":"admin"}}},
		{"Effect":"Deny","Action":"sts:TagSession","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"aws:TagKeys":"cost-center"}}}]}`)
	c := e.sts(alice)
	fed := func(kv ...string) error {
		in := &sts.GetFederationTokenInput{Name: aws.String("app")}
		for i := 0; i+1 < len(kv); i += 2 {
			in.Tags = append(in.Tags, ststypes.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
		}
		_, err := c.GetFederationToken(ctx, in)
		return err
	}
	wantAllowed(t, "tags no Deny names", fed("role", "reader"))
	wantDenied(t, "role=admin on GetFederationToken", fed("role", "admin"))
	wantDenied(t, "cost-center on TagSession", fed("cost-center", "1"))

	// AWS managed policies do not exist in OpenSTS: refused, never a
	// session that silently has none of their permissions.
	_, err := c.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("app"),
		PolicyArns: []ststypes.PolicyDescriptorType{{Arn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}}})
	if code, msg := apiCode(t, err); code != "InvalidParameterValue" || !strings.Contains(msg, "AWS managed policy") {
		t.Fatalf("AWS managed PolicyArns: %v", err)
	}
}

// SimulatePrincipalPolicy sees the resource keys the real request would:
// the tags (and boundary) of the users and policies named by ResourceArns,
// unless ContextEntries say otherwise.
func TestConditionKeys_SimulationContext(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	root := e.iam(e.root)
	acct := e.node.Root.AccountID
	e.mustUser("alice")
	for _, u := range []struct {
		name string
		tags []types.Tag
	}{{"admin", tags("protected", "true")}, {"engineer", nil}} {
		if _, err := root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(u.name), Tags: u.tags}); err != nil {
			t.Fatal(err)
		}
	}
	e.mustPutUserPolicy("alice", "admin", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"iam:*","Resource":"*"},
		{"Effect":"Deny","Action":"iam:*","Resource":"*","Condition":{"StringEquals":{"iam:ResourceTag/protected":"true"}}}]}`)
	simulate := func(entries ...types.ContextEntry) map[string]types.PolicyEvaluationDecisionType {
		out, err := root.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{
			PolicySourceArn: aws.String("arn:aws:iam::" + acct + ":user/alice"),
			ActionNames:     []string{"iam:CreateAccessKey", "iam:ListUsers"},
			ResourceArns:    []string{"arn:aws:iam::" + acct + ":user/admin", "arn:aws:iam::" + acct + ":user/engineer"},
			ContextEntries:  entries,
		})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]types.PolicyEvaluationDecisionType{}
		for _, r := range out.EvaluationResults {
			got[*r.EvalActionName+" "+strings.TrimPrefix(*r.EvalResourceName, "arn:aws:iam::"+acct+":")] = r.EvalDecision
		}
		return got
	}
	got := simulate()
	for pair, want := range map[string]types.PolicyEvaluationDecisionType{
		"iam:CreateAccessKey user/admin":    types.PolicyEvaluationDecisionTypeExplicitDeny,
		"iam:CreateAccessKey user/engineer": types.PolicyEvaluationDecisionTypeAllowed,
		// ListUsers has no resource keys: the user's tags do not apply.
		"iam:ListUsers user/admin": types.PolicyEvaluationDecisionTypeAllowed,
	} {
		if got[pair] != want {
			t.Errorf("%s: %s, want %s (all: %v)", pair, got[pair], want, got)
		}
	}
	got = simulate(types.ContextEntry{ContextKeyName: aws.String("iam:ResourceTag/protected"),
		ContextKeyType: types.ContextKeyTypeEnumString, ContextKeyValues: []string{"false"}})
	if d := got["iam:CreateAccessKey user/admin"]; d != types.PolicyEvaluationDecisionTypeAllowed {
		t.Errorf("ContextEntries do not override the stored tags: %s", d)
	}
}
