package api_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	stssdk "github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the current responses")

// Random values (ids, secrets, tokens, sizes that depend on deflate) are
// replaced with stable
// placeholders; everything else — layout, element order, timestamps,
// request ids — is compared byte for byte.
var volatile = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`ASIA[A-Z2-7]{16}`), "ASIAXXXXXXXXXXXXXXXX"},
	{regexp.MustCompile(`AKIA[A-Z2-7]{16}`), "AKIAXXXXXXXXXXXXXXXX"},
	{regexp.MustCompile(`AIDA[A-Z2-7]{17}`), "AIDAXXXXXXXXXXXXXXXXX"},
	{regexp.MustCompile(`AROA[A-Z2-7]{17}`), "AROAXXXXXXXXXXXXXXXXX"},
	{regexp.MustCompile(`<SecretAccessKey>[^<]*</SecretAccessKey>`), "<SecretAccessKey>SECRET</SecretAccessKey>"},
	{regexp.MustCompile(`<SessionToken>[^<]*</SessionToken>`), "<SessionToken>TOKEN</SessionToken>"},
	{regexp.MustCompile(`<PackedPolicySize>[0-9]+</PackedPolicySize>`), "<PackedPolicySize>0</PackedPolicySize>"},
	{regexp.MustCompile(`<SessionTokenSize>[0-9]+</SessionTokenSize>`), "<SessionTokenSize>0</SessionTokenSize>"},
	{regexp.MustCompile(`<SAMLProviderUUID>[^<]*</SAMLProviderUUID>`), "<SAMLProviderUUID>UUID</SAMLProviderUUID>"},
	{regexp.MustCompile(`<SessionTokenUtilization>[0-9]+</SessionTokenUtilization>`), "<SessionTokenUtilization>0</SessionTokenUtilization>"},
}

func normalize(s string) string {
	for _, v := range volatile {
		s = v.re.ReplaceAllString(s, v.with)
	}
	return s
}

func checkGolden(t *testing.T, name string, r response) {
	t.Helper()
	got := normalize(r.body)
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./api -run Golden -update)", err)
	}
	if got != string(want) {
		t.Fatalf("%s differs from the golden file:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// TestGolden pins the exact bytes of each response shape.
func TestGolden(t *testing.T) {
	h := newHarness(t)
	alice := h.mustUser("alice")
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	cases := []struct {
		file string
		send func() response
	}{
		{"GetCallerIdentity.xml", func() response { return h.do(alice, sts("GetCallerIdentity")) }},
		{"GetCallerIdentity.json", func() response {
			return h.send(alice, http.MethodPost, sts("GetCallerIdentity").Encode(), http.Header{"Accept": {"application/json"}}, "sts")
		}},
		{"GetSessionToken.xml", func() response { return h.do(alice, sts("GetSessionToken", "DurationSeconds", "3600")) }},
		{"GetFederationToken.xml", func() response {
			return h.do(root, sts("GetFederationToken", "Name", "Bob", "Policy", policy))
		}},
		{"GetFederationToken-nopolicy.xml", func() response { return h.do(root, sts("GetFederationToken", "Name", "Bob")) }},
		{"GetAccessKeyInfo.xml", func() response { return h.do(root, sts("GetAccessKeyInfo", "AccessKeyId", alice.id)) }},
		{"CreateUser.xml", func() response { return h.do(root, iamForm("CreateUser", "UserName", "bob", "Path", "/eng/")) }},
		{"GetUser-root.xml", func() response { return h.do(root, iamForm("GetUser")) }},
		{"ListUsers.xml", func() response { return h.do(root, iamForm("ListUsers")) }},
		{"ListAccessKeys.xml", func() response { return h.do(root, iamForm("ListAccessKeys", "UserName", "alice")) }},
		{"ListAccessKeys-empty.xml", func() response { return h.do(root, iamForm("ListAccessKeys", "UserName", "bob")) }},
		{"DeleteUser.xml", func() response { return h.do(root, iamForm("DeleteUser", "UserName", "bob")) }},
		{"ValidationError.xml", func() response { return h.do(alice, sts("GetSessionToken", "DurationSeconds", "899")) }},
		{"AccessDenied.xml", func() response { return h.do(alice, sts("GetFederationToken", "Name", "Bob")) }},
		{"InvalidAction.xml", func() response { return h.do(alice, sts("Nope")) }},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) { checkGolden(t, tc.file, tc.send()) })
	}
}

// goldenClient answers every request with one golden file, so the SDK's own
// deserializers read our exact bytes.
type goldenClient struct {
	t      *testing.T
	file   string
	status int
}

func (g goldenClient) Do(*http.Request) (*http.Response, error) {
	b, err := os.ReadFile(filepath.Join("testdata", "golden", g.file))
	if err != nil {
		g.t.Fatal(err)
	}
	status := g.status
	if status == 0 {
		status = 200
	}
	return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"text/xml"}}, Body: io.NopCloser(bytes.NewReader(b))}, nil
}

func sdkConfig(t *testing.T, file string, status int) aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKIAXXXXXXXXXXXXXXXX", "secret", ""),
		BaseEndpoint: aws.String("http://golden.invalid"),
		HTTPClient:   goldenClient{t: t, file: file, status: status},
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
	}
}

// TestGolden_SDKDecodes feeds the golden bytes to aws-sdk-go-v2's
// deserializers, as aws-sdk-go-v2's own response snapshot tests do.
func TestGolden_SDKDecodes(t *testing.T) {
	ctx := context.Background()
	t.Run("GetSessionToken", func(t *testing.T) {
		out, err := stssdk.NewFromConfig(sdkConfig(t, "GetSessionToken.xml", 0)).GetSessionToken(ctx, &stssdk.GetSessionTokenInput{})
		if err != nil {
			t.Fatal(err)
		}
		want := time.Date(2026, 1, 2, 4, 4, 5, 0, time.UTC)
		if *out.Credentials.AccessKeyId != "ASIAXXXXXXXXXXXXXXXX" || *out.Credentials.SessionToken != "TOKEN" || !out.Credentials.Expiration.Equal(want) {
			t.Fatalf("decoded %+v", out.Credentials)
		}
	})
	t.Run("GetFederationToken", func(t *testing.T) {
		cfg := sdkConfig(t, "GetFederationToken.xml", 0)
		cfg.HTTPClient = goldenClient{t: t, file: "GetFederationToken-nopolicy.xml"}
		out, err := stssdk.NewFromConfig(cfg).GetFederationToken(ctx, &stssdk.GetFederationTokenInput{Name: aws.String("Bob")})
		if err != nil {
			t.Fatal(err)
		}
		if *out.FederatedUser.Arn != "arn:aws:sts::"+testAccount+":federated-user/Bob" || *out.FederatedUser.FederatedUserId != testAccount+":Bob" || out.PackedPolicySize != nil {
			t.Fatalf("decoded %+v %v", out.FederatedUser, out.PackedPolicySize)
		}
	})
	t.Run("GetCallerIdentity", func(t *testing.T) {
		out, err := stssdk.NewFromConfig(sdkConfig(t, "GetCallerIdentity.xml", 0)).GetCallerIdentity(ctx, &stssdk.GetCallerIdentityInput{})
		if err != nil {
			t.Fatal(err)
		}
		if *out.Account != testAccount || *out.Arn != "arn:aws:iam::"+testAccount+":user/alice" || *out.UserId != "AIDAXXXXXXXXXXXXXXXXX" {
			t.Fatalf("decoded %+v", out)
		}
	})
	t.Run("ListUsers", func(t *testing.T) {
		out, err := iamsdk.NewFromConfig(sdkConfig(t, "ListUsers.xml", 0)).ListUsers(ctx, &iamsdk.ListUsersInput{})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Users) != 2 || *out.Users[0].UserName != "alice" || out.IsTruncated {
			t.Fatalf("decoded %+v", out)
		}
	})
	t.Run("ListAccessKeys empty", func(t *testing.T) {
		out, err := iamsdk.NewFromConfig(sdkConfig(t, "ListAccessKeys-empty.xml", 0)).ListAccessKeys(ctx, &iamsdk.ListAccessKeysInput{})
		if err != nil || len(out.AccessKeyMetadata) != 0 {
			t.Fatalf("decoded %+v %v", out, err)
		}
	})
	t.Run("ValidationError", func(t *testing.T) {
		_, err := stssdk.NewFromConfig(sdkConfig(t, "ValidationError.xml", 400)).GetSessionToken(ctx, &stssdk.GetSessionTokenInput{})
		if err == nil || !bytes.Contains([]byte(err.Error()), []byte("ValidationError")) {
			t.Fatalf("err = %v", err)
		}
	})
}

// Role and AssumeRole response shapes (roles-spec §1.2, §2.11, appendix A).
const (
	goldenTrust    = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/alice"},"Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"]}]}`
	goldenReadOnly = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["iam:Get*", "iam:List*"], "Resource": "*"}]}`
	goldenBoundary = "arn:aws:iam::" + testAccount + ":policy/Boundary"
)

// TestGolden_Roles pins the role and AssumeRole shapes. Its own harness
// keeps the request ids of TestGolden's files unchanged.
func TestGolden_Roles(t *testing.T) {
	h := newHarness(t)
	alice := h.mustUser("alice")
	ok := func(t *testing.T, r response) {
		t.Helper()
		if r.status != 200 {
			t.Fatalf("setup: %s", r.body)
		}
	}
	cases := []struct {
		file string
		send func(t *testing.T) response
	}{
		{"CreateRole.xml", func(t *testing.T) response {
			ok(t, h.do(root, iamForm("CreatePolicy", "PolicyName", "Boundary", "PolicyDocument", goldenReadOnly)))
			return h.do(root, iamForm("CreateRole", "RoleName", "Deploy", "Path", "/app/", "AssumeRolePolicyDocument", goldenTrust,
				"Description", "Deploys the app", "PermissionsBoundary", goldenBoundary, "Tags.member.1.Key", "team", "Tags.member.1.Value", "blue"))
		}},
		{"CreateRole-MaxSessionDuration.xml", func(t *testing.T) response {
			return h.do(root, iamForm("CreateRole", "RoleName", "Reader", "AssumeRolePolicyDocument", goldenTrust, "MaxSessionDuration", "7200"))
		}},
		{"GetRole.xml", func(t *testing.T) response { return h.do(root, iamForm("GetRole", "RoleName", "Deploy")) }},
		{"ListRoles.xml", func(t *testing.T) response { return h.do(root, iamForm("ListRoles", "MaxItems", "1")) }},
		{"UpdateRole.xml", func(t *testing.T) response {
			return h.do(root, iamForm("UpdateRole", "RoleName", "Reader", "MaxSessionDuration", "3600"))
		}},
		{"UpdateRoleDescription.xml", func(t *testing.T) response {
			return h.do(root, iamForm("UpdateRoleDescription", "RoleName", "Reader", "Description", "Reads"))
		}},
		{"GetRolePolicy.xml", func(t *testing.T) response {
			ok(t, h.do(root, iamForm("PutRolePolicy", "RoleName", "Deploy", "PolicyName", "read", "PolicyDocument", goldenReadOnly)))
			return h.do(root, iamForm("GetRolePolicy", "RoleName", "Deploy", "PolicyName", "read"))
		}},
		{"ListRolePolicies.xml", func(t *testing.T) response { return h.do(root, iamForm("ListRolePolicies", "RoleName", "Deploy")) }},
		{"ListAttachedRolePolicies.xml", func(t *testing.T) response {
			ok(t, h.do(root, iamForm("AttachRolePolicy", "RoleName", "Deploy", "PolicyArn", goldenBoundary)))
			return h.do(root, iamForm("ListAttachedRolePolicies", "RoleName", "Deploy"))
		}},
		{"ListRoleTags.xml", func(t *testing.T) response { return h.do(root, iamForm("ListRoleTags", "RoleName", "Deploy")) }},
		{"AssumeRole.xml", func(t *testing.T) response {
			return h.do(alice, sts("AssumeRole", "RoleArn", "arn:aws:iam::"+testAccount+":role/app/Deploy", "RoleSessionName", "s1",
				"DurationSeconds", "900", "Tags.member.1.Key", "project", "Tags.member.1.Value", "x"))
		}},
		{"AssumeRole-SourceIdentity.xml", func(t *testing.T) response {
			return h.do(alice, sts("AssumeRole", "RoleArn", "arn:aws:iam::"+testAccount+":role/app/Deploy", "RoleSessionName", "s2",
				"SourceIdentity", "alice"))
		}},
		{"AssumeRole-AccessDenied.xml", func(t *testing.T) response {
			carol := h.mustUser("carol")
			r := h.do(carol, sts("AssumeRole", "RoleArn", "arn:aws:iam::"+testAccount+":role/app/Deploy", "RoleSessionName", "s3"))
			if r.status != http.StatusForbidden {
				t.Errorf("AssumeRole refused with status %d, want 403", r.status)
			}
			return r
		}},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) { checkGolden(t, tc.file, tc.send(t)) })
	}
}

// TestGolden_RolesSDKDecodes reads the role and AssumeRole goldens with
// aws-sdk-go-v2's deserializers.
func TestGolden_RolesSDKDecodes(t *testing.T) {
	ctx := context.Background()
	iamc := func(t *testing.T, file string) *iamsdk.Client { return iamsdk.NewFromConfig(sdkConfig(t, file, 0)) }
	stsc := func(t *testing.T, file string, status int) *stssdk.Client {
		return stssdk.NewFromConfig(sdkConfig(t, file, status))
	}
	deployARN := "arn:aws:iam::" + testAccount + ":role/app/Deploy"
	created := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	// The SDK hands policy documents back as IAM sent them, URL-encoded.
	wantDoc := func(t *testing.T, got *string, doc string) {
		t.Helper()
		if got == nil {
			t.Fatal("no policy document")
		}
		if *got != strings.ReplaceAll(url.QueryEscape(doc), "+", "%20") {
			t.Fatalf("document %q is not %s URL-encoded", *got, doc)
		}
		if dec, err := url.PathUnescape(*got); err != nil || dec != doc {
			t.Fatalf("document decodes to %q (%v), want %s", dec, err, doc)
		}
	}
	wantDeploy := func(t *testing.T, r *iamtypes.Role) {
		t.Helper()
		if *r.RoleName != "Deploy" || *r.Path != "/app/" || *r.Arn != deployARN || *r.RoleId != "AROAXXXXXXXXXXXXXXXXX" ||
			!r.CreateDate.Equal(created) || aws.ToString(r.Description) != "Deploys the app" {
			t.Fatalf("role %+v", r)
		}
		wantDoc(t, r.AssumeRolePolicyDocument, goldenTrust)
		if b := r.PermissionsBoundary; b == nil || *b.PermissionsBoundaryArn != goldenBoundary || b.PermissionsBoundaryType != iamtypes.PermissionsBoundaryAttachmentTypePolicy {
			t.Fatalf("PermissionsBoundary %+v", b)
		}
		if len(r.Tags) != 1 || *r.Tags[0].Key != "team" || *r.Tags[0].Value != "blue" {
			t.Fatalf("Tags %+v", r.Tags)
		}
	}

	t.Run("AssumeRole", func(t *testing.T) {
		out, err := stsc(t, "AssumeRole.xml", 0).AssumeRole(ctx, &stssdk.AssumeRoleInput{RoleArn: aws.String(deployARN), RoleSessionName: aws.String("s1")})
		if err != nil {
			t.Fatal(err)
		}
		u, c := out.AssumedRoleUser, out.Credentials
		if *u.Arn != "arn:aws:sts::"+testAccount+":assumed-role/Deploy/s1" || *u.AssumedRoleId != "AROAXXXXXXXXXXXXXXXXX:s1" {
			t.Fatalf("AssumedRoleUser %+v", u)
		}
		if *c.AccessKeyId != "ASIAXXXXXXXXXXXXXXXX" || *c.SecretAccessKey != "SECRET" || *c.SessionToken != "TOKEN" || !c.Expiration.Equal(created.Add(900*time.Second)) {
			t.Fatalf("Credentials %+v", c)
		}
		if out.PackedPolicySize == nil || out.SourceIdentity != nil || out.SessionTokenSize == nil || out.SessionTokenUtilization == nil {
			t.Fatalf("PackedPolicySize %v SourceIdentity %v SessionTokenSize %v SessionTokenUtilization %v",
				out.PackedPolicySize, out.SourceIdentity, out.SessionTokenSize, out.SessionTokenUtilization)
		}
	})
	t.Run("AssumeRole SourceIdentity", func(t *testing.T) {
		out, err := stsc(t, "AssumeRole-SourceIdentity.xml", 0).AssumeRole(ctx, &stssdk.AssumeRoleInput{RoleArn: aws.String(deployARN), RoleSessionName: aws.String("s2")})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.SourceIdentity) != "alice" || out.PackedPolicySize != nil || *out.AssumedRoleUser.Arn != "arn:aws:sts::"+testAccount+":assumed-role/Deploy/s2" ||
			!out.Credentials.Expiration.Equal(created.Add(time.Hour)) {
			t.Fatalf("decoded %+v %+v %v %v", out.AssumedRoleUser, out.Credentials, out.SourceIdentity, out.PackedPolicySize)
		}
	})
	t.Run("AssumeRole AccessDenied", func(t *testing.T) {
		_, err := stsc(t, "AssumeRole-AccessDenied.xml", 403).AssumeRole(ctx, &stssdk.AssumeRoleInput{RoleArn: aws.String(deployARN), RoleSessionName: aws.String("s3")})
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied" ||
			ae.ErrorMessage() != "User: arn:aws:iam::"+testAccount+":user/carol is not authorized to perform: sts:AssumeRole on resource: "+deployARN {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("CreateRole", func(t *testing.T) {
		out, err := iamc(t, "CreateRole.xml").CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("Deploy"), AssumeRolePolicyDocument: aws.String(goldenTrust)})
		if err != nil {
			t.Fatal(err)
		}
		wantDeploy(t, out.Role)
		if out.Role.MaxSessionDuration != nil || out.Role.RoleLastUsed != nil {
			t.Fatalf("CreateRole without MaxSessionDuration: MaxSessionDuration %v RoleLastUsed %+v", out.Role.MaxSessionDuration, out.Role.RoleLastUsed)
		}
	})
	t.Run("CreateRole MaxSessionDuration", func(t *testing.T) {
		out, err := iamc(t, "CreateRole-MaxSessionDuration.xml").CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("Deploy"), AssumeRolePolicyDocument: aws.String(goldenTrust)})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToInt32(out.Role.MaxSessionDuration) != 7200 || *out.Role.Arn != "arn:aws:iam::"+testAccount+":role/Reader" ||
			out.Role.Description != nil || out.Role.PermissionsBoundary != nil || out.Role.Tags != nil {
			t.Fatalf("decoded %+v", out.Role)
		}
	})
	t.Run("GetRole", func(t *testing.T) {
		out, err := iamc(t, "GetRole.xml").GetRole(ctx, &iamsdk.GetRoleInput{RoleName: aws.String("Deploy")})
		if err != nil {
			t.Fatal(err)
		}
		wantDeploy(t, out.Role)
		if aws.ToInt32(out.Role.MaxSessionDuration) != 3600 {
			t.Fatalf("MaxSessionDuration %v", out.Role.MaxSessionDuration)
		}
		if u := out.Role.RoleLastUsed; u == nil || u.LastUsedDate != nil || u.Region != nil {
			t.Fatalf("RoleLastUsed %+v, want present and empty", u)
		}
	})
	t.Run("ListRoles", func(t *testing.T) {
		out, err := iamc(t, "ListRoles.xml").ListRoles(ctx, &iamsdk.ListRolesInput{})
		if err != nil {
			t.Fatal(err)
		}
		if !out.IsTruncated || aws.ToString(out.Marker) == "" || len(out.Roles) != 1 {
			t.Fatalf("decoded %+v", out)
		}
		r := out.Roles[0]
		if *r.RoleName != "Deploy" || aws.ToInt32(r.MaxSessionDuration) != 3600 || aws.ToString(r.Description) != "Deploys the app" ||
			r.PermissionsBoundary != nil || r.RoleLastUsed != nil || r.Tags != nil {
			t.Fatalf("listed role %+v", r)
		}
		wantDoc(t, r.AssumeRolePolicyDocument, goldenTrust)
	})
	t.Run("UpdateRole", func(t *testing.T) {
		if _, err := iamc(t, "UpdateRole.xml").UpdateRole(ctx, &iamsdk.UpdateRoleInput{RoleName: aws.String("Reader")}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("UpdateRoleDescription", func(t *testing.T) {
		out, err := iamc(t, "UpdateRoleDescription.xml").UpdateRoleDescription(ctx, &iamsdk.UpdateRoleDescriptionInput{RoleName: aws.String("Reader"), Description: aws.String("Reads")})
		if err != nil {
			t.Fatal(err)
		}
		if *out.Role.RoleName != "Reader" || aws.ToString(out.Role.Description) != "Reads" || aws.ToInt32(out.Role.MaxSessionDuration) != 3600 || out.Role.RoleLastUsed == nil {
			t.Fatalf("decoded %+v", out.Role)
		}
	})
	t.Run("GetRolePolicy", func(t *testing.T) {
		out, err := iamc(t, "GetRolePolicy.xml").GetRolePolicy(ctx, &iamsdk.GetRolePolicyInput{RoleName: aws.String("Deploy"), PolicyName: aws.String("read")})
		if err != nil {
			t.Fatal(err)
		}
		if *out.RoleName != "Deploy" || *out.PolicyName != "read" {
			t.Fatalf("decoded %+v", out)
		}
		wantDoc(t, out.PolicyDocument, goldenReadOnly)
	})
	t.Run("ListRolePolicies", func(t *testing.T) {
		out, err := iamc(t, "ListRolePolicies.xml").ListRolePolicies(ctx, &iamsdk.ListRolePoliciesInput{RoleName: aws.String("Deploy")})
		if err != nil || len(out.PolicyNames) != 1 || out.PolicyNames[0] != "read" || out.IsTruncated || out.Marker != nil {
			t.Fatalf("decoded %+v %v", out, err)
		}
	})
	t.Run("ListAttachedRolePolicies", func(t *testing.T) {
		out, err := iamc(t, "ListAttachedRolePolicies.xml").ListAttachedRolePolicies(ctx, &iamsdk.ListAttachedRolePoliciesInput{RoleName: aws.String("Deploy")})
		if err != nil || len(out.AttachedPolicies) != 1 || *out.AttachedPolicies[0].PolicyName != "Boundary" ||
			*out.AttachedPolicies[0].PolicyArn != goldenBoundary || out.IsTruncated {
			t.Fatalf("decoded %+v %v", out, err)
		}
	})
	t.Run("ListRoleTags", func(t *testing.T) {
		out, err := iamc(t, "ListRoleTags.xml").ListRoleTags(ctx, &iamsdk.ListRoleTagsInput{RoleName: aws.String("Deploy")})
		if err != nil || len(out.Tags) != 1 || *out.Tags[0].Key != "team" || *out.Tags[0].Value != "blue" || out.IsTruncated {
			t.Fatalf("decoded %+v %v", out, err)
		}
	})
}
