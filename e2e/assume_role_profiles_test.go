package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	awsv1 "github.com/aws/aws-sdk-go/aws"
	stscredsv1 "github.com/aws/aws-sdk-go/aws/credentials/stscreds"
	stsv1 "github.com/aws/aws-sdk-go/service/sts"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// The other ways clients assume roles: aws-sdk-go v1's stscreds (the
// seeds' SDK), and aws-sdk-go-v2's shared-config role profile
// (role_arn + source_profile) with the STS endpoint from
// AWS_ENDPOINT_URL_STS, as docs/roles.md describes.
func TestAssumeRole_Clients(t *testing.T) {
	// Not parallel: t.Setenv changes the process environment.
	e := newEnv(t)
	ctx := context.Background()
	acct := e.node.Root.AccountID
	alice := e.mustUser("alice")
	role := e.mustRole("Deploy", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+acct+`:user/alice"},"Action":"sts:AssumeRole"}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListRoles","Resource":"*"}]}`)
	wantARN := func(t *testing.T, got, session string) {
		t.Helper()
		if got != "arn:aws:sts::"+acct+":assumed-role/Deploy/"+session {
			t.Fatalf("caller %s", got)
		}
	}

	t.Run("aws-sdk-go v1 stscreds", func(t *testing.T) {
		src := e.v1(alice)
		sess := src.Copy(&awsv1.Config{Credentials: stscredsv1.NewCredentials(src, role, func(p *stscredsv1.AssumeRoleProvider) {
			p.RoleSessionName = "v1-session"
		})})
		out, err := stsv1.New(sess).GetCallerIdentity(&stsv1.GetCallerIdentityInput{})
		if err != nil {
			t.Fatal(err)
		}
		wantARN(t, *out.Arn, "v1-session")
	})

	t.Run("aws-sdk-go-v2 role profile", func(t *testing.T) {
		dir := t.TempDir()
		cfgFile := filepath.Join(dir, "config")
		profiles := strings.Join([]string{
			"[profile alice]",
			"region = us-east-1",
			"aws_access_key_id = " + alice.AccessKeyID,
			"aws_secret_access_key = " + alice.SecretAccessKey,
			"[profile deploy]",
			"region = us-east-1",
			"role_arn = " + role,
			"source_profile = alice",
			"role_session_name = from-profile",
		}, "\n") + "\n"
		if err := os.WriteFile(cfgFile, []byte(profiles), 0o600); err != nil {
			t.Fatal(err)
		}
		empty := filepath.Join(dir, "credentials")
		if err := os.WriteFile(empty, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_ENDPOINT_URL"} {
			t.Setenv(k, "")
		}
		t.Setenv("AWS_ENDPOINT_URL_STS", e.url)
		t.Setenv("AWS_ENDPOINT_URL_IAM", e.url)
		cfg, err := config.LoadDefaultConfig(ctx, config.WithSharedConfigFiles([]string{cfgFile}),
			config.WithSharedCredentialsFiles([]string{empty}), config.WithSharedConfigProfile("deploy"),
			config.WithRetryMaxAttempts(1))
		if err != nil {
			t.Fatal(err)
		}
		out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatal(err)
		}
		wantARN(t, *out.Arn, "from-profile")
		if _, err := iam.NewFromConfig(cfg).ListRoles(ctx, &iam.ListRolesInput{}); err != nil {
			t.Fatalf("ListRoles with the profile's role: %v", err)
		}
	})
}
