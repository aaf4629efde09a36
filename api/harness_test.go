package api_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/opensts/opensts/audit"
	"github.com/opensts/opensts/iam"
	"github.com/opensts/opensts/internal/clock"
	"github.com/opensts/opensts/node"
	"github.com/opensts/opensts/sigv4"
)

// Fixed identities make responses deterministic.
const (
	testAccount = "123456789012"
	rootKeyID   = "AKIAOPENSTSROOTKEY01"
	rootSecret  = "openstsRootSecretKeyForTestsOnly/0123456"
)

// harness is a node with a fake clock and predictable request ids, driven
// with raw HTTP so every byte of the protocol is visible.
type harness struct {
	t     testing.TB
	node  *node.Node
	srv   *httptest.Server
	clock *clock.Fake
	seq   atomic.Int64
}

// withAudit turns the audit trail on, as opensts server does by default.
func withAudit(c *node.Config) { c.Audit = audit.Config{Path: filepath.Join(c.DataDir, "audit.jsonl")} }

func newHarness(t testing.TB, opts ...func(*node.Config)) *harness {
	t.Helper()
	h := &harness{t: t, clock: clock.NewFake(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))}
	cfg := node.Config{
		DataDir:   t.TempDir(),
		Now:       h.clock.Now,
		Root:      iam.RootCredentials{AccountID: testAccount, AccessKeyID: rootKeyID, SecretAccessKey: rootSecret},
		RequestID: func() string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", h.seq.Add(1)) },
	}
	for _, o := range opts {
		o(&cfg)
	}
	n, err := node.Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("open node: %v", err)
	}
	h.node = n
	h.srv = httptest.NewServer(n.Handler)
	t.Cleanup(func() {
		h.srv.Close()
		n.Close()
	})
	return h
}

// creds is one set of credentials for signing.
type creds struct{ id, secret, token string }

var root = creds{id: rootKeyID, secret: rootSecret}

// response is a raw HTTP response.
type response struct {
	status int
	header http.Header
	body   string
}

// do sends a form POST signed with c at the harness clock, for the service
// its Version names.
func (h *harness) do(c creds, form url.Values) response {
	h.t.Helper()
	service := "sts"
	if form.Get("Version") == "2010-05-08" {
		service = "iam"
	}
	return h.send(c, http.MethodPost, form.Encode(), nil, service)
}

// send builds, signs (unless c.id is empty) and sends one request.
func (h *harness) send(c creds, method, body string, header http.Header, service string) response {
	h.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r, err := http.NewRequest(method, h.srv.URL+"/", rd)
	if err != nil {
		h.t.Fatal(err)
	}
	if body != "" {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	}
	for k, vs := range header {
		r.Header[k] = vs
	}
	if c.id != "" {
		if err := sigv4.Sign(r, []byte(body), c.id, c.secret, c.token, "us-east-1", service, h.clock.Now()); err != nil {
			h.t.Fatal(err)
		}
	}
	return h.roundTrip(r)
}

func (h *harness) roundTrip(r *http.Request) response {
	h.t.Helper()
	resp, err := h.srv.Client().Do(r)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

func sts(action string, kv ...string) url.Values {
	v := url.Values{"Action": {action}, "Version": {"2011-06-15"}}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}

func iamForm(action string, kv ...string) url.Values {
	v := sts(action, kv...)
	v.Set("Version", "2010-05-08")
	return v
}

// between returns the text of the first <name>…</name>.
func between(body, name string) string {
	_, rest, ok := strings.Cut(body, "<"+name+">")
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, "</"+name+">")
	return v
}

// wantError checks status, code and (unless empty) message of an XML error.
func wantError(t *testing.T, r response, status int, code, message string) {
	t.Helper()
	if r.status != status || between(r.body, "Code") != code {
		t.Fatalf("got %d %s, want %d %s:\n%s", r.status, between(r.body, "Code"), status, code, r.body)
	}
	if message != "" && between(r.body, "Message") != xmlEscape(message) {
		t.Fatalf("message %q, want %q", between(r.body, "Message"), message)
	}
	if r.header.Get("x-amzn-RequestId") == "" || between(r.body, "RequestId") != r.header.Get("x-amzn-RequestId") {
		t.Fatalf("request id header %q and body %q differ", r.header.Get("x-amzn-RequestId"), between(r.body, "RequestId"))
	}
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\"", "&quot;").Replace(s)
}

// mustUser creates a user with a key as root and returns the key.
func (h *harness) mustUser(name string) creds {
	h.t.Helper()
	if r := h.do(root, iamForm("CreateUser", "UserName", name)); r.status != 200 {
		h.t.Fatalf("CreateUser: %s", r.body)
	}
	r := h.do(root, iamForm("CreateAccessKey", "UserName", name))
	if r.status != 200 {
		h.t.Fatalf("CreateAccessKey: %s", r.body)
	}
	return creds{id: between(r.body, "AccessKeyId"), secret: between(r.body, "SecretAccessKey")}
}

// mustSession returns GetSessionToken credentials for c.
func (h *harness) mustSession(c creds, kv ...string) creds {
	h.t.Helper()
	r := h.do(c, sts("GetSessionToken", kv...))
	if r.status != 200 {
		h.t.Fatalf("GetSessionToken: %s", r.body)
	}
	return creds{id: between(r.body, "AccessKeyId"), secret: between(r.body, "SecretAccessKey"), token: between(r.body, "SessionToken")}
}
