package e2e

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/opensts/opensts/internal/clock"
	"github.com/opensts/opensts/internal/pgtest"
	"github.com/opensts/opensts/token"
	"github.com/opensts/opensts/totp"
)

// The PostgreSQL these tests share is started once for the test binary
// (or named by OPENSTS_TEST_POSTGRES) and stopped at the end.

const multiNodeAccount = "444455556666"

// pgCluster is several `opensts server` processes on one PostgreSQL schema,
// sharing the master key and the root credentials, each with a data dir
// of its own.
type pgCluster struct {
	t         *testing.T
	dsn       string
	masterKey string
}

func newPGCluster(t *testing.T) *pgCluster {
	t.Helper()
	return &pgCluster{t: t, dsn: pgtest.DSN(t), masterKey: mnMasterKey(t)}
}

// mnMasterKey is a fresh OPENSTS_MASTER_KEY: base64 of 32 random bytes.
func mnMasterKey(t *testing.T) string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}

func (c *pgCluster) env() []string {
	return append(procRootEnv(multiNodeAccount), "OPENSTS_MASTER_KEY="+c.masterKey)
}

// node starts one more server on the cluster's store.
func (c *pgCluster) node(args ...string) (*process, *env) {
	c.t.Helper()
	return c.nodeOn(c.dsn, args...)
}

// nodeOn starts a server of the cluster on dsn (the cluster's store,
// perhaps reached another way).
func (c *pgCluster) nodeOn(dsn string, args ...string) (*process, *env) {
	c.t.Helper()
	p := startServer(c.t, c.env(), append([]string{"--data-dir", c.t.TempDir(), "--store", dsn}, args...)...)
	e := procEnv(c.t, p, procRoot)
	e.clock = &clock.Offset{}
	c.t.Cleanup(func() { mnCheckNoPassword(c.t, "server log", p.log()+p.output(), dsn) })
	return p, e
}

// mnCheckNoPassword fails the test when the DSN's password shows in out.
func mnCheckNoPassword(t *testing.T, what, out, dsn string) {
	t.Helper()
	if pw := pgtest.Password(dsn); pw != "" && strings.Contains(out, pw) {
		t.Errorf("the database password appears in the %s", what)
	}
}

// mnCallerARN runs GetCallerIdentity on e with c.
func mnCallerARN(e *env, c creds) (string, error) {
	out, err := e.sts(c).GetCallerIdentity(context.Background(), nil)
	if err != nil {
		return "", err
	}
	return aws.ToString(out.Arn), nil
}

func mnMustCaller(t *testing.T, what string, e *env, c creds, wantARN string) {
	t.Helper()
	arn, err := mnCallerARN(e, c)
	if err != nil {
		t.Fatalf("%s: GetCallerIdentity: %v", what, err)
	}
	if wantARN != "" && arn != wantARN {
		t.Fatalf("%s: caller %s, want %s", what, arn, wantARN)
	}
}

func mnUserARN(name string) string { return "arn:aws:iam::" + multiNodeAccount + ":user/" + name }

func mnTokenKeyID(t *testing.T, c creds) uint32 {
	t.Helper()
	id, err := token.KeyID(c.SessionToken)
	if err != nil {
		t.Fatalf("session token key id: %v", err)
	}
	return id
}

// Two nodes, A and B, on one PostgreSQL: whatever one does, the other sees.
func TestMultiNode(t *testing.T) {
	// Not parallel: it asserts that caches expire within their bounds, in wall-clock time.
	c := newPGCluster(t)
	_, a := c.node()
	_, b := c.node()
	ctx := context.Background()

	t.Run("CredentialsAcrossNodes", func(t *testing.T) {
		alice := a.mustUser("mn-alice")
		mnMustCaller(t, "key created on A, used on B", b, alice, mnUserARN("mn-alice"))
		k, err := b.iam(procRoot).CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("mn-alice")})
		if err != nil {
			t.Fatal(err)
		}
		second := creds{AccessKeyID: *k.AccessKey.AccessKeyId, SecretAccessKey: *k.AccessKey.SecretAccessKey}
		mnMustCaller(t, "key created on B, used on A", a, second, mnUserARN("mn-alice"))
		list, err := a.iam(procRoot).ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("mn-alice")})
		if err != nil || len(list.AccessKeyMetadata) != 2 {
			t.Fatalf("ListAccessKeys on A = %+v, %v; want both keys", list, err)
		}
	})

	t.Run("SessionsAcrossNodes", func(t *testing.T) {
		bob := a.mustUser("mn-bob")
		sess := a.mustSession(bob, nil)
		mnMustCaller(t, "GetSessionToken credentials from A, used on B", b, sess, mnUserARN("mn-bob"))
		out, err := b.sts(procRoot).GetFederationToken(ctx, &sts.GetFederationTokenInput{
			Name:   aws.String("mn-fed"),
			Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:GetCallerIdentity","Resource":"*"}]}`),
		})
		if err != nil {
			t.Fatalf("GetFederationToken on B: %v", err)
		}
		fed := fromSTS(out.Credentials.AccessKeyId, out.Credentials.SecretAccessKey, out.Credentials.SessionToken)
		mnMustCaller(t, "GetFederationToken credentials from B, used on A", a, fed,
			"arn:aws:sts::"+multiNodeAccount+":federated-user/mn-fed")
	})

	t.Run("DeactivateAndDelete", func(t *testing.T) {
		testRevocationAcrossNodes(t, c, a, b)
	})

	t.Run("MFAReplay", func(t *testing.T) {
		carol := a.mustUser("mn-carol")
		out, err := a.iam(procRoot).CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("mn-carol")})
		if err != nil {
			t.Fatal(err)
		}
		seed, err := totp.DecodeSeed(string(out.VirtualMFADevice.Base32StringSeed))
		if err != nil {
			t.Fatal(err)
		}
		serial := *out.VirtualMFADevice.SerialNumber
		step := totp.Step(time.Now())
		_, err = b.iam(procRoot).EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String("mn-carol"), SerialNumber: aws.String(serial),
			AuthenticationCode1: aws.String(totp.Code(seed, step-1)), AuthenticationCode2: aws.String(totp.Code(seed, step))})
		if err != nil {
			t.Fatalf("enable on B a device created on A: %v", err)
		}
		code := totp.Code(seed, step+1)
		in := &sts.GetSessionTokenInput{SerialNumber: aws.String(serial), TokenCode: aws.String(code)}
		if _, err := a.sts(carol).GetSessionToken(ctx, in); err != nil {
			t.Fatalf("first use of the code on A: %v", err)
		}
		_, err = b.sts(carol).GetSessionToken(ctx, in)
		wantAPIError(t, err, "AccessDenied", msgInvalidCode)
		_, err = a.sts(carol).GetSessionToken(ctx, in)
		wantAPIError(t, err, "AccessDenied", msgInvalidCode)
	})

	t.Run("ConcurrentCreateUser", func(t *testing.T) {
		const n = 16
		errs := make([]error, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			e := a
			if i%2 == 1 {
				e = b
			}
			client := e.iam(procRoot)
			wg.Go(func() {
				<-start
				_, errs[i] = client.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("mn-race")})
			})
		}
		close(start)
		wg.Wait()
		won := 0
		for _, err := range errs {
			if err == nil {
				won++
				continue
			}
			var exists *types.EntityAlreadyExistsException
			if !errors.As(err, &exists) {
				t.Errorf("concurrent CreateUser: %v, want EntityAlreadyExists", err)
			}
		}
		if won != 1 {
			t.Errorf("concurrent CreateUser of one name on two nodes: %d succeeded, want 1", won)
		}
		for _, e := range []*env{a, b} {
			list, err := e.iam(procRoot).ListUsers(ctx, &iam.ListUsersInput{})
			if err != nil {
				t.Fatal(err)
			}
			found := 0
			for _, u := range list.Users {
				if strings.EqualFold(aws.ToString(u.UserName), "mn-race") {
					found++
				}
			}
			if found != 1 {
				t.Errorf("ListUsers shows %d users named mn-race, want 1", found)
			}
		}
	})

	t.Run("KeyRotation", func(t *testing.T) {
		testRotationAcrossNodes(t, c, a, b)
	})

	t.Run("PolicyChangeAcrossNodes", func(t *testing.T) {
		testPolicyChangeAcrossNodes(t, c, a, b)
	})
}

// testPolicyChangeAcrossNodes: nodes reuse the identity policies and roles
// they read within the credential cache bound. A policy removed through A
// stops granting on A at once (A's IAM change invalidates), on a node
// without the cache on the very next request, and on B within its bound;
// the same holds for a role session's role policy.
func testPolicyChangeAcrossNodes(t *testing.T, c *pgCluster, a, b *env) {
	ctx := context.Background()
	_, nocache := c.node("--credential-cache-ttl", "0")
	heidi := a.mustUser("mn-heidi")
	a.mustPutUserPolicy("mn-heidi", "list", listUsersPolicy)
	role := a.mustRole("mn-reader", trustDoc(mnUserARN("mn-heidi"), ""), listUsersPolicy)
	out, err := b.sts(heidi).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("mn-heidi")})
	if err != nil {
		t.Fatal(err)
	}
	session := fromSTS(out.Credentials.AccessKeyId, out.Credentials.SecretAccessKey, out.Credentials.SessionToken)
	list := func(e *env, cr creds) error {
		_, err := e.iam(cr).ListUsers(ctx, &iam.ListUsersInput{MaxItems: aws.Int32(1)})
		return err
	}
	for _, cr := range []creds{heidi, session} {
		for _, e := range []*env{a, b, nocache} {
			if err := list(e, cr); err != nil {
				t.Fatalf("ListUsers before the change: %v", err)
			}
		}
	}
	wantDenied := func(what string, cr creds) {
		t.Helper()
		wantAPIError(t, list(a, cr), "AccessDenied", "")
		wantAPIError(t, list(nocache, cr), "AccessDenied", "")
		deadline := time.Now().Add(2*time.Second + 1500*time.Millisecond)
		for list(b, cr) == nil {
			if time.Now().After(deadline) {
				t.Fatalf("%s: B still grants after its cache bound", what)
			}
			time.Sleep(50 * time.Millisecond)
		}
		wantAPIError(t, list(b, cr), "AccessDenied", "")
	}
	if _, err := a.iam(procRoot).DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("mn-heidi"), PolicyName: aws.String("list")}); err != nil {
		t.Fatal(err)
	}
	wantDenied("user policy deleted", heidi)
	if _, err := a.iam(procRoot).DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("mn-reader"), PolicyName: aws.String("perms")}); err != nil {
		t.Fatal(err)
	}
	wantDenied("role policy deleted", session)
}

// testRevocationAcrossNodes: a key deactivated or deleted through A stops
// working on B within B's credential cache bound, and on a node without
// the cache (--credential-cache-ttl 0) on the very next request; sessions
// derived from the key stop with it.
func testRevocationAcrossNodes(t *testing.T, c *pgCluster, a, b *env) {
	ctx := context.Background()
	_, nocache := c.node("--credential-cache-ttl", "0")
	dave := a.mustUser("mn-dave")
	sess := b.mustSession(dave, nil)
	// B and the uncached node have just used the key: B holds it in its cache.
	for _, e := range []*env{b, nocache} {
		mnMustCaller(t, "before deactivation", e, dave, mnUserARN("mn-dave"))
		mnMustCaller(t, "session before deactivation", e, sess, mnUserARN("mn-dave"))
	}
	setStatus := func(e *env, status types.StatusType) {
		t.Helper()
		_, err := e.iam(procRoot).UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{
			UserName: aws.String("mn-dave"), AccessKeyId: aws.String(dave.AccessKeyID), Status: status})
		if err != nil {
			t.Fatalf("UpdateAccessKey %s: %v", status, err)
		}
	}
	// wantRefused checks the very next request on the uncached node, and
	// B within its credential cache TTL (2 s by default) plus slack for
	// a loaded machine: B cached the key before the change.
	wantRefused := func(what string, cr creds) {
		t.Helper()
		_, err := mnCallerARN(nocache, cr)
		wantAPIError(t, err, "InvalidClientTokenId", "")
		deadline := time.Now().Add(2*time.Second + 1500*time.Millisecond)
		for {
			_, err := mnCallerARN(b, cr)
			if err != nil {
				wantAPIError(t, err, "InvalidClientTokenId", "")
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: B still accepts the credentials after its cache bound", what)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}

	setStatus(a, types.StatusTypeInactive)
	wantRefused("deactivated key", dave)
	wantRefused("session of a deactivated key", sess)
	// And the way back: reactivated through B, usable on A at once (A's
	// cache never held the inactive key: misses are not cached).
	setStatus(b, types.StatusTypeActive)
	mnMustCaller(t, "reactivated on B, used on A", a, dave, mnUserARN("mn-dave"))
	mnMustCaller(t, "reactivated, on the uncached node", nocache, dave, mnUserARN("mn-dave"))
	mnMustCaller(t, "reactivated, B", b, dave, mnUserARN("mn-dave"))

	if _, err := a.iam(procRoot).DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{
		UserName: aws.String("mn-dave"), AccessKeyId: aws.String(dave.AccessKeyID)}); err != nil {
		t.Fatal(err)
	}
	wantRefused("deleted key", dave)
	wantRefused("session of a deleted key", sess)
}

// testRotationAcrossNodes: `opensts keys rotate` against the shared store;
// a node started afterwards seals with the new key; A and B, running since
// before the rotation, open its tokens without a restart (they reload the
// ring at once on meeting a newer key id) and then seal with the new key
// themselves; tokens sealed before the rotation keep working everywhere.
func testRotationAcrossNodes(t *testing.T, c *pgCluster, a, b *env) {
	erin := a.mustUser("mn-erin")
	before := a.mustSession(erin, nil)
	oldID := mnTokenKeyID(t, before)

	cmd := exec.Command(opensts(t), "keys", "rotate", "--store", c.dsn, "--data-dir", t.TempDir())
	cmd.Env = append(os.Environ(), "OPENSTS_MASTER_KEY="+c.masterKey)
	out, err := cmd.CombinedOutput()
	mnCheckNoPassword(t, "keys rotate output", string(out), c.dsn)
	if err != nil {
		t.Fatalf("opensts keys rotate: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`token key (\d+) is now active`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("opensts keys rotate printed %q", out)
	}
	n, _ := strconv.ParseUint(string(m[1]), 10, 32)
	newID := uint32(n)
	if newID == oldID {
		t.Fatalf("rotation kept key %d active", oldID)
	}

	_, late := c.node()
	fromLate := late.mustSession(erin, nil)
	if id := mnTokenKeyID(t, fromLate); id != newID {
		t.Fatalf("a node started after the rotation seals with key %d, want %d", id, newID)
	}
	mnMustCaller(t, "token of the new key on A", a, fromLate, mnUserARN("mn-erin"))
	fromA := a.mustSession(erin, nil)
	if id := mnTokenKeyID(t, fromA); id != newID {
		t.Fatalf("A seals with key %d after meeting key %d, want the new key", id, newID)
	}
	mnMustCaller(t, "token sealed by A with the new key, on B", b, fromA, mnUserARN("mn-erin"))
	if id := mnTokenKeyID(t, b.mustSession(erin, nil)); id != newID {
		t.Errorf("B seals with key %d after meeting key %d, want the new key", id, newID)
	}
	for name, e := range map[string]*env{"A": a, "B": b, "the new node": late} {
		mnMustCaller(t, "token from before the rotation on "+name, e, before, mnUserARN("mn-erin"))
	}
}

// A node whose database goes away answers AWS's ServiceUnavailable (503)
// and reports not ready, while staying alive; when the database is back it
// serves again without a restart. A node that cannot reach its database at
// start exits at once, without the password in its error.
func TestMultiNode_DatabaseUnreachable(t *testing.T) {
	// Not parallel: it asserts that caches expire within their bounds, in wall-clock time, and needs a port nothing listens on.
	c := newPGCluster(t)
	_, a := c.node()
	proxy, viaProxy := pgtest.NewProxy(t, c.dsn)
	p, e := c.nodeOn(viaProxy)
	frank := a.mustUser("mn-frank")
	mnMustCaller(t, "through the proxy", e, frank, mnUserARN("mn-frank"))
	get := func(path string) int {
		t.Helper()
		resp, err := http.Get(p.url + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if s := get("/readyz"); s != http.StatusOK {
		t.Fatalf("/readyz with the database up = %d", s)
	}

	proxy.Down()
	want503 := func(err error) {
		t.Helper()
		wantAPIError(t, err, "ServiceUnavailable", "")
		var re *awshttp.ResponseError
		if !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusServiceUnavailable {
			t.Errorf("with the database gone: %v, want HTTP 503", err)
		}
	}
	// The root key was never used on this node, so it is not cached.
	_, err := mnCallerARN(e, procRoot)
	want503(err)
	// frank's key is in the node's credential cache: it keeps working for
	// at most the cache TTL (2 s), then gets 503 too.
	deadline := time.Now().Add(2*time.Second + 1500*time.Millisecond)
	for {
		_, err := mnCallerARN(e, frank)
		if err != nil {
			want503(err)
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("cached credentials still authenticate after the cache bound with the database gone")
		}
		time.Sleep(100 * time.Millisecond)
	}
	_, err = e.iam(procRoot).CreateUser(context.Background(), &iam.CreateUserInput{UserName: aws.String("mn-lost")})
	want503(err)
	if s := get("/readyz"); s != http.StatusServiceUnavailable {
		t.Errorf("/readyz with the database gone = %d, want 503", s)
	}
	if s := get("/healthz"); s != http.StatusOK {
		t.Errorf("/healthz with the database gone = %d, want 200 (the process is alive)", s)
	}
	if strings.Contains(p.log(), "panic") {
		t.Errorf("the server panicked:\n%s", p.log())
	}
	// The other node, on its own connections, never noticed.
	mnMustCaller(t, "other node while one lost its database", a, frank, mnUserARN("mn-frank"))

	proxy.Up()
	deadline = time.Now().Add(10 * time.Second)
	for get("/readyz") != http.StatusOK {
		if time.Now().After(deadline) {
			t.Fatal("/readyz not ready again after the database came back")
		}
		time.Sleep(100 * time.Millisecond)
	}
	mnMustCaller(t, "after the database came back", e, frank, mnUserARN("mn-frank"))

	// Nothing listens on this port: the server refuses to start, quickly.
	port, err := pgtest.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	dead := pgtest.WithHostPort(c.dsn, "127.0.0.1", port)
	cmd := exec.Command(opensts(t), "server", "--listen", "127.0.0.1:0", "--data-dir", t.TempDir(), "--store", dead)
	cmd.Env = append(os.Environ(), c.env()...)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("a server whose database is unreachable started:\n%s", out)
	}
	if d := time.Since(start); d > 15*time.Second {
		t.Errorf("a server whose database is unreachable took %s to give up", d)
	}
	if !strings.Contains(string(out), "service unavailable") {
		t.Errorf("start without a database: %q does not say the store is unavailable", out)
	}
	mnCheckNoPassword(t, "error of a server without its database", string(out), dead)
}

// A server on the embedded store is populated, stopped and copied to
// PostgreSQL with `opensts store copy`; a server on PostgreSQL with the same
// master key then authenticates the copied keys, sessions and MFA devices,
// and serves the copied OIDC and SAML providers.
func TestMultiNode_StoreCopy(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	old := startServer(t, procRootEnv(multiNodeAccount), "--data-dir", dir)
	e := procEnv(t, old, procRoot)
	e.clock = &clock.Offset{}
	ctx := context.Background()
	grace := e.mustUser("mn-grace")
	e.mustPutUserPolicy("mn-grace", "federate", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:GetFederationToken","sts:GetCallerIdentity"],"Resource":"*"}]}`)
	sess := e.mustSession(grace, nil)
	dev, err := e.iam(procRoot).CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("mn-grace")})
	if err != nil {
		t.Fatal(err)
	}
	seed, err := totp.DecodeSeed(string(dev.VirtualMFADevice.Base32StringSeed))
	if err != nil {
		t.Fatal(err)
	}
	serial := *dev.VirtualMFADevice.SerialNumber
	step := totp.Step(time.Now())
	if _, err := e.iam(procRoot).EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String("mn-grace"), SerialNumber: aws.String(serial),
		AuthenticationCode1: aws.String(totp.Code(seed, step-1)), AuthenticationCode2: aws.String(totp.Code(seed, step))}); err != nil {
		t.Fatal(err)
	}
	used := totp.Code(seed, step+1)
	mfaIn := &sts.GetSessionTokenInput{SerialNumber: aws.String(serial), TokenCode: aws.String(used)}
	if _, err := e.sts(grace).GetSessionToken(ctx, mfaIn); err != nil {
		t.Fatalf("GetSessionToken with MFA on the embedded store: %v", err)
	}
	oidcARN := "arn:aws:iam::" + multiNodeAccount + ":oidc-provider/mn.example.com"
	if _, err := e.iam(procRoot).CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://mn.example.com"),
		ClientIDList: []string{"sts.amazonaws.com"}}); err != nil {
		t.Fatal(err)
	}
	samlARN := "arn:aws:iam::" + multiNodeAccount + ":saml-provider/mn-idp"
	samlDoc := idpMetadata(t, "https://idp.mn.example.com", "")
	if _, err := e.iam(procRoot).CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{Name: aws.String("mn-idp"),
		SAMLMetadataDocument: aws.String(samlDoc)}); err != nil {
		t.Fatal(err)
	}
	if err := old.stop(t); err != nil {
		t.Fatalf("stop: %v", err)
	}

	dsn := pgtest.DSN(t)
	storeCopy := func() (string, error) {
		cmd := exec.Command(opensts(t), "store", "copy", "--from", "sqlite://"+filepath.Join(dir, "opensts.db"), "--to", dsn)
		out, err := cmd.CombinedOutput()
		mnCheckNoPassword(t, "store copy output", string(out), dsn)
		return string(out), err
	}
	out, err := storeCopy()
	if err != nil {
		t.Fatalf("opensts store copy: %v\n%s", err, out)
	}
	for _, want := range []string{"users  1", "OIDC providers  1", "SAML providers  1", "access keys  2", "MFA devices  1", "token keys  1"} {
		if !regexp.MustCompile(`(?m)^\s*` + strings.ReplaceAll(regexp.QuoteMeta(want), "  ", `\s+`) + `\s*$`).MatchString(out) {
			t.Errorf("store copy output lacks %q:\n%s", want, out)
		}
	}
	// A second copy finds the target in use and refuses.
	out, err = storeCopy()
	if err == nil || !strings.Contains(out, "not empty") {
		t.Errorf("a second store copy into the same target: %v\n%s", err, out)
	}

	key, err := os.ReadFile(filepath.Join(dir, "master.key"))
	if err != nil {
		t.Fatal(err)
	}
	c := &pgCluster{t: t, dsn: dsn, masterKey: strings.TrimSpace(string(key))}
	_, pg := c.node()
	_, pg2 := c.node()
	for name, n := range map[string]*env{"first": pg, "second": pg2} {
		mnMustCaller(t, "root key on the copy, "+name+" node", n, procRoot, "arn:aws:iam::"+multiNodeAccount+":root")
		mnMustCaller(t, "user key on the copy, "+name+" node", n, grace, mnUserARN("mn-grace"))
		mnMustCaller(t, "session issued before the copy, "+name+" node", n, sess, mnUserARN("mn-grace"))
	}
	// The MFA device came along with its replay state: the code used on the
	// embedded store is refused, the next one works.
	_, err = pg.sts(grace).GetSessionToken(ctx, mfaIn)
	wantAPIError(t, err, "AccessDenied", msgInvalidCode)
	devs, err := pg2.iam(procRoot).ListMFADevices(ctx, &iam.ListMFADevicesInput{UserName: aws.String("mn-grace")})
	if err != nil || len(devs.MFADevices) != 1 || aws.ToString(devs.MFADevices[0].SerialNumber) != serial {
		t.Errorf("ListMFADevices on the copy = %+v, %v; want %s", devs, err, serial)
	}
	prov, err := pg2.iam(procRoot).GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(oidcARN)})
	if err != nil || aws.ToString(prov.Url) != "mn.example.com" || len(prov.ClientIDList) != 1 {
		t.Errorf("GetOpenIDConnectProvider on the copy = %+v, %v", prov, err)
	}
	saml, err := pg2.iam(procRoot).GetSAMLProvider(ctx, &iam.GetSAMLProviderInput{SAMLProviderArn: aws.String(samlARN)})
	if err != nil || aws.ToString(saml.SAMLMetadataDocument) != samlDoc || saml.ValidUntil == nil {
		t.Errorf("GetSAMLProvider on the copy = %+v, %v", saml, err)
	}
	fed, err := pg.sts(grace).GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("mn-copied"),
		Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:GetCallerIdentity","Resource":"*"}]}`)})
	if err != nil {
		t.Fatalf("GetFederationToken with the copied inline policy: %v", err)
	}
	mnMustCaller(t, "federated session on the copy", pg2,
		fromSTS(fed.Credentials.AccessKeyId, fed.Credentials.SecretAccessKey, fed.Credentials.SessionToken),
		"arn:aws:sts::"+multiNodeAccount+":federated-user/mn-copied")
}
