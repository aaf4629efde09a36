package api_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/opensts/opensts"
)

// customerIDs are the random ids of groups and customer managed policies;
// AWS managed policies keep their published ids.
var customerIDs = regexp.MustCompile(`(AGPA|ANPA)[A-Z2-7]{17}`)

func normalizeIDs(s string) string {
	return customerIDs.ReplaceAllStringFunc(normalize(s), func(id string) string {
		if _, _, aws := opensts.AWSManagedPolicyByID(id); aws {
			return id
		}
		return id[:4] + "XXXXXXXXXXXXXXXXX"
	})
}

// TestGolden_PolicyUsage pins the shapes of the AWS managed policies and of
// the calls that report who uses which policy.
func TestGolden_PolicyUsage(t *testing.T) {
	h := newHarness(t)
	ok := func(r response) {
		t.Helper()
		if r.status != http.StatusOK {
			t.Fatalf("setup: %s", r.body)
		}
	}
	admin := "arn:aws:iam::aws:policy/AdministratorAccess"
	h.mustUser("alice")
	ok(h.do(root, iamForm("CreatePolicy", "PolicyName", "Boundary", "PolicyDocument", goldenReadOnly)))
	ok(h.do(root, iamForm("PutUserPermissionsBoundary", "UserName", "alice", "PermissionsBoundary", goldenBoundary)))
	ok(h.do(root, iamForm("CreateGroup", "GroupName", "admins")))
	ok(h.do(root, iamForm("AddUserToGroup", "GroupName", "admins", "UserName", "alice")))
	ok(h.do(root, iamForm("AttachGroupPolicy", "GroupName", "admins", "PolicyArn", goldenBoundary)))
	ok(h.do(root, iamForm("PutGroupPolicy", "GroupName", "admins", "PolicyName", "read", "PolicyDocument", goldenReadOnly)))
	ok(h.do(root, iamForm("CreateRole", "RoleName", "Deploy", "AssumeRolePolicyDocument", goldenTrust)))
	ok(h.do(root, iamForm("AttachRolePolicy", "RoleName", "Deploy", "PolicyArn", admin)))
	ok(h.do(root, iamForm("AttachUserPolicy", "UserName", "alice", "PolicyArn", admin)))

	cases := []struct {
		file string
		form func() url.Values
	}{
		{"GetPolicy-AWS.xml", func() url.Values { return iamForm("GetPolicy", "PolicyArn", admin) }},
		{"GetPolicyVersion-AWS.xml", func() url.Values {
			return iamForm("GetPolicyVersion", "PolicyArn", "arn:aws:iam::aws:policy/IAMReadOnlyAccess", "VersionId", "v4")
		}},
		{"ListPolicies-AWS.xml", func() url.Values { return iamForm("ListPolicies", "Scope", "AWS", "MaxItems", "2") }},
		{"ListEntitiesForPolicy.xml", func() url.Values { return iamForm("ListEntitiesForPolicy", "PolicyArn", goldenBoundary) }},
		{"GetAccountAuthorizationDetails.xml", func() url.Values { return iamForm("GetAccountAuthorizationDetails") }},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			r := h.do(root, tc.form())
			if r.status != http.StatusOK {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			r.body = normalizeIDs(r.body)
			checkGolden(t, tc.file, r)
		})
	}
}

// TestGolden_PolicyUsageSDKDecodes reads those goldens with aws-sdk-go-v2.
func TestGolden_PolicyUsageSDKDecodes(t *testing.T) {
	ctx := context.Background()
	iamc := func(t *testing.T, file string) *iamsdk.Client { return iamsdk.NewFromConfig(sdkConfig(t, file, 0)) }
	admin := "arn:aws:iam::aws:policy/AdministratorAccess"

	t.Run("GetPolicy", func(t *testing.T) {
		out, err := iamc(t, "GetPolicy-AWS.xml").GetPolicy(ctx, &iamsdk.GetPolicyInput{PolicyArn: aws.String(admin)})
		if err != nil {
			t.Fatal(err)
		}
		p := out.Policy
		if *p.Arn != admin || *p.PolicyId != "ANPAIWMBCKSKIEE64ZLYK" || *p.DefaultVersionId != "v1" || aws.ToInt32(p.AttachmentCount) != 2 ||
			aws.ToInt32(p.PermissionsBoundaryUsageCount) != 0 || !p.IsAttachable || *p.Path != "/" || p.Description == nil {
			t.Fatalf("policy %+v", p)
		}
	})
	t.Run("GetPolicyVersion", func(t *testing.T) {
		out, err := iamc(t, "GetPolicyVersion-AWS.xml").GetPolicyVersion(ctx, &iamsdk.GetPolicyVersionInput{
			PolicyArn: aws.String("arn:aws:iam::aws:policy/IAMReadOnlyAccess"), VersionId: aws.String("v4")})
		if err != nil || *out.PolicyVersion.VersionId != "v4" || !out.PolicyVersion.IsDefaultVersion || out.PolicyVersion.Document == nil {
			t.Fatalf("decoded %+v %v", out, err)
		}
	})
	t.Run("ListPolicies", func(t *testing.T) {
		out, err := iamc(t, "ListPolicies-AWS.xml").ListPolicies(ctx, &iamsdk.ListPoliciesInput{Scope: iamtypes.PolicyScopeTypeAws})
		if err != nil || len(out.Policies) != 2 || *out.Policies[0].PolicyName != "AdministratorAccess" ||
			*out.Policies[1].PolicyName != "IAMFullAccess" || !out.IsTruncated || aws.ToString(out.Marker) == "" {
			t.Fatalf("decoded %+v %v", out, err)
		}
	})
	t.Run("ListEntitiesForPolicy", func(t *testing.T) {
		out, err := iamc(t, "ListEntitiesForPolicy.xml").ListEntitiesForPolicy(ctx, &iamsdk.ListEntitiesForPolicyInput{PolicyArn: aws.String(goldenBoundary)})
		if err != nil || len(out.PolicyGroups) != 1 || *out.PolicyGroups[0].GroupName != "admins" ||
			len(out.PolicyUsers) != 1 || *out.PolicyUsers[0].UserName != "alice" || len(out.PolicyRoles) != 0 || out.IsTruncated {
			t.Fatalf("decoded %+v %v", out, err)
		}
	})
	t.Run("GetAccountAuthorizationDetails", func(t *testing.T) {
		out, err := iamc(t, "GetAccountAuthorizationDetails.xml").GetAccountAuthorizationDetails(ctx, &iamsdk.GetAccountAuthorizationDetailsInput{})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.UserDetailList) != 1 || len(out.GroupDetailList) != 1 || len(out.RoleDetailList) != 1 || len(out.Policies) != 2 || out.IsTruncated {
			t.Fatalf("decoded %+v", out)
		}
		u := out.UserDetailList[0]
		if *u.UserName != "alice" || len(u.GroupList) != 1 || u.GroupList[0] != "admins" || len(u.AttachedManagedPolicies) != 1 ||
			*u.AttachedManagedPolicies[0].PolicyArn != admin || u.PermissionsBoundary == nil || *u.PermissionsBoundary.PermissionsBoundaryArn != goldenBoundary {
			t.Fatalf("user %+v", u)
		}
		g := out.GroupDetailList[0]
		if *g.GroupName != "admins" || len(g.GroupPolicyList) != 1 || *g.GroupPolicyList[0].PolicyName != "read" || g.GroupPolicyList[0].PolicyDocument == nil ||
			len(g.AttachedManagedPolicies) != 1 || *g.AttachedManagedPolicies[0].PolicyArn != goldenBoundary {
			t.Fatalf("group %+v", g)
		}
		r := out.RoleDetailList[0]
		if *r.RoleName != "Deploy" || r.AssumeRolePolicyDocument == nil || len(r.AttachedManagedPolicies) != 1 || *r.AttachedManagedPolicies[0].PolicyArn != admin {
			t.Fatalf("role %+v", r)
		}
		byName := map[string]iamtypes.ManagedPolicyDetail{}
		for _, p := range out.Policies {
			byName[*p.PolicyName] = p
		}
		if b := byName["Boundary"]; aws.ToInt32(b.AttachmentCount) != 1 || aws.ToInt32(b.PermissionsBoundaryUsageCount) != 1 || len(b.PolicyVersionList) != 1 ||
			b.PolicyVersionList[0].Document == nil || !b.PolicyVersionList[0].IsDefaultVersion {
			t.Fatalf("Boundary %+v", b)
		}
		if a := byName["AdministratorAccess"]; aws.ToString(a.Arn) != admin || aws.ToInt32(a.AttachmentCount) != 2 || len(a.PolicyVersionList) != 1 {
			t.Fatalf("AdministratorAccess %+v", a)
		}
	})
}
