package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	osts "github.com/opensts/opensts"
	"github.com/opensts/opensts/internal/samltest"
)

// samlEnv is a node with an IAM SAML provider CorpIdP for a test IdP and
// a role SAMLAdmin trusting it for AWS's sign-in audience; the role may
// list roles while its session's saml:sub is alice.
type samlEnv struct {
	*env
	idp         *samltest.IdP
	providerARN string
	roleARN     string
}

const samlEntityID = "https://idp.example.test/saml/metadata"

func newSAMLEnv(t *testing.T, trustActions string) *samlEnv {
	t.Helper()
	idp, err := samltest.New(samlEntityID)
	if err != nil {
		t.Fatal(err)
	}
	md, err := idp.Metadata()
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t)
	out, err := e.iam(e.root).CreateSAMLProvider(context.Background(), &iam.CreateSAMLProviderInput{Name: aws.String("CorpIdP"), SAMLMetadataDocument: aws.String(md)})
	if err != nil {
		t.Fatalf("CreateSAMLProvider: %v", err)
	}
	provider := *out.SAMLProviderArn
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + provider + `"},"Action":` + trustActions + `,
		"Condition":{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"}}}]}`
	perms := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListRoles","Resource":"*","Condition":{"StringEquals":{"saml:sub":"alice","saml:sub_type":"persistent"}}}]}`
	role := e.mustRole("SAMLAdmin", trust, perms)
	return &samlEnv{env: e, idp: idp, providerARN: provider, roleARN: role}
}

// response is a signed response for alice naming the role and provider.
func (e *samlEnv) response(t *testing.T, mod func(*samltest.Assertion)) string {
	t.Helper()
	a := samltest.Assertion{Subject: "alice", SessionName: "alice@example.test", Roles: []string{e.roleARN + "," + e.providerARN}}
	if mod != nil {
		mod(&a)
	}
	r, err := e.idp.Response(a)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (e *samlEnv) assume(assertion string) (*sts.AssumeRoleWithSAMLOutput, error) {
	return e.anonSTS().AssumeRoleWithSAML(context.Background(), &sts.AssumeRoleWithSAMLInput{
		RoleArn: aws.String(e.roleARN), PrincipalArn: aws.String(e.providerARN), SAMLAssertion: aws.String(assertion)})
}

// AssumeRoleWithSAML through aws-sdk-go-v2, unsigned: the response's
// members, the session's identity and the saml: keys of its later
// requests, and the assertion accepted once.
func TestSAML_AssumeRole(t *testing.T) {
	t.Parallel()
	e := newSAMLEnv(t, `["sts:AssumeRoleWithSAML","sts:TagSession","sts:SetSourceIdentity"]`)
	ctx := context.Background()
	acct := e.node.Root.AccountID
	assertion := e.response(t, func(a *samltest.Assertion) {
		a.Roles = []string{"arn:aws:iam::" + acct + ":role/Other," + e.providerARN, e.providerARN + "," + e.roleARN} // provider first: either order
		a.Attributes = map[string][]string{samltest.AttrPrincipalTag + "team": {"blue"}, samltest.AttrSourceIdentity: {"alice"}}
	})
	out, err := e.assume(assertion)
	if err != nil {
		t.Fatal(err)
	}
	want := osts.SAMLProvider{EntityID: samlEntityID, AccountID: acct, Name: "CorpIdP"}.NameQualifier()
	if *out.Subject != "alice" || *out.SubjectType != "persistent" || *out.Issuer != samlEntityID || *out.Audience != samltest.SignInURL ||
		*out.NameQualifier != want || *out.AssumedRoleUser.Arn != "arn:aws:sts::"+acct+":assumed-role/SAMLAdmin/alice@example.test" ||
		aws.ToString(out.SourceIdentity) != "alice" || out.PackedPolicySize == nil {
		t.Fatalf("AssumeRoleWithSAML = %+v", out)
	}
	if d := out.Credentials.Expiration.Sub(e.clock.Now()); d < 3599*time.Second || d > 3600*time.Second {
		t.Fatalf("session lasts %v, want the default hour", d)
	}
	session := creds{*out.Credentials.AccessKeyId, *out.Credentials.SecretAccessKey, *out.Credentials.SessionToken}
	id, err := e.sts(session).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || *id.Arn != *out.AssumedRoleUser.Arn {
		t.Fatalf("GetCallerIdentity = %v, %v", id, err)
	}
	if _, err := e.iam(session).ListRoles(ctx, &iam.ListRolesInput{}); err != nil {
		t.Fatalf("ListRoles with saml:sub alice: %v", err)
	}

	// The same assertion again is refused, as is any use of it elsewhere.
	_, err = e.assume(assertion)
	wantAPIError(t, err, "InvalidIdentityToken", "")

	// Bob's session is denied by the role's policy on saml:sub.
	bob, err := e.assume(e.response(t, func(a *samltest.Assertion) { a.Subject, a.SessionName = "bob", "bob" }))
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.iam(creds{*bob.Credentials.AccessKeyId, *bob.Credentials.SecretAccessKey, *bob.Credentials.SessionToken}).ListRoles(ctx, &iam.ListRolesInput{})
	wantAPIError(t, err, "AccessDenied", "")

	// Deleting the provider ends the sessions issued through it.
	if _, err := e.iam(e.root).DeleteSAMLProvider(ctx, &iam.DeleteSAMLProviderInput{SAMLProviderArn: aws.String(e.providerARN)}); err != nil {
		t.Fatal(err)
	}
	_, err = e.sts(session).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantAPIError(t, err, "InvalidClientTokenId", "")
}

// AWS's refusals (roles-spec §4.3, §4.7).
func TestSAML_Refusals(t *testing.T) {
	t.Parallel()
	e := newSAMLEnv(t, `"sts:AssumeRoleWithSAML"`)
	ctx := context.Background()
	acct := e.node.Root.AccountID
	call := func(role, provider, assertion string) error {
		_, err := e.anonSTS().AssumeRoleWithSAML(ctx, &sts.AssumeRoleWithSAMLInput{
			RoleArn: aws.String(role), PrincipalArn: aws.String(provider), SAMLAssertion: aws.String(assertion)})
		return err
	}
	other, err := samltest.New(samlEntityID) // same entity id, another key
	if err != nil {
		t.Fatal(err)
	}
	forged, err := other.Response(samltest.Assertion{Subject: "alice", SessionName: "alice", Roles: []string{e.roleARN + "," + e.providerARN}})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, role, provider, assertion, code, message string
	}{
		{"ARNs swapped", e.providerARN, e.roleARN, e.response(t, nil), "ValidationError", "Request ARN is invalid"},
		{"not a SAML response", e.roleARN, e.providerARN, "bm90IHhtbA==", "InvalidIdentityToken", ""},
		{"provider that does not exist", e.roleARN, "arn:aws:iam::" + acct + ":saml-provider/Nope", e.response(t, nil), "InvalidIdentityToken", "Specified provider doesn't exist."},
		{"signed by another key", e.roleARN, e.providerARN, forged, "InvalidIdentityToken", "Response signature invalid"},
		{"role not in the assertion", e.roleARN, e.providerARN, e.response(t, func(a *samltest.Assertion) {
			a.Roles = []string{"arn:aws:iam::" + acct + ":role/Other," + e.providerARN}
		}), "AccessDenied", "Not authorized to perform sts:AssumeRoleWithSAML"},
		{"another audience", e.roleARN, e.providerARN, e.response(t, func(a *samltest.Assertion) { a.Audience = "https://elsewhere.example" }),
			"InvalidIdentityToken", "Response does not contain the required audience."},
		{"no RoleSessionName", e.roleARN, e.providerARN, e.response(t, func(a *samltest.Assertion) { a.SessionName = "" }),
			"InvalidIdentityToken", "RoleSessionName is required in AuthnResponse"},
		{"tags without sts:TagSession", e.roleARN, e.providerARN, e.response(t, func(a *samltest.Assertion) {
			a.Attributes = map[string][]string{samltest.AttrPrincipalTag + "team": {"blue"}}
		}), "AccessDenied", "Not authorized to perform sts:AssumeRoleWithSAML"},
		{"expired", e.roleARN, e.providerARN, e.response(t, func(a *samltest.Assertion) { a.IssuedAt = time.Now().Add(-time.Hour) }), "ExpiredTokenException", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantAPIError(t, call(tc.role, tc.provider, tc.assertion), tc.code, tc.message)
		})
	}
}

// The AWS CLI sends assume-role-with-saml unsigned, without credentials.
func TestCLI_AssumeRoleWithSAML(t *testing.T) {
	t.Parallel()
	e := newSAMLEnv(t, `"sts:AssumeRoleWithSAML"`)
	c := newCLI(t, e.env)
	var out struct {
		cliAssumed
		Subject, SubjectType, Issuer, Audience, NameQualifier string
	}
	c.json(creds{}, &out, "sts", "assume-role-with-saml", "--role-arn", e.roleARN, "--principal-arn", e.providerARN,
		"--saml-assertion", e.response(t, nil))
	if !strings.HasSuffix(out.AssumedRoleUser.Arn, ":assumed-role/SAMLAdmin/alice@example.test") || out.Subject != "alice" ||
		out.Issuer != samlEntityID || !strings.HasPrefix(out.Credentials.AccessKeyID, "ASIA") {
		t.Fatalf("assume-role-with-saml = %+v", out)
	}
}
