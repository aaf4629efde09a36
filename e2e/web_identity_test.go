package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

// webIdentityEnv is a node that trusts a test IdP through an IAM OIDC
// provider (client id sts.amazonaws.com) and a role CI whose trust policy
// admits the IdP's tokens for sub repo:octo/app:* with aud
// sts.amazonaws.com (roles-spec §3.5, GitHub Actions' shape). The role may
// list roles, but only while its session's sub is the one the test uses
// and its session tag team, when it has one, is blue.
type webIdentityEnv struct {
	*env
	idp         *testIdP
	providerARN string
	roleARN     string
}

const (
	wiIssuer   = "https://idp.example.test"
	wiAudience = "sts.amazonaws.com"
	wiSubject  = "repo:octo/app:ref:refs/heads/main"
)

func newWebIdentityEnv(t *testing.T, trustActions string) *webIdentityEnv {
	t.Helper()
	idp := newTestIdP(t, wiIssuer)
	e := newEnvWith(t, idp.configure)
	ctx := context.Background()
	out, err := e.iam(e.root).CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{
		Url: aws.String(wiIssuer), ClientIDList: []string{wiAudience}})
	if err != nil {
		t.Fatalf("CreateOpenIDConnectProvider: %v", err)
	}
	provider := *out.OpenIDConnectProviderArn
	host := strings.TrimPrefix(wiIssuer, "https://")
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + provider + `"},"Action":` + trustActions + `,
		"Condition":{"StringEquals":{"` + host + `:aud":"` + wiAudience + `"},"StringLike":{"` + host + `:sub":"repo:octo/app:*"}}}]}`
	perms := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListRoles","Resource":"*",
		"Condition":{"StringEquals":{"` + host + `:sub":"` + wiSubject + `","aws:FederatedProvider":"` + provider + `"}}},
		{"Effect":"Deny","Action":"iam:ListRoles","Resource":"*","Condition":{"Null":{"aws:PrincipalTag/team":"false"},"StringNotEquals":{"aws:PrincipalTag/team":"blue"}}}]}`
	role := e.mustRole("CI", trust, perms)
	return &webIdentityEnv{env: e, idp: idp, providerARN: provider, roleARN: role}
}

// anonSTS is an STS client without credentials: AssumeRoleWithWebIdentity
// is sent unsigned.
func (e *env) anonSTS() *sts.Client {
	cfg := e.v2Config(creds{})
	cfg.Credentials = aws.AnonymousCredentials{}
	return sts.NewFromConfig(cfg)
}

// The SDK's default chain: AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN,
// with AWS_ENDPOINT_URL_STS pointing at OpenSTS and nothing else set, as
// in a CI job or a Kubernetes pod (roles-spec §3.9).
func TestWebIdentity_DefaultChain(t *testing.T) {
	// Not parallel: t.Setenv changes the process environment (HOME, AWS_*).
	e := newWebIdentityEnv(t, `"sts:AssumeRoleWithWebIdentity"`)
	path := tokenFile(t, e.idp.sign(t, e.idp.claims(wiSubject, wiAudience), false))
	home := t.TempDir()
	for k, v := range map[string]string{
		"AWS_WEB_IDENTITY_TOKEN_FILE": path, "AWS_ROLE_ARN": e.roleARN, "AWS_ROLE_SESSION_NAME": "run-42",
		"AWS_ENDPOINT_URL_STS": e.url, "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL_IAM": e.url,
		"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": "", "AWS_PROFILE": "",
		"AWS_CONFIG_FILE": home + "/config", "AWS_SHARED_CREDENTIALS_FILE": home + "/credentials", "HOME": home,
	} {
		t.Setenv(k, v)
	}
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity through the default chain: %v", err)
	}
	acct := e.node.Root.AccountID
	if *id.Arn != "arn:aws:sts::"+acct+":assumed-role/CI/run-42" || !strings.HasPrefix(*id.UserId, "AROA") || !strings.HasSuffix(*id.UserId, ":run-42") {
		t.Fatalf("GetCallerIdentity = %s %s", *id.Arn, *id.UserId)
	}
	// The role's permissions apply, with the token's sub and provider as
	// condition keys of the session's later requests.
	if _, err := iam.NewFromConfig(cfg).ListRoles(ctx, &iam.ListRolesInput{}); err != nil {
		t.Fatalf("ListRoles with the role session: %v", err)
	}
}

// stscreds.NewWebIdentityRoleProvider, directly, and the response's fields.
func TestWebIdentity_ProviderAndResponse(t *testing.T) {
	t.Parallel()
	e := newWebIdentityEnv(t, `["sts:AssumeRoleWithWebIdentity","sts:TagSession","sts:SetSourceIdentity"]`)
	ctx := context.Background()
	acct := e.node.Root.AccountID
	for _, ec := range []bool{false, true} {
		path := tokenFile(t, e.idp.sign(t, e.idp.claims(wiSubject, wiAudience), ec))
		p := stscreds.NewWebIdentityRoleProvider(e.anonSTS(), e.roleARN, stscreds.IdentityTokenFile(path), func(o *stscreds.WebIdentityRoleOptions) {
			o.RoleSessionName = "provider"
		})
		id, err := sts.NewFromConfig(e.withProvider(p)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatalf("ES384=%v: %v", ec, err)
		}
		if *id.Arn != "arn:aws:sts::"+acct+":assumed-role/CI/provider" {
			t.Fatalf("ES384=%v: GetCallerIdentity = %s", ec, *id.Arn)
		}
	}

	claims := e.idp.claims(wiSubject, wiAudience)
	claims["https://aws.amazon.com/tags"] = map[string]any{
		"principal_tags":      map[string]any{"team": []string{"blue"}, "env": []string{"prod"}},
		"transitive_tag_keys": []string{"team"},
	}
	claims["https://aws.amazon.com/source_identity"] = "octocat"
	out, err := e.anonSTS().AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{
		RoleArn: aws.String(e.roleARN), RoleSessionName: aws.String("tagged"), WebIdentityToken: aws.String(e.idp.sign(t, claims, false)),
		DurationSeconds: aws.Int32(900),
	})
	if err != nil {
		t.Fatal(err)
	}
	if *out.SubjectFromWebIdentityToken != wiSubject || *out.Provider != e.providerARN || *out.Audience != wiAudience ||
		*out.AssumedRoleUser.Arn != "arn:aws:sts::"+acct+":assumed-role/CI/tagged" || !strings.HasSuffix(*out.AssumedRoleUser.AssumedRoleId, ":tagged") ||
		out.PackedPolicySize == nil || out.SourceIdentity == nil || *out.SourceIdentity != "octocat" ||
		!strings.HasPrefix(*out.Credentials.AccessKeyId, "ASIA") {
		t.Fatalf("AssumeRoleWithWebIdentity = %+v", out)
	}
	if d := out.Credentials.Expiration.Sub(e.clock.Now()); d < 899*time.Second || d > 900*time.Second {
		t.Fatalf("session lasts %v, want 900s", d)
	}
	session := creds{*out.Credentials.AccessKeyId, *out.Credentials.SecretAccessKey, *out.Credentials.SessionToken}
	if _, err := e.iam(session).ListRoles(ctx, &iam.ListRolesInput{}); err != nil {
		t.Fatalf("ListRoles with team=blue: %v", err)
	}

	// A session whose token said team=red is denied by the role's policy:
	// the token's tags are the session's principal tags.
	claims["https://aws.amazon.com/tags"] = map[string]any{"principal_tags": map[string]any{"team": []string{"red"}}}
	out, err = e.anonSTS().AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{
		RoleArn: aws.String(e.roleARN), RoleSessionName: aws.String("red"), WebIdentityToken: aws.String(e.idp.sign(t, claims, false))})
	if err != nil {
		t.Fatal(err)
	}
	red := creds{*out.Credentials.AccessKeyId, *out.Credentials.SecretAccessKey, *out.Credentials.SessionToken}
	_, err = e.iam(red).ListRoles(ctx, &iam.ListRolesInput{})
	wantAPIError(t, err, "AccessDenied", "")

	// A role session from a web identity may chain into AssumeRole but not
	// call GetSessionToken.
	_, err = e.sts(session).GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	wantAPIError(t, err, "AccessDenied", "Cannot call GetSessionToken with session credentials")
}

// AWS's refusals, in its order (roles-spec §3.4, §3.8).
func TestWebIdentity_Refusals(t *testing.T) {
	t.Parallel()
	e := newWebIdentityEnv(t, `"sts:AssumeRoleWithWebIdentity"`)
	ctx := context.Background()
	acct := e.node.Root.AccountID
	good := e.idp.claims(wiSubject, wiAudience)
	with := func(k string, v any) map[string]any {
		c := map[string]any{}
		for k, v := range good {
			c[k] = v
		}
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	other := newTestIdP(t, "https://other.example.test")
	cases := []struct {
		name, role, token, code, message string
	}{
		{"not a JWT", e.roleARN, "not-a-token", "InvalidIdentityToken", "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)"},
		{"unknown issuer", e.roleARN, other.sign(t, other.claims(wiSubject, wiAudience), false), "InvalidIdentityToken", "No OpenIDConnect provider found in your account for https://other.example.test"},
		{"signed by another key", e.roleARN, func() string {
			c := other.claims(wiSubject, wiAudience)
			c["iss"] = wiIssuer
			return other.sign(t, c, false)
		}(), "InvalidIdentityToken", ""},
		{"wrong audience", e.roleARN, e.idp.sign(t, with("aud", "someone-else"), false), "InvalidIdentityToken", "Incorrect token audience"},
		{"expired", e.roleARN, e.idp.sign(t, with("exp", time.Now().Add(-time.Hour).Unix()), false), "ExpiredTokenException", ""},
		{"sub the trust policy does not admit", e.roleARN, e.idp.sign(t, with("sub", "repo:evil/app:ref:refs/heads/main"), true), "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity"},
		{"tags without sts:TagSession", e.roleARN, e.idp.sign(t, with("https://aws.amazon.com/tags", map[string]any{"principal_tags": map[string]any{"team": []string{"blue"}}}), false),
			"AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity"},
		{"role that does not exist", "arn:aws:iam::" + acct + ":role/Nope", e.idp.sign(t, good, false), "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity"},
		{"role in an account without the provider", "arn:aws:iam::111122223333:role/CI", e.idp.sign(t, good, false), "InvalidIdentityToken", "No OpenIDConnect provider found in your account for " + wiIssuer},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.anonSTS().AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{
				RoleArn: aws.String(tc.role), RoleSessionName: aws.String("s1"), WebIdentityToken: aws.String(tc.token)})
			wantAPIError(t, err, tc.code, tc.message)
		})
	}
	t.Run("duration over the role's maximum", func(t *testing.T) {
		_, err := e.anonSTS().AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{
			RoleArn: aws.String(e.roleARN), RoleSessionName: aws.String("s1"), WebIdentityToken: aws.String(e.idp.sign(t, good, false)), DurationSeconds: aws.Int32(7200)})
		wantAPIError(t, err, "ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	})
	t.Run("signed with stale credentials", func(t *testing.T) {
		// Whatever credentials a client signs with are ignored.
		_, err := e.sts(creds{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""}).AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{
			RoleArn: aws.String(e.roleARN), RoleSessionName: aws.String("s1"), WebIdentityToken: aws.String(e.idp.sign(t, good, false))})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// A session lives only as long as its provider: deleting the provider ends
// the sessions issued through it, and its tokens are refused from then on.
func TestWebIdentity_ProviderDeleted(t *testing.T) {
	t.Parallel()
	e := newWebIdentityEnv(t, `"sts:AssumeRoleWithWebIdentity"`)
	ctx := context.Background()
	tok := e.idp.sign(t, e.idp.claims(wiSubject, wiAudience), false)
	out, err := e.anonSTS().AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{
		RoleArn: aws.String(e.roleARN), RoleSessionName: aws.String("s1"), WebIdentityToken: aws.String(tok)})
	if err != nil {
		t.Fatal(err)
	}
	session := creds{*out.Credentials.AccessKeyId, *out.Credentials.SecretAccessKey, *out.Credentials.SessionToken}
	if _, err := e.sts(session).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.iam(e.root).DeleteOpenIDConnectProvider(ctx, &iam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(e.providerARN)}); err != nil {
		t.Fatal(err)
	}
	_, err = e.sts(session).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantAPIError(t, err, "InvalidClientTokenId", "The security token included in the request is invalid.")
	_, err = e.anonSTS().AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{
		RoleArn: aws.String(e.roleARN), RoleSessionName: aws.String("s1"), WebIdentityToken: aws.String(tok)})
	wantAPIError(t, err, "InvalidIdentityToken", "No OpenIDConnect provider found in your account for "+wiIssuer)

	// The same URL registered again is another provider: the old session
	// stays ended.
	if _, err := e.iam(e.root).CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String(wiIssuer), ClientIDList: []string{wiAudience}}); err != nil {
		t.Fatal(err)
	}
	_, err = e.sts(session).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantAPIError(t, err, "InvalidClientTokenId", "")
}

// The AWS CLI sends assume-role-with-web-identity unsigned, without any
// credentials configured (roles-spec §3.1).
func TestCLI_AssumeRoleWithWebIdentity(t *testing.T) {
	t.Parallel()
	e := newWebIdentityEnv(t, `"sts:AssumeRoleWithWebIdentity"`)
	c := newCLI(t, e.env)
	var out struct {
		cliAssumed
		SubjectFromWebIdentityToken, Provider, Audience string
	}
	c.json(creds{}, &out, "sts", "assume-role-with-web-identity", "--role-arn", e.roleARN, "--role-session-name", "cli",
		"--web-identity-token", e.idp.sign(t, e.idp.claims(wiSubject, wiAudience), true))
	acct := e.node.Root.AccountID
	if out.AssumedRoleUser.Arn != "arn:aws:sts::"+acct+":assumed-role/CI/cli" || out.SubjectFromWebIdentityToken != wiSubject ||
		out.Provider != e.providerARN || out.Audience != wiAudience || !strings.HasPrefix(out.Credentials.AccessKeyID, "ASIA") {
		t.Fatalf("assume-role-with-web-identity = %+v", out)
	}
	var id struct{ Arn string }
	c.json(creds{out.Credentials.AccessKeyID, out.Credentials.SecretAccessKey, out.Credentials.SessionToken}, &id, "sts", "get-caller-identity")
	if id.Arn != out.AssumedRoleUser.Arn {
		t.Fatalf("get-caller-identity = %s", id.Arn)
	}
	c.fails(creds{}, "InvalidIdentityToken", "Incorrect token audience", "sts", "assume-role-with-web-identity", "--role-arn", e.roleARN,
		"--role-session-name", "cli", "--web-identity-token", e.idp.sign(t, e.idp.claims(wiSubject, "other"), false))
}

// boto3 (Debian's 1.26, endpoint_url in code) calls
// assume_role_with_web_identity unsigned, as botocore's own web identity
// provider does, and uses the session.
func TestBoto3_AssumeRoleWithWebIdentity(t *testing.T) {
	t.Parallel()
	py := boto3Python(t)
	e := newWebIdentityEnv(t, `"sts:AssumeRoleWithWebIdentity"`)
	script := `
import json, os, sys
import boto3
from botocore import UNSIGNED
from botocore.config import Config
url = os.environ["OPENSTS_URL"]
sts = boto3.client("sts", region_name="us-east-1", endpoint_url=url, config=Config(signature_version=UNSIGNED))
out = sts.assume_role_with_web_identity(RoleArn=os.environ["ROLE_ARN"], RoleSessionName="boto3",
    WebIdentityToken=open(os.environ["TOKEN_FILE"]).read())
c = out["Credentials"]
me = boto3.client("sts", region_name="us-east-1", endpoint_url=url, aws_access_key_id=c["AccessKeyId"],
    aws_secret_access_key=c["SecretAccessKey"], aws_session_token=c["SessionToken"]).get_caller_identity()
json.dump({"subject": out["SubjectFromWebIdentityToken"], "provider": out["Provider"], "audience": out["Audience"],
    "assumed": out["AssumedRoleUser"]["Arn"], "caller": me["Arn"]}, sys.stdout)
`
	cmd := exec.Command(py, "-c", script)
	cmd.Env = append(newClientHome(t).env(), "OPENSTS_URL="+e.url, "ROLE_ARN="+e.roleARN,
		"TOKEN_FILE="+tokenFile(t, e.idp.sign(t, e.idp.claims(wiSubject, wiAudience), false)))
	raw, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("%v: %s", err, ee.Stderr)
		}
		t.Fatal(err)
	}
	var got map[string]string
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatalf("%v: %s", err, raw)
	}
	want := "arn:aws:sts::" + e.node.Root.AccountID + ":assumed-role/CI/boto3"
	if got["subject"] != wiSubject || got["provider"] != e.providerARN || got["audience"] != wiAudience || got["assumed"] != want || got["caller"] != want {
		t.Fatalf("boto3: %v", got)
	}
}

// A flood of tokens naming key ids the issuer never published — what an
// attacker can mint without any key — costs the issuer at most one key
// fetch per refresh interval (a minute), however many requests come: none
// in the minute after the keys were fetched, then exactly one.
func TestWebIdentity_UnknownKidFlood(t *testing.T) {
	t.Parallel()
	e := newWebIdentityEnv(t, `"sts:AssumeRoleWithWebIdentity"`)
	ctx := context.Background()
	good := e.idp.sign(t, e.idp.claims(wiSubject, wiAudience), false)
	if _, err := e.anonSTS().AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{
		RoleArn: aws.String(e.roleARN), RoleSessionName: aws.String("s1"), WebIdentityToken: aws.String(good)}); err != nil {
		t.Fatal(err)
	}
	flood := func(n int) {
		t.Helper()
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range n {
			wg.Go(func() {
				tok, err := e.idp.SignWithKid(e.idp.claims(wiSubject, wiAudience), fmt.Sprintf("forged-%d", i))
				if err != nil {
					errs <- err
					return
				}
				_, err = e.anonSTS().AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{
					RoleArn: aws.String(e.roleARN), RoleSessionName: aws.String("s1"), WebIdentityToken: aws.String(tok)})
				var ae smithy.APIError
				if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidIdentityToken" {
					errs <- fmt.Errorf("a token with an unknown kid: %v", err)
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
	}
	before := e.idp.KeyFetches.Load()
	flood(250)
	if n := e.idp.KeyFetches.Load() - before; n != 0 {
		t.Fatalf("250 tokens with unknown key ids within a minute of the last fetch made %d key fetches, want 0", n)
	}
	e.clock.Advance(61 * time.Second)
	flood(250)
	if n := e.idp.KeyFetches.Load() - before; n != 1 {
		t.Fatalf("250 more tokens a minute later made %d key fetches in all, want exactly 1", n)
	}
}
