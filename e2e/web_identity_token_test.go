package e2e

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/opensts/opensts/certs/certstest"
	"github.com/opensts/opensts/node"
)

// issuerEnv is a node whose outbound web identity federation issuer is
// https://sts-a.example.test: the SDKs reach it on e.url (plain HTTP on
// loopback), relying parties on tlsAddr with a certificate for
// sts-a.example.test from ca.
type issuerEnv struct {
	*env
	ca      *certstest.CA
	tlsAddr string
}

const issuerBase = "https://sts-a.example.test"

func newIssuerEnv(t *testing.T) *issuerEnv {
	t.Helper()
	e := newEnvWith(t, func(c *node.Config) { c.IssuerURL = issuerBase })
	ca := certstest.NewCA(t)
	certPEM, keyPEM := ca.Leaf(t, "sts-a.example.test")
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(e.node.Handler)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return &issuerEnv{env: e, ca: ca, tlsAddr: srv.Listener.Addr().String()}
}

// relyingPartyClient reaches the issuer as a relying party would: by its
// name, trusting its CA.
func (e *issuerEnv) relyingPartyClient() *http.Client {
	d := &net.Dialer{Timeout: 5 * time.Second}
	return &http.Client{Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: e.ca.Pool()},
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if addr == "sts-a.example.test:443" {
				addr = e.tlsAddr
			}
			return d.DialContext(ctx, network, addr)
		},
	}}
}

const tokenAudience = "https://api.example.test"

// GetWebIdentityToken end to end: IAM enables the account's issuer,
// alice gets tokens within her policy's audience and lifetime, and a
// standard OIDC library (go-oidc) verifies them through discovery.
func TestGetWebIdentityToken_Verified(t *testing.T) {
	t.Parallel()
	e := newIssuerEnv(t)
	ctx := context.Background()
	acct := e.node.Root.AccountID
	alice := e.mustUser("alice")
	if _, err := e.iam(e.root).PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("tokens"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:GetWebIdentityToken","Resource":"*",
			"Condition":{"ForAllValues:StringEquals":{"sts:IdentityTokenAudience":"` + tokenAudience + `"},"NumericLessThanEquals":{"sts:DurationSeconds":"300"}}}]}`)}); err != nil {
		t.Fatal(err)
	}
	get := func(c creds, in *sts.GetWebIdentityTokenInput) (*sts.GetWebIdentityTokenOutput, error) {
		return e.sts(c).GetWebIdentityToken(ctx, in)
	}
	input := func() *sts.GetWebIdentityTokenInput {
		return &sts.GetWebIdentityTokenInput{Audience: []string{tokenAudience}, SigningAlgorithm: aws.String("RS256"),
			Tags: []ststypes.Tag{{Key: aws.String("job"), Value: aws.String("42")}}}
	}

	_, err := get(alice, input())
	wantAPIError(t, err, "OutboundWebIdentityFederationDisabledException", "")
	out, err := e.iam(e.root).EnableOutboundWebIdentityFederation(ctx, &iam.EnableOutboundWebIdentityFederationInput{})
	if err != nil {
		t.Fatal(err)
	}
	issuer := issuerBase + "/" + acct
	if aws.ToString(out.IssuerIdentifier) != issuer {
		t.Fatalf("IssuerIdentifier = %v, want %s", aws.ToString(out.IssuerIdentifier), issuer)
	}
	_, err = e.iam(e.root).EnableOutboundWebIdentityFederation(ctx, &iam.EnableOutboundWebIdentityFederationInput{})
	wantAPIError(t, err, "FeatureEnabled", "")
	info, err := e.iam(e.root).GetOutboundWebIdentityFederationInfo(ctx, &iam.GetOutboundWebIdentityFederationInfoInput{})
	if err != nil || !info.JwtVendingEnabled || aws.ToString(info.IssuerIdentifier) != issuer {
		t.Fatalf("GetOutboundWebIdentityFederationInfo = %+v, %v", info, err)
	}

	rp := oidc.ClientContext(ctx, e.relyingPartyClient())
	provider, err := oidc.NewProvider(rp, issuer)
	if err != nil {
		t.Fatalf("discovery of %s: %v", issuer, err)
	}
	verifier := provider.Verifier(&oidc.Config{ClientID: tokenAudience, SupportedSigningAlgs: []string{"RS256", "ES384"}})
	for _, alg := range []string{"RS256", "ES384"} {
		in := input()
		in.SigningAlgorithm = aws.String(alg)
		tok, err := get(alice, in)
		if err != nil {
			t.Fatalf("%s: %v", alg, err)
		}
		if d := tok.Expiration.Sub(e.clock.Now()); d < 299*time.Second || d > 300*time.Second {
			t.Fatalf("%s: token lasts %v, want the default 300s", alg, d)
		}
		idt, err := verifier.Verify(rp, *tok.WebIdentityToken)
		if err != nil {
			t.Fatalf("%s: go-oidc refused the token: %v", alg, err)
		}
		var claims struct {
			JTI string `json:"jti"`
			AWS struct {
				Account     string            `json:"aws_account"`
				PrincipalID string            `json:"principal_id"`
				RequestTags map[string]string `json:"request_tags"`
			} `json:"https://sts.amazonaws.com/"`
		}
		if err := idt.Claims(&claims); err != nil {
			t.Fatal(err)
		}
		userARN := "arn:aws:iam::" + acct + ":user/alice"
		if idt.Subject != userARN || idt.Issuer != issuer || claims.AWS.Account != acct || claims.AWS.PrincipalID != userARN ||
			claims.AWS.RequestTags["job"] != "42" || claims.JTI == "" {
			t.Fatalf("%s: claims sub=%s iss=%s %+v", alg, idt.Subject, idt.Issuer, claims)
		}
	}

	// The policy's conditions apply: another audience, a longer lifetime.
	in := input()
	in.Audience = []string{tokenAudience, "https://other.example.test"}
	_, err = get(alice, in)
	wantAPIError(t, err, "AccessDenied", "")
	in = input()
	in.DurationSeconds = aws.Int32(900)
	_, err = get(alice, in)
	wantAPIError(t, err, "AccessDenied", "")

	// A token may not outlive the session that asks for it.
	st, err := e.sts(e.root).GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(900)})
	if err != nil {
		t.Fatal(err)
	}
	session := creds{*st.Credentials.AccessKeyId, *st.Credentials.SecretAccessKey, *st.Credentials.SessionToken}
	in = input()
	in.DurationSeconds = aws.Int32(3600)
	_, err = get(session, in)
	wantAPIError(t, err, "SessionDurationEscalationException", "")

	// Disabled: no new tokens; the issuer stays published.
	if _, err := e.iam(e.root).DisableOutboundWebIdentityFederation(ctx, &iam.DisableOutboundWebIdentityFederationInput{}); err != nil {
		t.Fatal(err)
	}
	_, err = get(alice, input())
	wantAPIError(t, err, "OutboundWebIdentityFederationDisabledException", "")
	_, err = e.iam(e.root).DisableOutboundWebIdentityFederation(ctx, &iam.DisableOutboundWebIdentityFederationInput{})
	wantAPIError(t, err, "FeatureDisabled", "")
}

// A second OpenSTS deployment accepts the first's tokens in
// AssumeRoleWithWebIdentity, the first registered there as an OpenID
// Connect provider like any other issuer.
func TestGetWebIdentityToken_SecondDeployment(t *testing.T) {
	t.Parallel()
	a := newIssuerEnv(t)
	ctx := context.Background()
	acctA := a.node.Root.AccountID
	if _, err := a.iam(a.root).EnableOutboundWebIdentityFederation(ctx, &iam.EnableOutboundWebIdentityFederationInput{}); err != nil {
		t.Fatal(err)
	}
	tok, err := a.sts(a.root).GetWebIdentityToken(ctx, &sts.GetWebIdentityTokenInput{Audience: []string{tokenAudience}, SigningAlgorithm: aws.String("ES384")})
	if err != nil {
		t.Fatal(err)
	}
	issuer := issuerBase + "/" + acctA
	b := newEnvWith(t, func(c *node.Config) {
		c.WebIdentity.RootCAs = a.ca.Pool()
		c.WebIdentity.Resolve = map[string]string{"sts-a.example.test:443": a.tlsAddr}
	})
	p, err := b.iam(b.root).CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String(issuer), ClientIDList: []string{tokenAudience}})
	if err != nil {
		t.Fatal(err)
	}
	host := strings.TrimPrefix(issuer, "https://")
	role := b.mustRole("FromA", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"`+*p.OpenIDConnectProviderArn+`"},
		"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"`+host+`:sub":"arn:aws:iam::`+acctA+`:root","`+host+`:aud":"`+tokenAudience+`"}}}]}`, "")
	out, err := b.anonSTS().AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{
		RoleArn: aws.String(role), RoleSessionName: aws.String("from-a"), WebIdentityToken: tok.WebIdentityToken})
	if err != nil {
		t.Fatalf("deployment B refused deployment A's token: %v", err)
	}
	if *out.SubjectFromWebIdentityToken != "arn:aws:iam::"+acctA+":root" || *out.Provider != *p.OpenIDConnectProviderArn {
		t.Fatalf("AssumeRoleWithWebIdentity at B = %+v", out)
	}
}
