package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// iamAuthenticator returns the path of aws-iam-authenticator
// (sigs.k8s.io/aws-iam-authenticator; .ci/run installs the version it pins).
func iamAuthenticator(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("aws-iam-authenticator")
	if err != nil {
		missingClient(t, "aws-iam-authenticator not on PATH (%v); install it with go install sigs.k8s.io/aws-iam-authenticator/cmd/aws-iam-authenticator", err)
	}
	return path
}

// runIAMAuthenticator runs aws-iam-authenticator with alice's keys in the
// environment of an isolated home, STS pointed at OpenSTS by endpointEnv
// ("AWS_ENDPOINT_URL_STS=…" or "AWS_ENDPOINT_URL=…"), and instance metadata
// on a closed loopback port. Keys go in the environment, never the
// arguments; stdout (which carries the token) is returned, not logged.
func runIAMAuthenticator(t *testing.T, bin string, c creds, endpointEnv string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = newClientHome(t).env(
		"AWS_ACCESS_KEY_ID="+c.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY="+c.SecretAccessKey,
		"AWS_REGION=us-east-1",
		"AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:1",
		endpointEnv,
	)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	return out.String(), errOut.String(), err
}

// execCredential is the part of the ExecCredential that `token` prints
// which the test reads.
type execCredential struct {
	Kind   string `json:"kind"`
	Status struct {
		Token string `json:"token"`
	} `json:"status"`
}

// tokenURL decodes a k8s-aws-v1 token into the presigned URL it carries.
// Failures name the shape of the token, never its content (the URL holds
// a session token and a signature).
func tokenURL(t *testing.T, stdout string) *url.URL {
	t.Helper()
	var ec execCredential
	if err := json.Unmarshal([]byte(stdout), &ec); err != nil {
		t.Fatalf("token output (%d bytes) is not JSON: %v", len(stdout), err)
	}
	if ec.Kind != "ExecCredential" {
		t.Fatalf("token output kind %q, want ExecCredential", ec.Kind)
	}
	const prefix = "k8s-aws-v1."
	enc, ok := strings.CutPrefix(ec.Status.Token, prefix)
	if !ok {
		t.Fatalf("token (%d bytes) does not start with %q", len(ec.Status.Token), prefix)
	}
	raw, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil {
		t.Fatalf("token is not unpadded base64url: %v", err)
	}
	u, err := url.Parse(string(raw))
	if err != nil {
		t.Fatalf("token does not hold a URL: %v", err)
	}
	return u
}

// callerFromPresigned sends a presigned GetCallerIdentity GET to OpenSTS as
// the authenticator's server side does (cluster header, JSON accepted) and
// returns the status, ARN and UserId.
func callerFromPresigned(t *testing.T, u *url.URL, cluster string) (status int, arn, userID string, body []byte) {
	t.Helper()
	resp, body := get(t, u.String(), map[string]string{"x-k8s-aws-id": cluster, "Accept": "application/json"})
	if resp.StatusCode != 200 {
		return resp.StatusCode, "", "", body
	}
	var js struct {
		R struct {
			Result struct{ Arn, UserId string } `json:"GetCallerIdentityResult"`
		} `json:"GetCallerIdentityResponse"`
	}
	if err := json.Unmarshal(body, &js); err != nil {
		t.Fatalf("GetCallerIdentity JSON: %v: %s", err, body)
	}
	return resp.StatusCode, js.R.Result.Arn, js.R.Result.UserId, body
}

// `aws-iam-authenticator token -i CLUSTER -r ROLE` assumes the role at
// OpenSTS and presigns GetCallerIdentity there with the role session; the
// URL, fetched with the cluster header, names the assumed role.
func TestAWSIAMAuthenticator_TokenWithRole(t *testing.T) {
	t.Parallel()
	bin := iamAuthenticator(t)
	e := newEnv(t)
	acct := e.node.Root.AccountID
	alice := e.mustUser("alice")
	e.mustUser("bob")
	roleARN := e.mustRole("eks-admin", trustDoc("arn:aws:iam::"+acct+":user/alice", ""), "")
	bobOnlyARN := e.mustRole("eks-bob-only", trustDoc("arn:aws:iam::"+acct+":user/bob", ""), "")
	role, err := e.iam(e.root).GetRole(context.Background(), &iam.GetRoleInput{RoleName: aws.String("eks-admin")})
	if err != nil {
		t.Fatal(err)
	}
	roleID := aws.ToString(role.Role.RoleId)
	server, err := url.Parse(e.url)
	if err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name, endpointEnv, session string
	}{
		{"AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_STS=" + e.url, "ci-deploy"},
		// No --session-name: the SDK's default session name, whatever it is.
		{"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL=" + e.url, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const cluster = "opensts-e2e"
			args := []string{"token", "-i", cluster, "-r", roleARN}
			if tc.session != "" {
				args = append(args, "-s", tc.session)
			}
			stdout, stderr, err := runIAMAuthenticator(t, bin, alice, tc.endpointEnv, args...)
			if err != nil {
				t.Fatalf("aws-iam-authenticator token: %v\nstderr: %s", err, stderr)
			}
			u := tokenURL(t, stdout)
			if u.Scheme != server.Scheme || u.Host != server.Host || (u.Path != "" && u.Path != "/") {
				t.Fatalf("presigned URL is %s://%s%s, want OpenSTS at %s", u.Scheme, u.Host, u.Path, e.url)
			}
			q := u.Query()
			if q.Get("Action") != "GetCallerIdentity" || q.Get("X-Amz-Security-Token") == "" {
				t.Fatalf("presigned URL: Action %q, session token present %v; want GetCallerIdentity signed with role-session credentials",
					q.Get("Action"), q.Get("X-Amz-Security-Token") != "")
			}
			if signed := strings.Split(q.Get("X-Amz-SignedHeaders"), ";"); !slices.Contains(signed, "x-k8s-aws-id") {
				t.Fatalf("X-Amz-SignedHeaders %v does not include x-k8s-aws-id", signed)
			}

			status, arn, userID, body := callerFromPresigned(t, u, cluster)
			if status != 200 {
				t.Fatalf("GetCallerIdentity with the token's URL: %d %s", status, body)
			}
			session, ok := strings.CutPrefix(userID, roleID+":")
			if !ok || session == "" || (tc.session != "" && session != tc.session) {
				t.Fatalf("UserId %q, want %s:%s", userID, roleID, tc.session)
			}
			if want := "arn:aws:sts::" + acct + ":assumed-role/eks-admin/" + session; arn != want {
				t.Fatalf("Arn %q, want %q", arn, want)
			}

			// The cluster header is signed: another cluster's name fails.
			status, _, _, body = callerFromPresigned(t, u, "other-cluster")
			if status != 403 || !strings.Contains(string(body), "SignatureDoesNotMatch") {
				t.Fatalf("URL sent for another cluster: %d %s", status, body)
			}
		})
	}

	// A role whose trust policy names bob, not alice: AssumeRole is
	// refused and the tool prints no token.
	t.Run("TrustDoesNotNameCaller", func(t *testing.T) {
		stdout, stderr, err := runIAMAuthenticator(t, bin, alice, "AWS_ENDPOINT_URL_STS="+e.url,
			"token", "-i", "opensts-e2e", "-r", bobOnlyARN)
		if err == nil {
			t.Fatalf("aws-iam-authenticator succeeded (%d bytes of output), want AccessDenied", len(stdout))
		}
		if strings.Contains(stdout, "k8s-aws-v1.") {
			t.Fatalf("a token was printed although AssumeRole failed")
		}
		if !strings.Contains(stderr, "AssumeRole") || !strings.Contains(stderr, "AccessDenied") {
			t.Fatalf("stderr does not report AccessDenied from AssumeRole: %s", stderr)
		}
	})
}
