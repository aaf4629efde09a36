package e2e

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/opensts/opensts/certs/certstest"
	"github.com/opensts/opensts/internal/clock"
	"github.com/opensts/opensts/totp"
)

// TLS: HTTPS with a certificate an SDK trusts through a custom CA, HTTP/2,
// and a rotated certificate served without restart (on SIGHUP and on file
// change).
func TestOps_TLS(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ca := certstest.NewCA(t)
	certFile, keyFile := ca.WriteLeaf(t, dir, "127.0.0.1", "localhost")
	p := startServer(t, procRootEnv("111122223333"), "--data-dir", filepath.Join(dir, "data"), "--tls-cert", certFile, "--tls-key", keyFile)
	if !strings.HasPrefix(p.url, "https://") {
		t.Fatalf("server URL %s is not https", p.url)
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.Pool()}, ForceAttemptHTTP2: true}}
	e := procEnv(t, p, procRoot)
	cfg := e.v2Config(procRoot)
	cfg.HTTPClient = client
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(context.Background(), nil)
	if err != nil || *id.Account != "111122223333" {
		t.Fatalf("GetCallerIdentity over TLS: %v %v", id, err)
	}
	serial := func() string {
		t.Helper()
		tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.Pool()}, ForceAttemptHTTP2: true}
		defer tr.CloseIdleConnections()
		resp, err := (&http.Client{Transport: tr}).Get(p.url + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.ProtoMajor != 2 {
			t.Fatalf("protocol %s, want HTTP/2", resp.Proto)
		}
		return resp.TLS.PeerCertificates[0].SerialNumber.String()
	}
	first := serial()
	leaf, key := ca.Leaf(t, "127.0.0.1", "localhost")
	certstest.WriteFileAtomic(t, keyFile, key)
	certstest.WriteFileAtomic(t, certFile, leaf)
	p.cmd.Process.Signal(syscall.SIGHUP)
	deadline := time.Now().Add(10 * time.Second)
	for serial() == first {
		if time.Now().After(deadline) {
			t.Fatal("the rotated certificate was not served after SIGHUP")
		}
		time.Sleep(50 * time.Millisecond)
	}

	out, err := exec.Command(opensts(t), "server", "--listen", "0.0.0.0:0", "--data-dir", t.TempDir()).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "--insecure-http") {
		t.Fatalf("plain HTTP on a non-loopback address: %v\n%s", err, out)
	}
}

// Throttling: AWS's Throttling/"Rate exceeded" per access key, one noisy
// key does not affect another, and the SDK's standard retryer backs off and
// succeeds.
func TestOps_Throttling(t *testing.T) {
	// Not parallel: its token buckets refill in wall-clock time.
	p := startServer(t, procRootEnv("111122223333"), "--data-dir", t.TempDir(), "--throttle-key-rate", "2", "--throttle-key-burst", "3")
	e := procEnv(t, p, procRoot)
	ctx := context.Background()
	alice := e.mustUser("alice") // root calls: 2 of the burst of 3
	var throttled error
	for range 10 {
		if _, err := e.sts(alice).GetCallerIdentity(ctx, nil); err != nil {
			throttled = err
			break
		}
	}
	wantAPIError(t, throttled, "Throttling", "Rate exceeded")
	// Root's bucket still holds the third token of its burst (refills only
	// add to it), and alice's burst did not touch it: root's very next call,
	// without waiting or retrying (the env's clients never retry), succeeds.
	if _, err := e.sts(procRoot).GetCallerIdentity(ctx, nil); err != nil {
		t.Fatalf("another key while alice is throttled: %v", err)
	}
	// The SDK's standard retryer treats Throttling as retryable and gets through.
	cfg := e.v2Config(alice)
	cfg.Retryer = func() aws.Retryer { return retry.NewStandard(func(o *retry.StandardOptions) { o.MaxAttempts = 10 }) }
	for range 5 {
		if _, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, nil); err != nil {
			t.Fatalf("with the standard retryer: %v", err)
		}
	}
}

// Limits: oversized bodies and headers are refused with clear statuses, a
// slow client cannot hold a connection, and a body still arriving holds no
// concurrency slot (the refusal beyond the bound is api's
// TestServer_MaxConcurrent).
func TestOps_Limits(t *testing.T) {
	// Not parallel: it asserts how long the server keeps a slow client.
	p := startServer(t, procRootEnv("111122223333"), "--data-dir", t.TempDir(),
		"--max-body-bytes", "65536", "--max-header-bytes", "8192", "--read-header-timeout", "1s", "--max-concurrent", "1", "--read-timeout", "5s")
	host := strings.TrimPrefix(p.url, "http://")

	resp, err := http.Post(p.url+"/", "application/x-www-form-urlencoded", strings.NewReader("Action=GetCallerIdentity&Version=2011-06-15&x="+strings.Repeat("a", 70000)))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(body), "<Code>RequestEntityTooLarge</Code>") {
		t.Fatalf("large body: %d %s", resp.StatusCode, body)
	}

	req, _ := http.NewRequest(http.MethodGet, p.url+"/healthz", nil)
	req.Header.Set("X-Padding", strings.Repeat("a", 16000))
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("large header: %d", resp.StatusCode)
	}

	// Slowloris: headers never finished; the server hangs up after the
	// read-header timeout.
	conn, err := net.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST / HTTP/1.1\r\nHost: %s\r\nX-Slow: ", host)
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	start := time.Now()
	_, err = io.ReadAll(conn)
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Fatal("the server kept a slow client's connection open for 10 s")
		}
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("slow client held the connection for %v", d)
	}

	// A request whose body is still arriving holds no slot: with the only
	// slot free, another request is answered (here: refused unsigned).
	slow, err := net.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	fmt.Fprintf(slow, "POST / HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n", host)
	awaitContinue(t, slow) // the server is reading the body
	fmt.Fprint(slow, "Action=")
	resp, err = http.Post(p.url+"/", "application/x-www-form-urlencoded", strings.NewReader("Action=GetCallerIdentity&Version=2011-06-15"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "<Code>MissingAuthenticationToken</Code>") {
		t.Fatalf("with a slow body in flight and --max-concurrent 1: %d %s", resp.StatusCode, body)
	}
}

// SIGTERM: stop accepting, finish the request in flight, exit 0.
func TestOps_ShutdownFinishesInFlight(t *testing.T) {
	t.Parallel()
	p := startServer(t, procRootEnv("111122223333"), "--data-dir", t.TempDir(), "--shutdown-grace", "10s")
	host := strings.TrimPrefix(p.url, "http://")
	body := "Action=GetCallerIdentity&Version=2011-06-15"
	conn, err := net.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST / HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n", host, len(body))
	br := bufio.NewReader(conn)
	awaitContinueReader(t, br) // the request is in flight: its handler reads the body
	fmt.Fprint(conn, body[:10])
	p.cmd.Process.Signal(syscall.SIGTERM)
	// The listener closes soon after the signal; poll for it.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		c, err := net.DialTimeout("tcp", host, time.Second)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("the server still accepts connections 5 s after SIGTERM")
		}
	}
	fmt.Fprint(conn, body[10:])
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("in-flight request lost: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 { // unsigned: MissingAuthenticationToken, but answered
		t.Fatalf("in-flight request: %d", resp.StatusCode)
	}
	select {
	case err := <-p.done:
		p.done <- err
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("no exit after SIGTERM")
	}
}

// The audit trail records every credential issued or refused and every IAM
// mutation, and never a secret; `opensts audit` answers "who got
// credentials for Bob?".
func TestOps_AuditTrail(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := startServer(t, procRootEnv("111122223333"), "--data-dir", dir, "--audit-sync")
	e := procEnv(t, p, procRoot)
	e.clock = &clock.Offset{}
	ctx := context.Background()
	alice := e.mustUser("alice")
	secrets := []string{procRoot.SecretAccessKey, alice.SecretAccessKey}
	temp := e.mustSession(alice, nil)
	secrets = append(secrets, temp.SecretAccessKey, temp.SessionToken)
	fed, err := e.sts(procRoot).GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("Bob"), Policy: aws.String(allowAllS3)})
	if err != nil {
		t.Fatal(err)
	}
	secrets = append(secrets, *fed.Credentials.SecretAccessKey, *fed.Credentials.SessionToken)
	_, err = e.sts(alice).GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("Bob")})
	wantAPIError(t, err, "AccessDenied", "")
	dev, err := e.iam(procRoot).CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	seed, _ := totp.DecodeSeed(string(dev.VirtualMFADevice.Base32StringSeed))
	step := totp.Step(time.Now())
	c1, c2 := totp.Code(seed, step-1), totp.Code(seed, step)
	if _, err := e.iam(procRoot).EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String("alice"), SerialNumber: dev.VirtualMFADevice.SerialNumber,
		AuthenticationCode1: aws.String(c1), AuthenticationCode2: aws.String(c2)}); err != nil {
		t.Fatal(err)
	}
	c3 := totp.Code(seed, step+1)
	e.mustSession(alice, &sts.GetSessionTokenInput{SerialNumber: dev.VirtualMFADevice.SerialNumber, TokenCode: aws.String(c3)})
	secrets = append(secrets, string(dev.VirtualMFADevice.Base32StringSeed))
	codes := []string{c1, c2, c3}

	raw, err := os.ReadFile(filepath.Join(dir, "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range secrets {
		if strings.Contains(string(raw), s) {
			t.Fatalf("a secret appears in the audit trail")
		}
	}
	events := map[string]int{}
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		var r struct {
			EventName, ErrorCode string
			RequestParameters    map[string]any
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("audit line is not JSON: %v: %s", err, line)
		}
		events[r.EventName+"/"+r.ErrorCode]++
		for _, c := range codes {
			for _, v := range r.RequestParameters {
				if v == c {
					t.Fatalf("an MFA code appears in the audit trail: %s", line)
				}
			}
		}
	}
	for _, want := range []string{"CreateUser/", "CreateAccessKey/", "GetSessionToken/", "GetFederationToken/", "GetFederationToken/AccessDenied", "CreateVirtualMFADevice/", "EnableMFADevice/"} {
		if events[want] == 0 {
			t.Errorf("no audit record %s; have %v", want, events)
		}
	}
	out, err := exec.Command(opensts(t), "audit", "--data-dir", dir, "--event", "GetFederationToken", "--user", "Bob", "--since", "1h", "--json").CombinedOutput()
	if err != nil {
		t.Fatalf("opensts audit: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "federated-user/Bob") || !strings.Contains(lines[1], "AccessDenied") {
		t.Fatalf("who got credentials for Bob:\n%s", out)
	}
}

// Configuration precedence: flag > environment > file > default, shown by
// --print-config with the store password redacted.
func TestOps_ConfigFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "opensts.toml")
	config := "listen = \"127.0.0.1:7171\"\nlog-format = \"json\"\nthrottle-key-rate = 7\nregion = \"eu-west-1\"\nstore = \"postgres://opensts:hunter2@db.example:5432/opensts\"\n"
	if err := os.WriteFile(file, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(opensts(t), "server", "--print-config", "--config", file, "--region", "ap-south-1")
	cmd.Env = append(os.Environ(), "OPENSTS_LOG_FORMAT=text", "OPENSTS_MASTER_KEY=c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("--print-config: %v\n%s", err, out)
	}
	for _, want := range []string{
		`listen                = "127.0.0.1:7171"  # file`,
		`log-format            = "text"  # env`,
		`region                = "ap-south-1"  # flag`,
		`throttle-key-rate     = "7"  # file`,
		`data-dir              = "./opensts-data"  # default`,
		`store                 = "postgres://opensts:xxxxx@db.example:5432/opensts"  # file`,
		`# OPENSTS_MASTER_KEY: set`,
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("--print-config lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(string(out), "hunter2") || strings.Contains(string(out), "c2VjcmV0") {
		t.Fatalf("--print-config shows a secret:\n%s", out)
	}
	// The output is itself a configuration file: fed back (with the
	// environment and flag now in the file), it prints the same values,
	// list flags as TOML arrays.
	config = "listen = \"127.0.0.1:7171\"\ntrusted-proxy = [\"10.0.0.0/8\", \"192.0.2.1\"]\n"
	if err := os.WriteFile(file, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	first, err := exec.Command(opensts(t), "server", "--print-config", "--config", file).CombinedOutput()
	if err != nil || !strings.Contains(string(first), `trusted-proxy         = ["10.0.0.0/8", "192.0.2.1"]  # file`) {
		t.Fatalf("--print-config with a list: %v\n%s", err, first)
	}
	printed := filepath.Join(dir, "printed.toml")
	if err := os.WriteFile(printed, first, 0o600); err != nil {
		t.Fatal(err)
	}
	second, err := exec.Command(opensts(t), "server", "--print-config", "--config", printed).CombinedOutput()
	if err != nil {
		t.Fatalf("--print-config output refused as a config file: %v\n%s", err, second)
	}
	values := func(out []byte) []string {
		var kept []string
		for _, line := range strings.Split(string(out), "\n") {
			if k, v, ok := strings.Cut(line, " = "); ok && !strings.HasPrefix(line, "#") {
				v, _, _ = strings.Cut(v, "  # ")
				kept = append(kept, strings.TrimSpace(k)+"="+v)
			}
		}
		return kept
	}
	if a, b := values(first), values(second); len(a) < 10 || strings.Join(a, "\n") != strings.Join(b, "\n") {
		t.Fatalf("round trip changed the configuration:\n%s\n---\n%s", first, second)
	}

	if err := os.WriteFile(file, []byte("listne = \"x\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err = exec.Command(opensts(t), "server", "--config", file).CombinedOutput()
	if err == nil || !strings.Contains(string(out), `config file key "listne" is not a flag`) {
		t.Fatalf("a typo in the config file: %v\n%s", err, out)
	}
}

// Logs never hold a secret, even at debug level, where a signature mismatch
// logs the canonical request (which signs the session token).
func TestOps_LogsHoldNoSecrets(t *testing.T) {
	t.Parallel()
	p := startServer(t, procRootEnv("111122223333"), "--data-dir", t.TempDir(), "--log-level", "debug")
	e := procEnv(t, p, procRoot)
	e.clock = &clock.Offset{}
	ctx := context.Background()
	alice := e.mustUser("alice")
	temp := e.mustSession(alice, nil)
	if _, err := e.sts(temp).GetCallerIdentity(ctx, nil); err != nil {
		t.Fatal(err)
	}
	bad := temp
	bad.SecretAccessKey = strings.Repeat("q", 40)
	_, err := e.sts(bad).GetCallerIdentity(ctx, nil)
	wantAPIError(t, err, "SignatureDoesNotMatch", "")
	pre := presignCallerIdentity(t, e, creds{AccessKeyID: temp.AccessKeyID, SecretAccessKey: bad.SecretAccessKey, SessionToken: temp.SessionToken}, "x-k8s-aws-id", "c")
	get(t, pre.URL, map[string]string{"x-k8s-aws-id": "c"})
	p.stop(t)
	logs := p.log()
	if !strings.Contains(logs, "signature mismatch") || !strings.Contains(logs, "msg=request") {
		t.Fatalf("debug logs lack the expected lines:\n%s", logs)
	}
	for _, s := range []string{procRoot.SecretAccessKey, alice.SecretAccessKey, temp.SecretAccessKey, temp.SessionToken, url.QueryEscape(temp.SessionToken)} {
		if strings.Contains(logs, s) {
			t.Fatal("a secret or session token appears in the logs")
		}
	}
}

// awaitContinue reads the server's "100 Continue" interim response to a
// request sent with "Expect: 100-continue": Go's server sends it when the
// handler first reads the body, so after it the request is certainly in
// flight.
func awaitContinue(t *testing.T, conn net.Conn) {
	t.Helper()
	awaitContinueReader(t, bufio.NewReader(conn))
}

func awaitContinueReader(t *testing.T, r *bufio.Reader) {
	t.Helper()
	type result struct {
		line string
		err  error
	}
	got := make(chan result, 1)
	go func() {
		line, err := r.ReadString('\n')
		if err == nil {
			var blank string
			blank, err = r.ReadString('\n')
			if err == nil && blank != "\r\n" {
				err = fmt.Errorf("after %q: %q, want an empty line", line, blank)
			}
		}
		got <- result{line, err}
	}()
	select {
	case res := <-got:
		if res.err != nil || res.line != "HTTP/1.1 100 Continue\r\n" {
			t.Fatalf("waiting for 100 Continue: %q, %v", res.line, res.err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no 100 Continue within 10 s")
	}
}
