package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
)

// mustRole creates a role with a trust policy and, when policy is not
// empty, an inline permissions policy.
func (e *env) mustRole(name, trust, policy string) string {
	e.t.Helper()
	ctx := context.Background()
	c := e.iam(e.root)
	out, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		e.t.Fatalf("CreateRole %s: %v", name, err)
	}
	if policy != "" {
		if _, err := c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("perms"), PolicyDocument: aws.String(policy)}); err != nil {
			e.t.Fatalf("PutRolePolicy %s: %v", name, err)
		}
	}
	return *out.Role.Arn
}

// withProvider is an aws.Config whose credentials come from p.
func (e *env) withProvider(p aws.CredentialsProvider) aws.Config {
	cfg := e.v2Config(creds{})
	cfg.Credentials = aws.NewCredentialsCache(p)
	return cfg
}

// AssumeRole through aws-sdk-go-v2's stscreds provider, as SDKs, the CLI
// and aws-vault use it (roles-spec §2).
func TestAssumeRole_v2(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	acct := e.node.Root.AccountID
	alice, bob := e.mustUser("alice"), e.mustUser("bob")
	listUsers := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}]}`
	deploy := e.mustRole("Deploy", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+acct+`:user/alice"},"Action":["sts:AssumeRole","sts:TagSession"]}]}`, listUsers)

	session := e.withProvider(stscreds.NewAssumeRoleProvider(e.sts(alice), deploy, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = "deploy@ci"
	}))
	id, err := sts.NewFromConfig(session).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if *id.Arn != "arn:aws:sts::"+acct+":assumed-role/Deploy/deploy@ci" || !strings.HasPrefix(*id.UserId, "AROA") || !strings.HasSuffix(*id.UserId, ":deploy@ci") || *id.Account != acct {
		t.Fatalf("GetCallerIdentity of the role session = %s %s %s", *id.Arn, *id.UserId, *id.Account)
	}
	// The role's permissions, not alice's (she has none).
	if _, err := iam.NewFromConfig(session).ListUsers(ctx, &iam.ListUsersInput{}); err != nil {
		t.Fatalf("ListUsers with the role's policy: %v", err)
	}
	_, err = iam.NewFromConfig(session).CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("x")})
	wantAPIError(t, err, "AccessDenied", "User: arn:aws:sts::"+acct+":assumed-role/Deploy/deploy@ci is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::"+acct+":user/x because no identity-based policy allows the iam:CreateUser action")
	_, err = iam.NewFromConfig(session).GetUser(ctx, &iam.GetUserInput{})
	wantAPIError(t, err, "ValidationError", "Must specify userName when calling with non-User credentials")

	t.Run("response", func(t *testing.T) {
		out, err := e.sts(alice).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(deploy), RoleSessionName: aws.String("s1"), DurationSeconds: aws.Int32(900),
			Tags: []ststypes.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}})
		if err != nil {
			t.Fatal(err)
		}
		if *out.AssumedRoleUser.Arn != "arn:aws:sts::"+acct+":assumed-role/Deploy/s1" || !strings.HasPrefix(*out.Credentials.AccessKeyId, "ASIA") ||
			out.PackedPolicySize == nil || out.SourceIdentity != nil {
			t.Fatalf("AssumeRole = %+v", out)
		}
		if d := out.Credentials.Expiration.Sub(e.clock.Now()); d < 899*time.Second || d > 900*time.Second {
			t.Errorf("a 900 s session expires in %v", d)
		}
	})

	t.Run("refusals", func(t *testing.T) {
		denied := func(who, arn string) string {
			return "User: " + who + " is not authorized to perform: sts:AssumeRole on resource: " + arn
		}
		_, err := e.sts(bob).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(deploy), RoleSessionName: aws.String("s2")})
		wantAPIError(t, err, "AccessDenied", denied("arn:aws:iam::"+acct+":user/bob", deploy))
		missing := "arn:aws:iam::" + acct + ":role/Missing"
		_, err = e.sts(bob).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(missing), RoleSessionName: aws.String("s2")})
		wantAPIError(t, err, "AccessDenied", denied("arn:aws:iam::"+acct+":user/bob", missing))
		wrongCase := strings.Replace(deploy, "Deploy", "deploy", 1)
		_, err = e.sts(alice).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(wrongCase), RoleSessionName: aws.String("s2")})
		wantAPIError(t, err, "AccessDenied", denied("arn:aws:iam::"+acct+":user/alice", wrongCase))
		_, err = e.sts(e.root).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(deploy), RoleSessionName: aws.String("s2")})
		wantAPIError(t, err, "AccessDenied", "Roles may not be assumed by root accounts.")
		_, err = e.sts(alice).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("nothing-valid-in-here"), RoleSessionName: aws.String("s2")})
		wantAPIError(t, err, "ValidationError", "nothing-valid-in-here is invalid")
		_, err = e.sts(alice).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(deploy), RoleSessionName: aws.String("s2"), DurationSeconds: aws.Int32(7200)})
		wantAPIError(t, err, "ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
		_, err = e.sts(alice).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(deploy), RoleSessionName: aws.String("s2"),
			Tags: []ststypes.Tag{{Key: aws.String("a"), Value: aws.String("1")}}, TransitiveTagKeys: []string{"b"}})
		wantAPIError(t, err, "InvalidParameterValue", "The specified transitive tag key must be included in the requested tags.")
		_, err = e.sts(alice).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(deploy), RoleSessionName: aws.String("x:y")})
		wantAPIError(t, err, "ValidationError", `1 validation error detected: Value 'x:y' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]*`)
		fed := e.federate(e.root, "fed-user", aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`))
		_, err = e.sts(fed).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(deploy), RoleSessionName: aws.String("s2")})
		if code, _ := apiCode(t, err); code != "AccessDenied" {
			t.Fatalf("a federated user assumed a role: %v", err)
		}
	})

	t.Run("account trust needs an identity policy", func(t *testing.T) {
		app := e.mustRole("App", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"`+acct+`"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"tenant-42"}}}]}`, "")
		carol := e.mustUser("carol")
		_, err := e.sts(carol).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(app), RoleSessionName: aws.String("s2"), ExternalId: aws.String("tenant-42")})
		wantDenied(t, "account trust without an identity policy", err)
		e.mustPutUserPolicy("carol", "assume", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::`+acct+`:role/App"}]}`)
		_, err = e.sts(carol).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(app), RoleSessionName: aws.String("s2")})
		wantDenied(t, "without the external id", err)
		_, err = e.sts(carol).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(app), RoleSessionName: aws.String("s2"), ExternalId: aws.String("tenant-42")})
		wantAllowed(t, "with the identity policy and the external id", err)
	})

	t.Run("chaining", func(t *testing.T) {
		e.mustRole("Next", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"`+deploy+`"},"Action":["sts:AssumeRole","sts:TagSession"]}]}`,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"blue"}}}]}`)
		first, err := e.sts(alice).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(deploy), RoleSessionName: aws.String("first"),
			Tags: []ststypes.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}, TransitiveTagKeys: []string{"team"}})
		if err != nil {
			t.Fatal(err)
		}
		fc := fromSTS(first.Credentials.AccessKeyId, first.Credentials.SecretAccessKey, first.Credentials.SessionToken)
		next := "arn:aws:iam::" + acct + ":role/Next"
		_, err = e.sts(fc).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(next), RoleSessionName: aws.String("second"), DurationSeconds: aws.Int32(7200)})
		wantAPIError(t, err, "ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
		_, err = e.sts(fc).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(next), RoleSessionName: aws.String("second"),
			Tags: []ststypes.Tag{{Key: aws.String("TEAM"), Value: aws.String("red")}}})
		wantAPIError(t, err, "InvalidParameterValue", "One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the calling session.")
		second, err := e.sts(fc).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(next), RoleSessionName: aws.String("second")})
		if err != nil {
			t.Fatal(err)
		}
		sc := fromSTS(second.Credentials.AccessKeyId, second.Credentials.SecretAccessKey, second.Credentials.SessionToken)
		// The transitive tag came along: Next's policy allows only team=blue.
		if _, err := e.iam(sc).ListUsers(ctx, &iam.ListUsersInput{}); err != nil {
			t.Fatalf("ListUsers with the inherited transitive tag: %v", err)
		}
	})

	t.Run("GetSessionToken with MFA, then AssumeRole (aws-vault)", func(t *testing.T) {
		d := e.mustEnroll("alice", "alice-phone")
		e.mustRole("Admin", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+acct+`:user/alice"},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}`, listUsers)
		admin := "arn:aws:iam::" + acct + ":role/Admin"
		_, err := e.sts(alice).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(admin), RoleSessionName: aws.String("s2")})
		wantDenied(t, "without MFA", err)
		gst := e.mustSession(alice, &sts.GetSessionTokenInput{SerialNumber: aws.String(d.serial), TokenCode: aws.String(e.code(d, 0)), DurationSeconds: aws.Int32(3600)})
		e.clock.Advance(30 * time.Second)
		_, err = e.sts(gst).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(admin), RoleSessionName: aws.String("vault"), DurationSeconds: aws.Int32(3600)})
		wantAllowed(t, "with a GetSessionToken session proven with MFA", err)
		// stscreds with a serial number and a token provider, as CLI role
		// profiles with mfa_serial do.
		provider := stscreds.NewAssumeRoleProvider(e.sts(alice), admin, func(o *stscreds.AssumeRoleOptions) {
			o.SerialNumber = aws.String(d.serial)
			o.TokenProvider = func() (string, error) { return e.code(d, 0), nil }
		})
		if _, err := iam.NewFromConfig(e.withProvider(provider)).ListUsers(ctx, &iam.ListUsersInput{}); err != nil {
			t.Fatalf("stscreds with MFA: %v", err)
		}
	})

	t.Run("changes to the role apply to live sessions", func(t *testing.T) {
		c := e.iam(e.root)
		if _, err := c.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("Deploy"), PolicyName: aws.String("perms")}); err != nil {
			t.Fatal(err)
		}
		_, err := iam.NewFromConfig(session).ListUsers(ctx, &iam.ListUsersInput{})
		wantDenied(t, "ListUsers after the role's policy was deleted", err)
		if _, err := c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("Deploy")}); err != nil {
			t.Fatal(err)
		}
		_, err = sts.NewFromConfig(session).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		wantAPIError(t, err, "InvalidClientTokenId", "")
	})
}

// A trust policy names the user it named when it was written: deleting the
// user and creating another of the same name does not let the newcomer
// assume the role, until the trust policy is set again (AWS keeps unique
// ids in trust policies).
func TestAssumeRole_RecreatedPrincipal(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	acct := e.node.Root.AccountID
	c := e.iam(e.root)
	dave := e.mustUser("dave")
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:user/dave"},"Action":"sts:AssumeRole"}]}`
	role := e.mustRole("Ops", trust, "")
	assume := func(who creds) error {
		_, err := e.sts(who).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("s1")})
		return err
	}
	wantAllowed(t, "the user the trust policy names", assume(dave))

	if _, err := c.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("dave"), AccessKeyId: aws.String(dave.AccessKeyID)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("dave")}); err != nil {
		t.Fatal(err)
	}
	newDave := e.mustUser("dave")
	wantDenied(t, "another user of the same name", assume(newDave))

	if _, err := c.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("Ops"), PolicyDocument: aws.String(trust)}); err != nil {
		t.Fatal(err)
	}
	wantAllowed(t, "after the trust policy is set again", assume(newDave))
}
