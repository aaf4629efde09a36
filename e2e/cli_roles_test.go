package e2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// trustDoc is a trust policy letting principal assume the role, with an
// optional condition (a JSON object, or "").
func trustDoc(principal, condition string) string {
	s := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + principal + `"},"Action":"sts:AssumeRole"`
	if condition != "" {
		s += `,"Condition":` + condition
	}
	return s + `}]}`
}

const listUsersPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}]}`

// writeFile writes a file for a file:// argument and returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// cliRole is a Role as the CLI prints it: AssumeRolePolicyDocument URL-decoded
// into a JSON object.
type cliRole struct {
	Role struct {
		RoleName, RoleId, Arn, Path string
		AssumeRolePolicyDocument    struct {
			Version   string
			Statement []struct {
				Effect    string
				Principal struct{ AWS string }
				Action    string
			}
		}
		MaxSessionDuration *int
		RoleLastUsed       *struct{ LastUsedDate, Region string }
	}
}

type cliAssumed struct {
	cliCredentials
	AssumedRoleUser struct{ AssumedRoleId, Arn string }
}

// Roles with the AWS CLI and root's keys, then AssumeRole with a user's, as
// docs/roles.md shows it. Runs with any CLI version (--endpoint-url).
func TestCLI_Roles(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newCLI(t, e)
	acct := e.node.Root.AccountID
	alice, bob := e.mustUser("alice"), e.mustUser("bob")
	aliceARN := "arn:aws:iam::" + acct + ":user/alice"
	trust := trustDoc(aliceARN, "")

	var created cliRole
	c.json(e.root, &created, "iam", "create-role", "--role-name", "Deploy", "--assume-role-policy-document", "file://"+writeFile(t, "trust.json", trust))
	roleARN := "arn:aws:iam::" + acct + ":role/Deploy"
	if r := created.Role; r.Arn != roleARN || !strings.HasPrefix(r.RoleId, "AROA") || r.MaxSessionDuration != nil || r.RoleLastUsed != nil {
		t.Fatalf("create-role = %+v", r)
	}
	if _, stderr, err := c.run(e.root, "iam", "put-role-policy", "--role-name", "Deploy", "--policy-name", "read",
		"--policy-document", "file://"+writeFile(t, "read.json", listUsersPolicy)); err != nil {
		t.Fatalf("put-role-policy: %v\n%s", err, stderr)
	}

	var got cliRole
	c.json(e.root, &got, "iam", "get-role", "--role-name", "Deploy")
	r := got.Role
	if r.Arn != roleARN || r.RoleId != created.Role.RoleId || r.Path != "/" || r.MaxSessionDuration == nil || *r.MaxSessionDuration != 3600 || r.RoleLastUsed == nil {
		t.Fatalf("get-role = %+v", r)
	}
	// The CLI URL-decodes the document into an object (get-role would have
	// failed to decode into the struct if it had stayed a string).
	if d := r.AssumeRolePolicyDocument; d.Version != "2012-10-17" || len(d.Statement) != 1 || d.Statement[0].Principal.AWS != aliceARN || d.Statement[0].Action != "sts:AssumeRole" {
		t.Fatalf("get-role AssumeRolePolicyDocument = %+v", d)
	}
	var inline struct {
		RoleName, PolicyName string
		PolicyDocument       json.RawMessage
	}
	c.json(e.root, &inline, "iam", "get-role-policy", "--role-name", "Deploy", "--policy-name", "read")
	if compactJSON(t, inline.PolicyDocument) != listUsersPolicy {
		t.Fatalf("get-role-policy PolicyDocument = %s, want %s", inline.PolicyDocument, listUsersPolicy)
	}
	var roles struct {
		Roles []struct{ RoleName, Arn string }
	}
	c.json(e.root, &roles, "iam", "list-roles")
	if len(roles.Roles) != 1 || roles.Roles[0].Arn != roleARN {
		t.Fatalf("list-roles = %+v", roles)
	}

	var as cliAssumed
	c.json(alice, &as, "sts", "assume-role", "--role-arn", roleARN, "--role-session-name", "alice-cli", "--duration-seconds", "900")
	if as.AssumedRoleUser.Arn != "arn:aws:sts::"+acct+":assumed-role/Deploy/alice-cli" || as.AssumedRoleUser.AssumedRoleId != r.RoleId+":alice-cli" {
		t.Fatalf("assume-role AssumedRoleUser = %+v", as.AssumedRoleUser)
	}
	exp, err := time.Parse(time.RFC3339, as.Credentials.Expiration)
	if err != nil || !near(exp, e.clock.Now().Add(900*time.Second), 10*time.Second) || !strings.HasPrefix(as.Credentials.AccessKeyID, "ASIA") ||
		as.Credentials.SecretAccessKey == "" || as.Credentials.SessionToken == "" || as.PackedPolicySize != nil {
		t.Fatalf("assume-role Credentials = %+v (%v), PackedPolicySize %v", as.Credentials, err, as.PackedPolicySize)
	}
	var id struct{ UserId, Account, Arn string }
	c.json(as.creds(), &id, "sts", "get-caller-identity")
	if id.Arn != as.AssumedRoleUser.Arn || id.UserId != as.AssumedRoleUser.AssumedRoleId || id.Account != acct {
		t.Fatalf("get-caller-identity of the role session = %+v", id)
	}
	var users struct{ Users []struct{ UserName string } }
	c.json(as.creds(), &users, "iam", "list-users")
	if len(users.Users) != 2 {
		t.Fatalf("list-users with the role's policy = %+v", users)
	}

	// bob is not in the trust policy.
	_, stderr, err := c.run(bob, "sts", "assume-role", "--role-arn", roleARN, "--role-session-name", "bob")
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() == 0 {
		t.Fatalf("assume-role by bob: %v, want a non-zero exit status", err)
	}
	want := "User: arn:aws:iam::" + acct + ":user/bob is not authorized to perform: sts:AssumeRole on resource: " + roleARN
	if !strings.Contains(stderr, "(AccessDenied)") || !strings.Contains(stderr, want) {
		t.Fatalf("assume-role by bob: stderr %q, want AccessDenied and %q", stderr, want)
	}
}

func compactJSON(t *testing.T, b []byte) string {
	t.Helper()
	var out bytes.Buffer
	if err := json.Compact(&out, b); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return out.String()
}

// version is the installed CLI's `aws --version` (which old v1 releases
// print on stderr).
func (c *cli) version() string {
	c.t.Helper()
	out, err := exec.Command(c.bin, "--version").CombinedOutput()
	if err != nil {
		c.t.Fatalf("aws --version: %v: %s", err, out)
	}
	return strings.TrimSpace(string(out))
}

var cliVersionRE = regexp.MustCompile(`^aws-cli/(\d+)\.(\d+)\.`)

// profileEndpoints reports whether the CLI of `aws --version` text reads
// endpoint_url from a profile (and AWS_ENDPOINT_URL): AWS CLI v1 from 1.29,
// v2 from 2.13. Older ones send a role profile's AssumeRole to AWS whatever
// --endpoint-url says, since that flag applies only to the command's call.
func profileEndpoints(version string) (bool, error) {
	m := cliVersionRE.FindStringSubmatch(version)
	if m == nil {
		return false, fmt.Errorf("unrecognised aws --version output %q", version)
	}
	major, _ := strconv.Atoi(m[1])
	minor, _ := strconv.Atoi(m[2])
	return major > 2 || (major == 2 && minor >= 13) || (major == 1 && minor >= 29), nil
}

func TestCLI_RolesProfileVersions(t *testing.T) {
	t.Parallel()
	for version, want := range map[string]bool{
		"aws-cli/2.9.19 Python/3.11.2 Linux/6.1.0-18-amd64 source/x86_64.debian.12 prompt/off": false,
		"aws-cli/2.12.7 Python/3.11.4 Linux/6.1.0 exe/x86_64.ubuntu.22 prompt/off":             false,
		"aws-cli/2.13.0 Python/3.11.4 Linux/6.1.0 exe/x86_64.ubuntu.22 prompt/off":             true,
		"aws-cli/2.31.4 Python/3.13.7 Darwin/24.6.0 exe/arm64":                                 true,
		"aws-cli/1.18.69 Python/2.7.18 Linux/5.4.0-1045-aws botocore/1.16.19":                  false,
		"aws-cli/1.28.9 Python/3.11.7 Linux/6.1.0 botocore/1.30.9":                             false,
		"aws-cli/1.29.0 Python/3.11.7 Linux/6.1.0 botocore/1.31.0":                             true,
		"aws-cli/1.45.11 Python/3.11.7 Linux/6.18.44-fc-v1252 botocore/1.43.11":                true,
	} {
		if got, err := profileEndpoints(version); got != want || err != nil {
			t.Errorf("profileEndpoints(%q) = %v, %v; want %v", version, got, err, want)
		}
	}
	if _, err := profileEndpoints("aws: command not found"); err == nil {
		t.Error("profileEndpoints accepted a non-version")
	}
}

// runProfile runs the CLI with a named profile and nothing else: no keys in
// the environment and no --endpoint-url, so the profile's source_profile,
// role_arn and endpoint_url are what the CLI uses. stdin feeds its prompts;
// the CLI runs in a new session, without a controlling terminal, so getpass
// reads the MFA code from stdin rather than from the terminal of whoever
// runs the tests.
func (c *cli) runProfile(profile, stdin string, args ...string) (string, string, error) {
	c.t.Helper()
	cmd := exec.Command(c.bin, append([]string{"--profile", profile, "--output", "json"}, args...)...)
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + c.home,
		"AWS_CONFIG_FILE=" + filepath.Join(c.home, "config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(c.home, "credentials"),
		"AWS_PAGER=",
		"AWS_MAX_ATTEMPTS=1",
		"AWS_RETRY_MODE=standard",
	}
	for _, k := range []string{"PYENV_ROOT", "PYENV_VERSION", "LANG", "SSL_CERT_FILE"} {
		if v, ok := os.LookupEnv(k); ok {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.String(), stderr.String(), err
}

// Role profiles (role_arn + source_profile, with and without mfa_serial):
// the CLI calls AssumeRole itself, at the profile's endpoint_url.
func TestCLI_RolesProfile(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newCLI(t, e)
	version := c.version()
	if ok, err := profileEndpoints(version); err != nil {
		t.Fatal(err)
	} else if !ok {
		t.Skipf("%s cannot point a role profile's AssumeRole at OpenSTS: endpoint_url in a profile and AWS_ENDPOINT_URL need AWS CLI v1 >= 1.29 or v2 >= 2.13, and --endpoint-url applies only to the command's own call", version)
	}
	acct := e.node.Root.AccountID
	alice := e.mustUser("alice")
	aliceARN := "arn:aws:iam::" + acct + ":user/alice"
	deploy := e.mustRole("Deploy", trustDoc(aliceARN, ""), listUsersPolicy)
	guarded := e.mustRole("DeployMFA", trustDoc(aliceARN, `{"Bool":{"aws:MultiFactorAuthPresent":"true"}}`), "")
	dev := e.mustEnroll("alice", "alice-phone")

	creds := fmt.Sprintf("[alice]\naws_access_key_id = %s\naws_secret_access_key = %s\n", alice.AccessKeyID, alice.SecretAccessKey)
	if err := os.WriteFile(filepath.Join(c.home, "credentials"), []byte(creds), 0o600); err != nil {
		t.Fatal(err)
	}
	profiles := fmt.Sprintf(`
[profile alice]
region = us-east-1
endpoint_url = %[1]s

[profile deploy]
region = us-east-1
endpoint_url = %[1]s
role_arn = %[2]s
source_profile = alice

[profile deploy-mfa]
region = us-east-1
endpoint_url = %[1]s
role_arn = %[3]s
source_profile = alice
mfa_serial = %[4]s
role_session_name = alice-mfa
duration_seconds = 900
`, e.url, deploy, guarded, dev.serial)
	f, err := os.OpenFile(filepath.Join(c.home, "config"), os.O_APPEND|os.O_WRONLY, 0)
	if err == nil {
		_, err = f.WriteString(profiles)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		t.Fatal(err)
	}

	type identity struct{ UserId, Account, Arn string }
	callerIdentity := func(profile, stdin string) identity {
		t.Helper()
		stdout, stderr, err := c.runProfile(profile, stdin, "sts", "get-caller-identity")
		if err != nil {
			t.Fatalf("aws --profile %s sts get-caller-identity: %v\n%s", profile, err, stderr)
		}
		var id identity
		if err := json.Unmarshal([]byte(stdout), &id); err != nil {
			t.Fatalf("aws --profile %s: output is not JSON: %v\n%s", profile, err, stdout)
		}
		return id
	}

	// The CLI's default session name is botocore-session-<Unix seconds>.
	id := callerIdentity("deploy", "")
	if !regexp.MustCompile(`^arn:aws:sts::`+acct+`:assumed-role/Deploy/botocore-session-\d+$`).MatchString(id.Arn) ||
		!strings.HasPrefix(id.UserId, "AROA") || id.Account != acct {
		t.Fatalf("--profile deploy identity = %+v", id)
	}
	if _, stderr, err := c.runProfile("deploy", "", "iam", "list-users"); err != nil {
		t.Fatalf("--profile deploy iam list-users (the role's policy): %v\n%s", err, stderr)
	}

	// mfa_serial: the CLI prompts for the code and sends SerialNumber and
	// TokenCode. A wrong code first (nothing is cached on failure).
	_, stderr, err := c.runProfile("deploy-mfa", e.code(dev, 10)+"\n", "sts", "get-caller-identity")
	if err == nil || !strings.Contains(stderr, "(AccessDenied)") || !strings.Contains(stderr, "MultiFactorAuthentication failed") {
		t.Fatalf("--profile deploy-mfa with a wrong code: %v, stderr %q", err, stderr)
	}
	if id := callerIdentity("deploy-mfa", e.code(dev, 0)+"\n"); id.Arn != "arn:aws:sts::"+acct+":assumed-role/DeployMFA/alice-mfa" {
		t.Fatalf("--profile deploy-mfa identity = %+v", id)
	}
	// The CLI cached the role session: no prompt (stdin is empty) this time.
	if id := callerIdentity("deploy-mfa", ""); id.Arn != "arn:aws:sts::"+acct+":assumed-role/DeployMFA/alice-mfa" {
		t.Fatalf("--profile deploy-mfa from the CLI's cache = %+v", id)
	}
}

// AWS managed policies and the calls that report policy use, with the AWS
// CLI (whose paginators drive MaxItems and Marker themselves).
func TestCLI_AWSManagedPolicies(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newCLI(t, e)
	const readOnly = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"
	e.mustRole("Reader", trustDoc("arn:aws:iam::"+e.node.Root.AccountID+":root", ""), "")
	e.mustUser("alice")
	if _, stderr, err := c.run(e.root, "iam", "attach-role-policy", "--role-name", "Reader", "--policy-arn", readOnly); err != nil {
		t.Fatalf("attach-role-policy: %v\n%s", err, stderr)
	}
	c.fails(e.root, "NoSuchEntity", "IAMReadOnlyAccess", "iam", "attach-user-policy", "--user-name", "alice", "--policy-arn", "arn:aws:iam::aws:policy/ReadOnlyAccess")

	var listed struct {
		Policies []struct{ PolicyName, Arn string }
	}
	c.json(e.root, &listed, "iam", "list-policies", "--scope", "AWS", "--only-attached")
	if len(listed.Policies) != 1 || listed.Policies[0].Arn != readOnly {
		t.Fatalf("list-policies --scope AWS --only-attached = %+v", listed)
	}
	var version struct {
		PolicyVersion struct {
			Document  struct{ Statement []struct{ Action []string } }
			VersionId string
		}
	}
	c.json(e.root, &version, "iam", "get-policy-version", "--policy-arn", readOnly, "--version-id", "v4")
	if st := version.PolicyVersion.Document.Statement; len(st) != 1 || !slices.Contains(st[0].Action, "iam:List*") {
		t.Fatalf("get-policy-version document = %+v", version)
	}
	var ents struct {
		PolicyRoles []struct{ RoleName string }
		PolicyUsers []struct{ UserName string }
	}
	c.json(e.root, &ents, "iam", "list-entities-for-policy", "--policy-arn", readOnly)
	if len(ents.PolicyRoles) != 1 || ents.PolicyRoles[0].RoleName != "Reader" || len(ents.PolicyUsers) != 0 {
		t.Fatalf("list-entities-for-policy = %+v", ents)
	}
	var details struct {
		UserDetailList []struct{ UserName string }
		RoleDetailList []struct {
			RoleName                 string
			AssumeRolePolicyDocument struct{ Version string }
			AttachedManagedPolicies  []struct{ PolicyArn string }
		}
		Policies []struct{ PolicyName string }
	}
	// --page-size 1: the CLI follows the markers through every section.
	c.json(e.root, &details, "iam", "get-account-authorization-details", "--page-size", "1")
	if len(details.UserDetailList) != 1 || len(details.RoleDetailList) != 1 || len(details.Policies) != 1 ||
		details.Policies[0].PolicyName != "IAMReadOnlyAccess" || details.RoleDetailList[0].AssumeRolePolicyDocument.Version != "2012-10-17" ||
		len(details.RoleDetailList[0].AttachedManagedPolicies) != 1 {
		t.Fatalf("get-account-authorization-details = %+v", details)
	}
}
