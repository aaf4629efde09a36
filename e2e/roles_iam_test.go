package e2e

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// IAM roles through aws-sdk-go-v2: the calls Terraform's aws_iam_role and
// the CLI make, with AWS's shapes, texts and quotas (roles-spec §1).
func TestIAM_v2_Roles(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	c := e.iam(e.root)
	acct := e.node.Root.AccountID
	e.mustUser("alice")
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::` + acct + `:user/alice","` + acct + `"]},"Action":["sts:AssumeRole","sts:TagSession"],"Condition":{"StringEquals":{"sts:ExternalId":"a b%3A"}}}]}`

	created, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("Deploy"), Path: aws.String("/ci/"),
		AssumeRolePolicyDocument: aws.String(trust), Description: aws.String("deploys"),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("platform")}}})
	if err != nil {
		t.Fatal(err)
	}
	r := created.Role
	if *r.Arn != "arn:aws:iam::"+acct+":role/ci/Deploy" || !strings.HasPrefix(*r.RoleId, "AROA") || len(*r.RoleId) != 21 || *r.Path != "/ci/" {
		t.Fatalf("created role %+v", r)
	}
	if r.MaxSessionDuration != nil {
		t.Errorf("CreateRole returned MaxSessionDuration %d without the request setting it", *r.MaxSessionDuration)
	}
	if doc, err := url.QueryUnescape(*r.AssumeRolePolicyDocument); err != nil || doc != trust {
		t.Errorf("trust policy came back as %q (%v)", *r.AssumeRolePolicyDocument, err)
	}

	_, err = c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("DEPLOY"), AssumeRolePolicyDocument: aws.String(trust)})
	wantAPIError(t, err, "EntityAlreadyExists", "Role with name DEPLOY already exists.")
	for name, tc := range map[string]struct{ doc, code, message string }{
		"unknown user": {`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:user/nobody"},"Action":"sts:AssumeRole"}]}`,
			"MalformedPolicyDocument", `Invalid principal in policy: "AWS":"arn:aws:iam::` + acct + `:user/nobody"`},
		"bare star": {`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}]}`,
			"MalformedPolicyDocument", `AssumeRolepolicy contained an invalid principal: "STAR":"*".`},
		"no principal": {`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}`, "MalformedPolicyDocument", ""},
		"not JSON":     {`{`, "MalformedPolicyDocument", ""},
	} {
		t.Run("trust policy/"+name, func(t *testing.T) {
			_, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("Bad"), AssumeRolePolicyDocument: aws.String(tc.doc)})
			wantAPIError(t, err, tc.code, tc.message)
		})
	}
	_, err = c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("Short"), AssumeRolePolicyDocument: aws.String(trust), MaxSessionDuration: aws.Int32(100)})
	wantAPIError(t, err, "ValidationError", "1 validation error detected: Value '100' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600")

	got, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("deploy")})
	if err != nil {
		t.Fatal(err)
	}
	if *got.Role.MaxSessionDuration != 3600 || got.Role.RoleLastUsed == nil || got.Role.RoleLastUsed.LastUsedDate != nil ||
		len(got.Role.Tags) != 1 || *got.Role.Description != "deploys" || *got.Role.RoleName != "Deploy" {
		t.Fatalf("GetRole = %+v", got.Role)
	}
	_, err = c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("nope")})
	wantAPIError(t, err, "NoSuchEntity", "The role with name nope cannot be found.")
	// Terraform's aws_iam_role asks before deleting a role.
	ip, err := c.ListInstanceProfilesForRole(ctx, &iam.ListInstanceProfilesForRoleInput{RoleName: aws.String("Deploy")})
	if err != nil || len(ip.InstanceProfiles) != 0 || ip.IsTruncated {
		t.Fatalf("ListInstanceProfilesForRole = %+v, %v", ip, err)
	}
	_, err = c.ListInstanceProfilesForRole(ctx, &iam.ListInstanceProfilesForRoleInput{RoleName: aws.String("nope")})
	wantAPIError(t, err, "NoSuchEntity", "The role with name nope cannot be found.")

	// Paging and path prefixes.
	for i := range 5 {
		if _, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(fmt.Sprintf("svc%d", i)), Path: aws.String("/svc/"), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	p := iam.NewListRolesPaginator(c, &iam.ListRolesInput{PathPrefix: aws.String("/svc/"), MaxItems: aws.Int32(2)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Roles {
			if r.Tags != nil || r.PermissionsBoundary != nil || r.RoleLastUsed != nil || *r.MaxSessionDuration != 3600 {
				t.Errorf("ListRoles member %+v", r)
			}
			names = append(names, *r.RoleName)
		}
	}
	if strings.Join(names, ",") != "svc0,svc1,svc2,svc3,svc4" {
		t.Fatalf("ListRoles /svc/ = %v", names)
	}

	// Updates.
	if _, err := c.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String("Deploy"), MaxSessionDuration: aws.Int32(7200)}); err != nil {
		t.Fatal(err)
	}
	upd, err := c.UpdateRoleDescription(ctx, &iam.UpdateRoleDescriptionInput{RoleName: aws.String("Deploy"), Description: aws.String("new")})
	if err != nil || *upd.Role.Description != "new" || *upd.Role.MaxSessionDuration != 7200 {
		t.Fatalf("UpdateRoleDescription = %+v, %v", upd, err)
	}
	trust2 := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	if _, err := c.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("Deploy"), PolicyDocument: aws.String(trust2)}); err != nil {
		t.Fatal(err)
	}
	got, _ = c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("Deploy")})
	if doc, _ := url.QueryUnescape(*got.Role.AssumeRolePolicyDocument); doc != trust2 {
		t.Errorf("trust policy after the update: %s", doc)
	}

	// Inline and managed policies of a role.
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	if _, err := c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("Deploy"), PolicyName: aws.String("read"), PolicyDocument: aws.String(doc)}); err != nil {
		t.Fatal(err)
	}
	rp, err := c.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String("Deploy"), PolicyName: aws.String("read")})
	if err != nil || *rp.RoleName != "Deploy" {
		t.Fatalf("GetRolePolicy = %+v, %v", rp, err)
	}
	_, err = c.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String("Deploy"), PolicyName: aws.String("nope")})
	wantAPIError(t, err, "NoSuchEntity", "The role policy with name nope cannot be found.")
	big := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::` + strings.Repeat("b", 10300) + `"}]}`
	_, err = c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("Deploy"), PolicyName: aws.String("big"), PolicyDocument: aws.String(big)})
	wantAPIError(t, err, "LimitExceeded", "Maximum policy size of 10240 bytes exceeded for role Deploy")
	var arns []string
	for i := range 11 {
		mp, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(fmt.Sprintf("p%02d", i)), PolicyDocument: aws.String(doc)})
		if err != nil {
			t.Fatal(err)
		}
		arns = append(arns, *mp.Policy.Arn)
	}
	for i, arn := range arns {
		_, err := c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("Deploy"), PolicyArn: aws.String(arn)})
		if i < 10 && err != nil {
			t.Fatal(err)
		}
		if i == 10 {
			wantAPIError(t, err, "LimitExceeded", "Cannot exceed quota for PoliciesPerRole: 10")
		}
	}
	attached, err := c.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("Deploy")})
	if err != nil || len(attached.AttachedPolicies) != 10 {
		t.Fatalf("ListAttachedRolePolicies = %d, %v", len(attached.AttachedPolicies), err)
	}

	// Deleting needs the policies gone first, with AWS's texts.
	_, err = c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("Deploy")})
	wantAPIError(t, err, "DeleteConflict", "Cannot delete entity, must delete policies first.")
	if _, err := c.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("Deploy"), PolicyName: aws.String("read")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("Deploy")})
	wantAPIError(t, err, "DeleteConflict", "Cannot delete entity, must detach all policies first.")
	for _, arn := range arns[:10] {
		if _, err := c.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String("Deploy"), PolicyArn: aws.String(arn)}); err != nil {
			t.Fatal(err)
		}
	}

	// Tags and boundary.
	if _, err := c.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String("Deploy"), Tags: []types.Tag{{Key: aws.String("TEAM"), Value: aws.String("core")}, {Key: aws.String("env"), Value: aws.String("prod")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagRole(ctx, &iam.UntagRoleInput{RoleName: aws.String("Deploy"), TagKeys: []string{"env", "absent"}}); err != nil {
		t.Fatal(err)
	}
	tl, err := c.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: aws.String("Deploy")})
	if err != nil || len(tl.Tags) != 1 || *tl.Tags[0].Key != "TEAM" || *tl.Tags[0].Value != "core" {
		t.Fatalf("ListRoleTags = %+v, %v", tl, err)
	}
	if _, err := c.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String("Deploy"), PermissionsBoundary: aws.String(arns[0])}); err != nil {
		t.Fatal(err)
	}
	got, _ = c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("Deploy")})
	if got.Role.PermissionsBoundary == nil || *got.Role.PermissionsBoundary.PermissionsBoundaryArn != arns[0] {
		t.Fatalf("boundary %+v", got.Role.PermissionsBoundary)
	}
	_, err = c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(arns[0])})
	wantAPIError(t, err, "DeleteConflict", "")
	if _, err := c.DeleteRolePermissionsBoundary(ctx, &iam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String("Deploy")}); err != nil {
		t.Fatal(err)
	}

	if _, err := c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("Deploy")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("Deploy")})
	wantAPIError(t, err, "NoSuchEntity", "The role with name Deploy cannot be found.")
}

// Role actions are authorized on the role's ARN with its condition keys:
// a Deny on iam:ResourceTag protects a tagged role.
func TestIAM_v2_RoleConditionKeys(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	c := e.iam(e.root)
	acct := e.node.Root.AccountID
	alice := e.mustUser("alice")
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + acct + `"},"Action":"sts:AssumeRole"}]}`
	for name, tags := range map[string][]types.Tag{"Admin": {{Key: aws.String("protected"), Value: aws.String("true")}}, "App": nil} {
		if _, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust), Tags: tags}); err != nil {
			t.Fatal(err)
		}
	}
	e.mustPutUserPolicy("alice", "roles", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"iam:*","Resource":"*"},
		{"Effect":"Deny","Action":"iam:*","Resource":"*","Condition":{"StringEquals":{"iam:ResourceTag/protected":"true"}}},
		{"Effect":"Deny","Action":"iam:CreateRole","Resource":"*","Condition":{"Null":{"iam:PermissionsBoundary":"true"}}}]}`)
	a := e.iam(alice)
	_, err := a.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("Admin"), PolicyDocument: aws.String(trust)})
	wantDenied(t, "UpdateAssumeRolePolicy of a protected role", err)
	_, err = a.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("admin"), PolicyName: aws.String("x"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)})
	wantDenied(t, "PutRolePolicy on a protected role", err)
	_, err = a.UntagRole(ctx, &iam.UntagRoleInput{RoleName: aws.String("Admin"), TagKeys: []string{"protected"}})
	wantDenied(t, "untagging the protection", err)
	_, err = a.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String("App"), Description: aws.String("ok")})
	wantAllowed(t, "UpdateRole of an unprotected role", err)
	_, err = a.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("Free"), AssumeRolePolicyDocument: aws.String(trust)})
	wantDenied(t, "CreateRole without a boundary", err)
}
