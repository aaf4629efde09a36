package e2e

import (
	"encoding/json"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"
)

// boto3Python finds a Python that imports boto3: Debian's /usr/bin/python3
// first (the python3-boto3 package that .ci/run installs lives in its
// dist-packages), then python3 on PATH. Without one the test ends as
// missingClient does.
func boto3Python(t *testing.T) string {
	t.Helper()
	candidates := []string{"/usr/bin/python3"}
	if p, err := exec.LookPath("python3"); err == nil && p != candidates[0] {
		candidates = append(candidates, p)
	}
	for _, py := range candidates {
		cmd := exec.Command(py, "-c", "import boto3, botocore; print(boto3.__version__, botocore.__version__)")
		cmd.Env = newClientHome(t).env()
		if out, err := cmd.Output(); err == nil {
			t.Logf("%s: boto3, botocore %s", py, strings.TrimSpace(string(out)))
			return py
		}
	}
	missingClient(t, "no python3 (of %v) imports boto3; install Debian's python3-boto3 to run this suite", candidates)
	return ""
}

// boto3Result is what testdata/boto3/assume_role.py prints.
type boto3Result struct {
	Boto3   string
	Assumed *struct {
		AssumedRoleUser         struct{ Arn, AssumedRoleId string }
		AccessKeyId, Expiration string
		PackedPolicySize        *int
	}
	Identity *struct{ UserId, Account, Arn string }
	Calls    []struct {
		OK *struct {
			Users []struct{ UserName string }
			Roles []struct{ RoleName string }
		}
		Error *boto3Error
	}
	Error *boto3Error
}

type boto3Error struct {
	Code, Message string
	Status        int
}

func (r boto3Result) String() string {
	b, _ := json.Marshal(r)
	return string(b)
}

// boto3 1.26 (Debian bookworm's python3-boto3, older than AWS_ENDPOINT_URL
// and profile endpoint_url) with endpoint_url in code: assume_role with a
// session policy, session tags, DurationSeconds and MFA, then
// GetCallerIdentity and IAM calls with the role session's credentials.
func TestBoto3_AssumeRole(t *testing.T) {
	t.Parallel()
	py := boto3Python(t)
	e := newEnv(t)
	acct := e.node.Root.AccountID
	alice, bob := e.mustUser("alice"), e.mustUser("bob")
	aliceARN := "arn:aws:iam::" + acct + ":user/alice"
	// Ops: users are listed only by sessions tagged team=blue; roles by
	// any session.
	ops := e.mustRole("Ops",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"`+aliceARN+`"},"Action":["sts:AssumeRole","sts:TagSession"]}]}`,
		`{"Version":"2012-10-17","Statement":[`+
			`{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"blue"}}},`+
			`{"Effect":"Allow","Action":"iam:ListRoles","Resource":"*"}]}`)
	guarded := e.mustRole("OpsMFA", trustDoc(aliceARN, `{"Bool":{"aws:MultiFactorAuthPresent":"true"}}`), listUsersPolicy)
	dev := e.mustEnroll("alice", "alice-phone")

	const listUsers, listRoles = "list_users", "list_roles"
	run := func(t *testing.T, source creds, assume map[string]any, calls ...string) boto3Result {
		t.Helper()
		req := map[string]any{
			"endpoint": e.url,
			"region":   "us-east-1",
			"source":   map[string]string{"AccessKeyId": source.AccessKeyID, "SecretAccessKey": source.SecretAccessKey},
			"assume":   assume,
		}
		var cs [][2]string
		for _, c := range calls {
			cs = append(cs, [2]string{"iam", c})
		}
		req["calls"] = cs
		cmd := exec.Command(py, "testdata/boto3/assume_role.py")
		cmd.Env = newClientHome(t).env()
		var res boto3Result
		runJSON(t, cmd, req, &res)
		return res
	}
	// session checks a success: AssumeRole's answer and GetCallerIdentity
	// agree on the role session, and the session lasts d.
	session := func(t *testing.T, res boto3Result, roleARN, name string, d time.Duration) {
		t.Helper()
		role := roleARN[strings.LastIndex(roleARN, "/")+1:]
		want := "arn:aws:sts::" + acct + ":assumed-role/" + role + "/" + name
		if res.Error != nil || res.Assumed == nil || res.Identity == nil {
			t.Fatalf("want the role session %s, got %s", want, res)
		}
		a := res.Assumed
		if a.AssumedRoleUser.Arn != want || !strings.HasPrefix(a.AssumedRoleUser.AssumedRoleId, "AROA") ||
			!strings.HasSuffix(a.AssumedRoleUser.AssumedRoleId, ":"+name) || !strings.HasPrefix(a.AccessKeyId, "ASIA") {
			t.Fatalf("assume_role = %+v, want %s", *a, want)
		}
		if id := *res.Identity; id.Arn != want || id.Account != acct || id.UserId != a.AssumedRoleUser.AssumedRoleId {
			t.Fatalf("get_caller_identity with the role session = %+v, want %s (%s)", id, want, a.AssumedRoleUser.AssumedRoleId)
		}
		exp, err := time.Parse(time.RFC3339, a.Expiration)
		if err != nil || !near(exp, e.clock.Now().Add(d), 10*time.Second) {
			t.Fatalf("Expiration %q (%v), want about %s from now", a.Expiration, err, d)
		}
	}
	refused := func(t *testing.T, got *boto3Error, code, contains string) {
		t.Helper()
		if got == nil || got.Code != code || !strings.Contains(got.Message, contains) {
			t.Fatalf("want %s saying %q, got %+v", code, contains, got)
		}
	}
	userNames := func(t *testing.T, res boto3Result, i int) []string {
		t.Helper()
		c := res.Calls[i]
		if c.OK == nil {
			t.Fatalf("call %d refused: %+v", i, c.Error)
		}
		var names []string
		for _, u := range c.OK.Users {
			names = append(names, u.UserName)
		}
		for _, r := range c.OK.Roles {
			names = append(names, r.RoleName)
		}
		slices.Sort(names)
		return names
	}
	deniedIAM := func(action, roleARN, name string) string {
		role := roleARN[strings.LastIndex(roleARN, "/")+1:]
		return "User: arn:aws:sts::" + acct + ":assumed-role/" + role + "/" + name + " is not authorized to perform: iam:" + action
	}

	t.Run("Policy Tags DurationSeconds", func(t *testing.T) {
		res := run(t, alice, map[string]any{
			"RoleArn": ops, "RoleSessionName": "boto3-blue", "DurationSeconds": 1800,
			"Tags":   []map[string]string{{"Key": "team", "Value": "blue"}},
			"Policy": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}]}`,
		}, listUsers, listRoles)
		session(t, res, ops, "boto3-blue", 1800*time.Second)
		if p := res.Assumed.PackedPolicySize; p == nil || *p <= 0 || *p > 100 {
			t.Fatalf("PackedPolicySize = %v, want a percentage for the policy and tags", p)
		}
		// The tag satisfies the role's condition on ListUsers; the session
		// policy leaves out ListRoles, which the role allows.
		if got := userNames(t, res, 0); !slices.Equal(got, []string{"alice", "bob"}) {
			t.Fatalf("list_users = %v", got)
		}
		refused(t, res.Calls[1].Error, "AccessDenied", deniedIAM("ListRoles", ops, "boto3-blue"))
	})

	t.Run("Tags", func(t *testing.T) {
		res := run(t, alice, map[string]any{
			"RoleArn": ops, "RoleSessionName": "boto3-red",
			"Tags": []map[string]string{{"Key": "team", "Value": "red"}},
		}, listUsers, listRoles)
		session(t, res, ops, "boto3-red", time.Hour)
		refused(t, res.Calls[0].Error, "AccessDenied", deniedIAM("ListUsers", ops, "boto3-red"))
		if got := userNames(t, res, 1); !slices.Equal(got, []string{"Ops", "OpsMFA"}) {
			t.Fatalf("list_roles = %v", got)
		}
	})

	t.Run("DurationSeconds above the role's maximum", func(t *testing.T) {
		res := run(t, alice, map[string]any{"RoleArn": ops, "RoleSessionName": "boto3-long", "DurationSeconds": 7200})
		refused(t, res.Error, "ValidationError", "DurationSeconds exceeds the MaxSessionDuration")
	})

	t.Run("trust refused", func(t *testing.T) {
		res := run(t, bob, map[string]any{"RoleArn": ops, "RoleSessionName": "boto3-bob"})
		refused(t, res.Error, "AccessDenied", "User: arn:aws:iam::"+acct+":user/bob is not authorized to perform: sts:AssumeRole on resource: "+ops)
		if res.Error.Status != 403 {
			t.Fatalf("HTTP status %d, want 403", res.Error.Status)
		}
	})

	t.Run("SerialNumber TokenCode", func(t *testing.T) {
		res := run(t, alice, map[string]any{"RoleArn": guarded, "RoleSessionName": "boto3-no-mfa"})
		refused(t, res.Error, "AccessDenied", "is not authorized to perform: sts:AssumeRole on resource: "+guarded)

		e.centerStep()
		res = run(t, alice, map[string]any{"RoleArn": guarded, "RoleSessionName": "boto3-bad-code",
			"SerialNumber": dev.serial, "TokenCode": e.code(dev, 5)})
		refused(t, res.Error, "AccessDenied", strings.TrimSpace(msgInvalidCode))

		res = run(t, alice, map[string]any{"RoleArn": guarded, "RoleSessionName": "boto3-mfa",
			"SerialNumber": dev.serial, "TokenCode": e.code(dev, 0)}, listUsers)
		session(t, res, guarded, "boto3-mfa", time.Hour)
		if got := userNames(t, res, 0); !slices.Equal(got, []string{"alice", "bob"}) {
			t.Fatalf("list_users = %v", got)
		}
		e.clock.Advance(30 * time.Second)
	})
}
