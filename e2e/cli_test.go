package e2e

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// awsCLI finds the AWS CLI. Locally the CLI suites skip without it; in CI
// (CI set, as .ci/run does) a missing CLI is a failure, because a skip there
// would report untested behaviour as passing.
func awsCLI(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("aws")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("the AWS CLI is required in CI: %v", err)
		}
		t.Skip("aws not on PATH; install the AWS CLI to run this suite")
	}
	return path
}

// cli runs the AWS CLI against the env with credentials c and an isolated
// configuration, returning stdout, stderr and the error.
type cli struct {
	t    *testing.T
	bin  string
	url  string
	home string
}

// newCLI prepares an isolated CLI configuration. Client-side parameter
// validation is off, so the server's own validation is what is tested.
func newCLI(t *testing.T, e *env) *cli {
	c := &cli{t: t, bin: awsCLI(t), url: e.url, home: t.TempDir()}
	config := "[default]\nregion = us-east-1\nparameter_validation = false\ncli_pager =\ns3 =\n    addressing_style = path\n"
	if err := os.WriteFile(filepath.Join(c.home, "config"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	return c
}

// at returns the same CLI configuration pointed at another endpoint.
func (c *cli) at(url string) *cli {
	d := *c
	d.url = url
	return &d
}

func (c *cli) run(cr creds, args ...string) (string, string, error) {
	c.t.Helper()
	cmd := exec.Command(c.bin, append(args, "--endpoint-url", c.url, "--output", "json")...)
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + c.home,
		"AWS_CONFIG_FILE=" + filepath.Join(c.home, "config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(c.home, "credentials"),
		"AWS_ACCESS_KEY_ID=" + cr.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY=" + cr.SecretAccessKey,
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_REGION=us-east-1",
		"AWS_PAGER=",
		"AWS_MAX_ATTEMPTS=1",
		"AWS_RETRY_MODE=standard",
	}
	if cr.SessionToken != "" {
		cmd.Env = append(cmd.Env, "AWS_SESSION_TOKEN="+cr.SessionToken)
	}
	for _, k := range []string{"PYENV_ROOT", "PYENV_VERSION", "LANG", "SSL_CERT_FILE"} {
		if v, ok := os.LookupEnv(k); ok {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.String(), stderr.String(), err
}

// json runs a command that must succeed and decodes its JSON output.
func (c *cli) json(cr creds, out any, args ...string) {
	c.t.Helper()
	stdout, stderr, err := c.run(cr, args...)
	if err != nil {
		c.t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	if err := json.Unmarshal([]byte(stdout), out); err != nil {
		c.t.Fatalf("aws %s: output is not JSON: %v\n%s", strings.Join(args, " "), err, stdout)
	}
}

// fails runs a command that must fail with the AWS error code in its stderr.
func (c *cli) fails(cr creds, code, contains string, args ...string) {
	c.t.Helper()
	_, stderr, err := c.run(cr, args...)
	if err == nil {
		c.t.Fatalf("aws %s succeeded, want %s", strings.Join(args, " "), code)
	}
	if !strings.Contains(stderr, "("+code+")") || !strings.Contains(stderr, contains) {
		c.t.Fatalf("aws %s: stderr %q, want code %s and %q", strings.Join(args, " "), stderr, code, contains)
	}
}

type cliCredentials struct {
	Credentials struct {
		AccessKeyID     string `json:"AccessKeyId"`
		SecretAccessKey string
		SessionToken    string
		Expiration      string
	}
	FederatedUser struct {
		Arn, FederatedUserId string
	}
	PackedPolicySize *int
}

func (c cliCredentials) creds() creds {
	return creds{AccessKeyID: c.Credentials.AccessKeyID, SecretAccessKey: c.Credentials.SecretAccessKey, SessionToken: c.Credentials.SessionToken}
}

// The README's quick start, with the AWS CLI.
func TestCLI_QuickStart(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newCLI(t, e)
	acct := e.node.Root.AccountID

	var user struct {
		User struct{ UserName, Arn, UserId string }
	}
	c.json(e.root, &user, "iam", "create-user", "--user-name", "alice")
	if user.User.Arn != "arn:aws:iam::"+acct+":user/alice" {
		t.Fatalf("create-user: %+v", user)
	}
	var key struct {
		AccessKey struct{ AccessKeyId, SecretAccessKey, Status string }
	}
	c.json(e.root, &key, "iam", "create-access-key", "--user-name", "alice")
	alice := creds{AccessKeyID: key.AccessKey.AccessKeyId, SecretAccessKey: key.AccessKey.SecretAccessKey}

	var sess cliCredentials
	c.json(alice, &sess, "sts", "get-session-token", "--duration-seconds", "900")
	exp, err := time.Parse(time.RFC3339, sess.Credentials.Expiration)
	if err != nil || !near(exp, e.clock.Now().Add(900*time.Second), 10*time.Second) {
		t.Fatalf("get-session-token Expiration %q: %v", sess.Credentials.Expiration, err)
	}
	var id struct{ UserId, Account, Arn string }
	c.json(sess.creds(), &id, "sts", "get-caller-identity")
	if id.Arn != user.User.Arn || id.UserId != user.User.UserId || id.Account != acct {
		t.Fatalf("get-caller-identity with the session = %+v", id)
	}

	policy := filepath.Join(t.TempDir(), "p.json")
	if err := os.WriteFile(policy, []byte(allowAllS3), 0o600); err != nil {
		t.Fatal(err)
	}
	e.mustPutUserPolicy("alice", "federate", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:GetFederationToken","Resource":"*"}]}`)
	var fed cliCredentials
	c.json(alice, &fed, "sts", "get-federation-token", "--name", "Bob", "--policy", "file://"+policy)
	if fed.FederatedUser.Arn != "arn:aws:sts::"+acct+":federated-user/Bob" || fed.PackedPolicySize == nil {
		t.Fatalf("get-federation-token = %+v", fed)
	}
	c.json(fed.creds(), &id, "sts", "get-caller-identity")
	if id.Arn != fed.FederatedUser.Arn || id.UserId != acct+":Bob" {
		t.Fatalf("get-caller-identity as Bob = %+v", id)
	}
	c.json(e.root, &fed, "sts", "get-federation-token", "--name", "Ops", "--duration-seconds", "7200")
	if exp, _ := time.Parse(time.RFC3339, fed.Credentials.Expiration); !near(exp, e.clock.Now().Add(time.Hour), 10*time.Second) {
		t.Fatalf("root federation session until %s, want the 1 h cap", fed.Credentials.Expiration)
	}

	var keys struct {
		AccessKeyMetadata []struct{ AccessKeyId, Status string }
	}
	c.json(e.root, &keys, "iam", "list-access-keys", "--user-name", "alice")
	if len(keys.AccessKeyMetadata) != 1 || keys.AccessKeyMetadata[0].AccessKeyId != alice.AccessKeyID {
		t.Fatalf("list-access-keys = %+v", keys)
	}
	var users struct{ Users []struct{ UserName string } }
	c.json(e.root, &users, "iam", "list-users")
	if len(users.Users) != 1 || users.Users[0].UserName != "alice" {
		t.Fatalf("list-users = %+v", users)
	}
}

func TestCLI_Errors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newCLI(t, e)
	alice := e.mustUser("alice")
	c.fails(alice, "ValidationError", "Member must have value greater than or equal to 900", "sts", "get-session-token", "--duration-seconds", "899")
	c.fails(alice, "ValidationError", "Member must have length greater than or equal to 9", "sts", "get-session-token", "--serial-number", "GAHT1234", "--token-code", "123456")
	c.fails(alice, "AccessDenied", "MultiFactorAuthentication failed, unable to validate MFA code.", "sts", "get-session-token", "--serial-number", "GAHT12345678", "--token-code", "123456")
	c.fails(alice, "AccessDenied", "is not authorized to perform: sts:GetFederationToken", "sts", "get-federation-token", "--name", "Bob")
	c.fails(e.root, "MalformedPolicyDocument", "", "sts", "get-federation-token", "--name", "Bob", "--policy", `{"Statement":`)
	c.fails(e.root, "EntityAlreadyExists", "User with name ALICE already exists.", "iam", "create-user", "--user-name", "ALICE")
	c.fails(e.root, "DeleteConflict", "must delete access keys first", "iam", "delete-user", "--user-name", "alice")
	temp := e.mustSession(alice, nil)
	c.fails(temp, "AccessDenied", "Cannot call GetSessionToken with session credentials", "sts", "get-session-token")
	bad := alice
	bad.SecretAccessKey = strings.Repeat("z", 40)
	c.fails(bad, "SignatureDoesNotMatch", "", "sts", "get-caller-identity")
	unknown := creds{AccessKeyID: "AKIAAAAAAAAAAAAAAAAA", SecretAccessKey: strings.Repeat("z", 40)}
	c.fails(unknown, "InvalidClientTokenId", "The security token included in the request is invalid", "sts", "get-caller-identity")
}
