package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// jsDir holds the AWS SDK for JavaScript v3 at the versions its
// package-lock.json pins (`npm ci` there installs it), and sts.mjs, which
// the tests drive.
const jsDir = "testdata/js"

// jsSDK finds node and the SDK installed in jsDir, or ends the test as
// missingClient does.
func jsSDK(t *testing.T) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		missingClient(t, "node not on PATH; install Node.js 20 or later and run `npm ci` in e2e/%s to run this suite", jsDir)
	}
	b, err := os.ReadFile(filepath.Join(jsDir, "node_modules", "@aws-sdk", "client-sts", "package.json"))
	if err != nil {
		missingClient(t, "the AWS SDK for JavaScript is not installed (%v); run `npm ci` in e2e/%s", err, jsDir)
	}
	var pkg struct{ Version string }
	if err := json.Unmarshal(b, &pkg); err != nil {
		t.Fatal(err)
	}
	t.Logf("@aws-sdk/client-sts %s", pkg.Version)
	return node
}

// jsRequest is what sts.mjs reads; see its header.
type jsRequest struct {
	Provider string            `json:"provider"`
	Region   string            `json:"region"`
	Endpoint string            `json:"endpoint,omitempty"`
	Source   *jsCredentials    `json:"source,omitempty"`
	Params   *jsAssumeRole     `json:"params,omitempty"`
	Chain    []jsAssumeRole    `json:"chain,omitempty"`
	Profile  string            `json:"profile,omitempty"`
	MFACode  string            `json:"mfaCode,omitempty"`
	Env      map[string]string `json:"-"`
}

type jsCredentials struct {
	AccessKeyID     string `json:"accessKeyId"`
	SecretAccessKey string `json:"secretAccessKey"`
}

type jsAssumeRole struct {
	RoleArn         string
	RoleSessionName string
	DurationSeconds int    `json:",omitempty"`
	SerialNumber    string `json:",omitempty"`
}

// jsResult is what sts.mjs prints.
type jsResult struct {
	Identity    *struct{ Arn, Account, UserId string }
	AccessKeyID string `json:"accessKeyId"`
	Expiration  string `json:"expiration"`
	MFASerials  []string
	Error       *struct {
		Name, Message string
		Status        int
	}
}

func (r jsResult) String() string {
	b, _ := json.Marshal(r)
	return string(b)
}

// The AWS SDK for JavaScript v3 assuming roles at OpenSTS: in code with
// fromTemporaryCredentials and an endpoint in clientConfig (with MFA and
// role chaining), and from shared-config role profiles with fromIni, the
// STS endpoint coming from AWS_ENDPOINT_URL_STS or the profile's
// endpoint_url. Every case ends with GetCallerIdentity on the credentials
// obtained.
func TestJSSDK_AssumeRole(t *testing.T) {
	t.Parallel()
	node := jsSDK(t)
	e := newEnv(t)
	acct := e.node.Root.AccountID
	alice, bob := e.mustUser("alice"), e.mustUser("bob")
	aliceARN := "arn:aws:iam::" + acct + ":user/alice"
	deploy := e.mustRole("Deploy", trustDoc(aliceARN, ""), "")
	chained := e.mustRole("Chained", trustDoc(deploy, ""), "")
	guarded := e.mustRole("DeployMFA", trustDoc(aliceARN, `{"Bool":{"aws:MultiFactorAuthPresent":"true"}}`), "")
	bobs := e.mustRole("BobOnly", trustDoc("arn:aws:iam::"+acct+":user/bob", ""), "")
	dev := e.mustEnroll("alice", "alice-phone")
	aliceKeys := &jsCredentials{AccessKeyID: alice.AccessKeyID, SecretAccessKey: alice.SecretAccessKey}

	run := func(t *testing.T, h *clientHome, req jsRequest) jsResult {
		t.Helper()
		req.Region = "us-east-1"
		cmd := exec.Command(node, "sts.mjs")
		cmd.Dir = jsDir
		var extra []string
		for k, v := range req.Env {
			extra = append(extra, k+"="+v)
		}
		cmd.Env = h.env(extra...)
		var res jsResult
		runJSON(t, cmd, req, &res)
		return res
	}
	// ok checks a success: the caller is the role session, in the account,
	// with temporary credentials.
	ok := func(t *testing.T, res jsResult, roleARN, session string) {
		t.Helper()
		role := roleARN[strings.LastIndex(roleARN, "/")+1:]
		if res.Error != nil || res.Identity == nil {
			t.Fatalf("want the identity of %s/%s, got %s", role, session, res)
		}
		id := res.Identity
		if id.Arn != "arn:aws:sts::"+acct+":assumed-role/"+role+"/"+session || id.Account != acct ||
			!strings.HasPrefix(id.UserId, "AROA") || !strings.HasSuffix(id.UserId, ":"+session) {
			t.Fatalf("GetCallerIdentity = %+v, want assumed-role/%s/%s in %s", *id, role, session, acct)
		}
		if !strings.HasPrefix(res.AccessKeyID, "ASIA") {
			t.Fatalf("access key %q is not a temporary one", res.AccessKeyID)
		}
	}
	denied := func(t *testing.T, res jsResult, contains string) {
		t.Helper()
		if res.Error == nil || res.Error.Name != "AccessDenied" || res.Error.Status != 403 || !strings.Contains(res.Error.Message, contains) {
			t.Fatalf("want AccessDenied (403) saying %q, got %s", contains, res)
		}
	}
	expires := func(t *testing.T, res jsResult, d time.Duration) {
		t.Helper()
		exp, err := time.Parse(time.RFC3339, res.Expiration)
		if err != nil || !near(exp, e.clock.Now().Add(d), 10*time.Second) {
			t.Fatalf("expiration %q (%v), want about %s from now", res.Expiration, err, d)
		}
	}

	t.Run("fromTemporaryCredentials", func(t *testing.T) {
		res := run(t, newClientHome(t), jsRequest{Provider: "temporary", Endpoint: e.url, Source: aliceKeys,
			Params: &jsAssumeRole{RoleArn: deploy, RoleSessionName: "js-temporary", DurationSeconds: 900}})
		ok(t, res, deploy, "js-temporary")
		expires(t, res, 900*time.Second)
		if len(res.MFASerials) != 0 {
			t.Fatalf("asked for MFA codes: %v", res.MFASerials)
		}
	})

	t.Run("fromTemporaryCredentials chained", func(t *testing.T) {
		res := run(t, newClientHome(t), jsRequest{Provider: "temporary", Endpoint: e.url, Source: aliceKeys,
			Params: &jsAssumeRole{RoleArn: deploy, RoleSessionName: "js-first"},
			Chain:  []jsAssumeRole{{RoleArn: chained, RoleSessionName: "js-second"}}})
		ok(t, res, chained, "js-second")
	})

	t.Run("fromTemporaryCredentials trust refused", func(t *testing.T) {
		res := run(t, newClientHome(t), jsRequest{Provider: "temporary", Endpoint: e.url, Source: aliceKeys,
			Params: &jsAssumeRole{RoleArn: bobs, RoleSessionName: "js-denied"}})
		denied(t, res, "User: "+aliceARN+" is not authorized to perform: sts:AssumeRole on resource: "+bobs)
		// The same call with bob's keys succeeds.
		res = run(t, newClientHome(t), jsRequest{Provider: "temporary", Endpoint: e.url,
			Source: &jsCredentials{AccessKeyID: bob.AccessKeyID, SecretAccessKey: bob.SecretAccessKey},
			Params: &jsAssumeRole{RoleArn: bobs, RoleSessionName: "js-bob"}})
		ok(t, res, bobs, "js-bob")
	})

	t.Run("fromTemporaryCredentials MFA", func(t *testing.T) {
		// Without MFA the trust policy's condition refuses.
		res := run(t, newClientHome(t), jsRequest{Provider: "temporary", Endpoint: e.url, Source: aliceKeys,
			Params: &jsAssumeRole{RoleArn: guarded, RoleSessionName: "js-no-mfa"}})
		denied(t, res, "is not authorized to perform: sts:AssumeRole on resource: "+guarded)

		e.centerStep()
		res = run(t, newClientHome(t), jsRequest{Provider: "temporary", Endpoint: e.url, Source: aliceKeys, MFACode: e.code(dev, 0),
			Params: &jsAssumeRole{RoleArn: guarded, RoleSessionName: "js-mfa", SerialNumber: dev.serial}})
		ok(t, res, guarded, "js-mfa")
		if len(res.MFASerials) != 1 || res.MFASerials[0] != dev.serial {
			t.Fatalf("mfaCodeProvider asked for %v, want %s", res.MFASerials, dev.serial)
		}
		// The code just used is spent.
		res = run(t, newClientHome(t), jsRequest{Provider: "temporary", Endpoint: e.url, Source: aliceKeys, MFACode: e.code(dev, 0),
			Params: &jsAssumeRole{RoleArn: guarded, RoleSessionName: "js-mfa", SerialNumber: dev.serial}})
		denied(t, res, strings.TrimSpace(msgInvalidCode))
		e.clock.Advance(30 * time.Second)
	})

	// Shared config for fromIni: alice's keys in the credentials file, role
	// profiles in the config file.
	iniHome := func(t *testing.T, profiles string) *clientHome {
		h := newClientHome(t)
		h.write(t, "credentials", fmt.Sprintf("[alice]\naws_access_key_id = %s\naws_secret_access_key = %s\n", alice.AccessKeyID, alice.SecretAccessKey))
		h.write(t, "config", profiles)
		return h
	}

	t.Run("fromIni AWS_ENDPOINT_URL_STS", func(t *testing.T) {
		h := iniHome(t, fmt.Sprintf(`[profile alice]
region = us-east-1

[profile deploy]
region = us-east-1
role_arn = %s
source_profile = alice
role_session_name = js-ini
duration_seconds = 1200

[profile bobs]
region = us-east-1
role_arn = %s
source_profile = alice
`, deploy, bobs))
		env := map[string]string{"AWS_ENDPOINT_URL_STS": e.url}
		res := run(t, h, jsRequest{Provider: "ini", Profile: "deploy", Env: env})
		ok(t, res, deploy, "js-ini")
		expires(t, res, 1200*time.Second)

		res = run(t, h, jsRequest{Provider: "ini", Profile: "bobs", Env: env})
		denied(t, res, "User: "+aliceARN+" is not authorized to perform: sts:AssumeRole on resource: "+bobs)
	})

	t.Run("fromIni endpoint_url", func(t *testing.T) {
		// The SDK reads endpoint_url from the profile that AWS_PROFILE
		// names, for the role assumer's STS client and for the client
		// that uses the credentials.
		h := iniHome(t, fmt.Sprintf(`[profile alice]
region = us-east-1

[profile deploy]
region = us-east-1
endpoint_url = %s
role_arn = %s
source_profile = alice
role_session_name = js-endpoint-url
`, e.url, deploy))
		res := run(t, h, jsRequest{Provider: "ini", Env: map[string]string{"AWS_PROFILE": "deploy"}})
		ok(t, res, deploy, "js-endpoint-url")
	})

	t.Run("fromIni services section", func(t *testing.T) {
		// endpoint_url for STS alone, in a services section the profile
		// names.
		h := iniHome(t, fmt.Sprintf(`[profile alice]
region = us-east-1

[profile deploy]
region = us-east-1
services = opensts
role_arn = %s
source_profile = alice
role_session_name = js-services

[services opensts]
sts =
  endpoint_url = %s
`, deploy, e.url))
		res := run(t, h, jsRequest{Provider: "ini", Env: map[string]string{"AWS_PROFILE": "deploy"}})
		ok(t, res, deploy, "js-services")
	})

	t.Run("fromIni mfa_serial", func(t *testing.T) {
		h := iniHome(t, fmt.Sprintf(`[profile alice]
region = us-east-1

[profile deploy-mfa]
region = us-east-1
role_arn = %s
source_profile = alice
mfa_serial = %s
role_session_name = js-ini-mfa
`, guarded, dev.serial))
		env := map[string]string{"AWS_ENDPOINT_URL_STS": e.url}
		e.centerStep()
		res := run(t, h, jsRequest{Provider: "ini", Profile: "deploy-mfa", MFACode: e.code(dev, -3), Env: env})
		denied(t, res, strings.TrimSpace(msgInvalidCode))
		res = run(t, h, jsRequest{Provider: "ini", Profile: "deploy-mfa", MFACode: e.code(dev, 0), Env: env})
		ok(t, res, guarded, "js-ini-mfa")
		if len(res.MFASerials) != 1 || res.MFASerials[0] != dev.serial {
			t.Fatalf("mfaCodeProvider asked for %v, want %s", res.MFASerials, dev.serial)
		}
		e.clock.Advance(30 * time.Second)
	})
}
