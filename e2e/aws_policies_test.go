package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
)

// wantErrorContaining fails unless err is an API error with code whose
// message contains text.
func wantErrorContaining(t *testing.T, what string, err error, code, text string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: success, want %s", what, code)
	}
	if gotCode, msg := apiCode(t, err); gotCode != code || !strings.Contains(msg, text) {
		t.Fatalf("%s: %s %q, want %s containing %q", what, gotCode, msg, code, text)
	}
}

// The AWS managed policies grant what AWS's documents grant, through every
// way a policy reaches a caller: attached to a user, to a group, to a role
// (and so to its sessions), as a permissions boundary, and as a session
// policy of GetFederationToken; IAM lists and describes them and reports
// who uses them. aws-sdk-go-v2 against a real server.
func TestAWSManagedPolicies_v2(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	root := e.iam(e.root)
	acct := e.node.Root.AccountID
	const (
		admin    = "arn:aws:iam::aws:policy/AdministratorAccess"
		power    = "arn:aws:iam::aws:policy/PowerUserAccess"
		readOnly = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"
	)
	alice, bob := e.mustUser("alice"), e.mustUser("bob")
	canList := func(c creds) error { _, err := e.iam(c).ListUsers(ctx, &iam.ListUsersInput{}); return err }
	canCreate := func(c creds, name string) error {
		_, err := e.iam(c).CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String(name)})
		return err
	}

	if err := canList(alice); err == nil {
		t.Fatal("alice can list users before any policy")
	}
	// Attached to a user: AdministratorAccess grants IAM.
	if _, err := root.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("alice"), PolicyArn: aws.String(admin)}); err != nil {
		t.Fatal(err)
	}
	if err := canCreate(alice, "made-by-alice"); err != nil {
		t.Fatalf("AdministratorAccess: %v", err)
	}
	// PowerUserAccess as her boundary takes IAM away again, except the
	// iam:ListRoles it names.
	if _, err := root.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("alice"), PermissionsBoundary: aws.String(power)}); err != nil {
		t.Fatal(err)
	}
	wantErrorContaining(t, "ListUsers within PowerUserAccess", canList(alice), "AccessDenied", "iam:ListUsers")
	if _, err := e.iam(alice).ListRoles(ctx, &iam.ListRolesInput{}); err != nil {
		t.Fatalf("ListRoles within PowerUserAccess: %v", err)
	}

	// Attached to a group: IAMReadOnlyAccess reads but does not write.
	if _, err := root.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("readers")}); err != nil {
		t.Fatal(err)
	}
	for _, call := range []func() error{
		func() error {
			_, err := root.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("readers"), UserName: aws.String("bob")})
			return err
		},
		func() error {
			_, err := root.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("readers"), PolicyArn: aws.String(readOnly)})
			return err
		},
	} {
		if err := call(); err != nil {
			t.Fatal(err)
		}
	}
	if err := canList(bob); err != nil {
		t.Fatalf("IAMReadOnlyAccess through a group: %v", err)
	}
	wantErrorContaining(t, "CreateGroup with IAMReadOnlyAccess", canCreate(bob, "made-by-bob"), "AccessDenied", "iam:CreateGroup")

	// Attached to a role: its sessions have it.
	role := e.mustRole("Reader", trustDoc("arn:aws:iam::"+acct+":user/bob", ""), "")
	if _, err := root.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("Reader"), PolicyArn: aws.String(readOnly)}); err != nil {
		t.Fatal(err)
	}
	out, err := e.sts(bob).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("reader")})
	if err != nil {
		t.Fatal(err)
	}
	session := creds{*out.Credentials.AccessKeyId, *out.Credentials.SecretAccessKey, *out.Credentials.SessionToken}
	if err := canList(session); err != nil {
		t.Fatalf("role session with IAMReadOnlyAccess: %v", err)
	}
	wantErrorContaining(t, "role session CreateGroup", canCreate(session, "made-by-session"), "AccessDenied", "iam:CreateGroup")

	// As a session policy: the federated user gets the intersection of
	// bob's policies and the AWS managed policy.
	store := newObjectStore(t, e)
	e.mustPutUserPolicy("bob", "federate", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:GetFederationToken","s3:GetObject"],"Resource":"*"}]}`)
	for _, c := range []struct {
		arn  string
		want int
	}{{admin, 200}, {readOnly, 403}} {
		fed, err := e.sts(bob).GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("bob-fed"),
			PolicyArns: []ststypes.PolicyDescriptorType{{Arn: aws.String(c.arn)}}})
		if err != nil {
			t.Fatal(err)
		}
		fedCreds := fromSTS(fed.Credentials.AccessKeyId, fed.Credentials.SecretAccessKey, fed.Credentials.SessionToken)
		if got := store.call(t, fedCreds, "GET", "/team-a/x"); got != c.want {
			t.Errorf("GetObject as a federated user with session policy %s: status %d, want %d", c.arn, got, c.want)
		}
	}
	_, err = e.sts(bob).GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("bob-fed"),
		PolicyArns: []ststypes.PolicyDescriptorType{{Arn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}}})
	wantErrorContaining(t, "GetFederationToken with an AWS policy OpenSTS lacks", err, "InvalidParameterValue", "AdministratorAccess, IAMFullAccess, IAMReadOnlyAccess, PowerUserAccess")

	// IAM describes them, refuses to change them, and names unknown ones.
	got, err := root.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(readOnly)})
	if err != nil || aws.ToInt32(got.Policy.AttachmentCount) != 2 || *got.Policy.DefaultVersionId != "v4" {
		t.Fatalf("GetPolicy IAMReadOnlyAccess = %+v, %v", got, err)
	}
	got, err = root.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(power)})
	if err != nil || aws.ToInt32(got.Policy.PermissionsBoundaryUsageCount) != 1 || aws.ToInt32(got.Policy.AttachmentCount) != 0 {
		t.Fatalf("GetPolicy PowerUserAccess = %+v, %v", got, err)
	}
	_, err = root.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(readOnly)})
	wantErrorContaining(t, "DeletePolicy of an AWS managed policy", err, "InvalidInput", "AWS managed policy")
	_, err = root.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(admin), PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`)})
	wantErrorContaining(t, "CreatePolicyVersion of an AWS managed policy", err, "InvalidInput", "AWS managed policy")
	_, err = root.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("bob"), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})
	wantErrorContaining(t, "AttachUserPolicy of an AWS policy OpenSTS lacks", err, "NoSuchEntity", "does not exist or is not attachable")
	versions, err := root.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(readOnly)})
	if err != nil || len(versions.Versions) != 1 || *versions.Versions[0].VersionId != "v4" {
		t.Fatalf("ListPolicyVersions = %+v, %v", versions, err)
	}

	// ListPolicies: Scope AWS, OnlyAttached, and All paging through both.
	if _, err := root.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("Mine"), PolicyDocument: aws.String(listUsersPolicy)}); err != nil {
		t.Fatal(err)
	}
	var names []string
	p := iam.NewListPoliciesPaginator(root, &iam.ListPoliciesInput{MaxItems: aws.Int32(3)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, pol := range page.Policies {
			names = append(names, *pol.PolicyName)
		}
	}
	if want := "AdministratorAccess IAMFullAccess IAMReadOnlyAccess PowerUserAccess Mine"; strings.Join(names, " ") != want {
		t.Errorf("ListPolicies Scope All pages = %v, want %s", names, want)
	}
	attached, err := root.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: iamtypes.PolicyScopeTypeAws, OnlyAttached: true})
	if err != nil || len(attached.Policies) != 2 || *attached.Policies[0].PolicyName != "AdministratorAccess" || *attached.Policies[1].PolicyName != "IAMReadOnlyAccess" {
		t.Fatalf("ListPolicies AWS OnlyAttached = %+v, %v", attached, err)
	}

	// ListEntitiesForPolicy: who has IAMReadOnlyAccess, and whose boundary
	// PowerUserAccess is.
	ents, err := root.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(readOnly)})
	if err != nil || len(ents.PolicyGroups) != 1 || *ents.PolicyGroups[0].GroupName != "readers" || len(ents.PolicyRoles) != 1 ||
		*ents.PolicyRoles[0].RoleName != "Reader" || len(ents.PolicyUsers) != 0 {
		t.Fatalf("ListEntitiesForPolicy IAMReadOnlyAccess = %+v, %v", ents, err)
	}
	ents, err = root.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(power), PolicyUsageFilter: iamtypes.PolicyUsageTypePermissionsBoundary})
	if err != nil || len(ents.PolicyUsers) != 1 || *ents.PolicyUsers[0].UserName != "alice" {
		t.Fatalf("ListEntitiesForPolicy PowerUserAccess boundary = %+v, %v", ents, err)
	}
	ents, err = root.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(power), PolicyUsageFilter: iamtypes.PolicyUsageTypePermissionsPolicy})
	if err != nil || len(ents.PolicyUsers)+len(ents.PolicyGroups)+len(ents.PolicyRoles) != 0 {
		t.Fatalf("ListEntitiesForPolicy PowerUserAccess attached = %+v, %v", ents, err)
	}

	// GetAccountAuthorizationDetails pages through everything with the
	// SDK's paginator; every user, group and role appears once.
	seen := map[string]int{}
	gp := iam.NewGetAccountAuthorizationDetailsPaginator(root, &iam.GetAccountAuthorizationDetailsInput{MaxItems: aws.Int32(2)})
	for gp.HasMorePages() {
		page, err := gp.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range page.UserDetailList {
			seen["user/"+*u.UserName]++
		}
		for _, g := range page.GroupDetailList {
			seen["group/"+*g.GroupName]++
		}
		for _, r := range page.RoleDetailList {
			seen["role/"+*r.RoleName]++
		}
		for _, p := range page.Policies {
			seen["policy/"+*p.PolicyName]++
		}
	}
	for _, want := range []string{"user/alice", "user/bob", "group/readers", "group/made-by-alice", "role/Reader",
		"policy/Mine", "policy/AdministratorAccess", "policy/IAMReadOnlyAccess", "policy/PowerUserAccess"} {
		if seen[want] != 1 {
			t.Errorf("GetAccountAuthorizationDetails listed %s %d times; all: %v", want, seen[want], seen)
		}
	}
	if seen["policy/IAMFullAccess"] != 0 {
		t.Errorf("GetAccountAuthorizationDetails listed IAMFullAccess, which nothing uses")
	}
	// Bob (IAMReadOnlyAccess: iam:Get*) may read the details too.
	if _, err := e.iam(bob).GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{}); err != nil {
		t.Fatalf("GetAccountAuthorizationDetails with IAMReadOnlyAccess: %v", err)
	}
}
