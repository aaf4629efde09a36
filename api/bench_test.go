package api_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opensts/opensts/sigv4"
)

// signedRequest builds a form POST signed with c at the harness clock.
func (h *harness) signedRequest(tb testing.TB, c creds, body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "http://sts.example.test/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	if err := sigv4.Sign(r, []byte(body), c.id, c.secret, c.token, "us-east-1", "sts", h.clock.Now()); err != nil {
		tb.Fatal(err)
	}
	return r
}

// A replayer serves one signed request through the handler again and
// again. The request is built once and its body rewound before each
// serving, and the answer goes to a writer that keeps only its status, so
// what a benchmark or the allocation guard counts is the handler's own
// work: a real server adds net/http's request parsing and response
// writing, which bench/load measures beside a bare handler. The server
// only reads a request's headers, so replayers may share signed's.
type replayer struct {
	h    *harness
	r    *http.Request
	body *strings.Reader
	w    statusWriter
}

func (h *harness) replayer(signed *http.Request, body string) *replayer {
	rp := &replayer{h: h, body: strings.NewReader(body), w: statusWriter{header: http.Header{}}}
	rp.r = signed.Clone(signed.Context())
	rp.r.Body = io.NopCloser(rp.body)
	rp.r.ContentLength = int64(len(body))
	rp.r.RemoteAddr = "192.0.2.1:1234"
	return rp
}

// serve serves the request once more and refuses any answer but 200.
func (rp *replayer) serve() error {
	rp.body.Seek(0, io.SeekStart)
	clear(rp.w.header)
	rp.w.code, rp.w.body = 0, rp.w.body[:0]
	rp.h.node.Handler.ServeHTTP(&rp.w, rp.r)
	if rp.w.code != http.StatusOK {
		return fmt.Errorf("status %d: %s", rp.w.code, rp.w.body)
	}
	return nil
}

// statusWriter is a ResponseWriter keeping the status and, for the error
// message of a failed serving, the body.
type statusWriter struct {
	header http.Header
	code   int
	body   []byte
}

func (w *statusWriter) Header() http.Header { return w.header }

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	w.body = append(w.body, b...)
	return len(b), nil
}

// serve serves a signed request once through the handler and refuses any
// answer but 200.
func (h *harness) serve(signed *http.Request, body string) error {
	return h.replayer(signed, body).serve()
}

// benchGetSessionToken runs GetSessionToken for a user in parallel.
func benchGetSessionToken(b *testing.B, h *harness) {
	alice := h.mustUser("alice")
	body := sts("GetSessionToken", "DurationSeconds", "900").Encode()
	signed := h.signedRequest(b, alice, body)
	benchServe(b, h, signed, body)
}

// BenchmarkGetSessionToken is one full GetSessionToken through the handler:
// decode, SigV4 verification with a key from SQLite, token sealing, XML.
func BenchmarkGetSessionToken(b *testing.B) {
	h := newHarness(b)
	benchGetSessionToken(b, h)
}

// BenchmarkGetSessionTokenAudited is the same with the audit trail on, as
// opensts server runs by default.
func BenchmarkGetSessionTokenAudited(b *testing.B) {
	h := newHarness(b, withAudit)
	benchGetSessionToken(b, h)
}

// BenchmarkGetCallerIdentitySession verifies a request signed with
// temporary credentials: token opening, source-key check, signature.
func BenchmarkGetCallerIdentitySession(b *testing.B) {
	h := newHarness(b)
	temp := h.mustSession(h.mustUser("alice"))
	body := sts("GetCallerIdentity").Encode()
	benchServe(b, h, h.signedRequest(b, temp, body), body)
}

// Issuing sessions writes nothing: the store's files do not grow
// (DESIGN.md decision 1).
func TestGetSessionToken_WritesNothing(t *testing.T) {
	h := newHarness(t)
	alice := h.mustUser("alice")
	dir := h.node.DataDir()
	size := func() int64 {
		var total int64
		for _, f := range []string{"opensts.db", "opensts.db-wal"} {
			if fi, err := os.Stat(filepath.Join(dir, f)); err == nil {
				total += fi.Size()
			}
		}
		return total
	}
	h.mustSession(alice) // warm up: first-use page allocations
	before := size()
	body := sts("GetSessionToken").Encode()
	for range 500 {
		w := httptest.NewRecorder()
		h.node.Handler.ServeHTTP(w, h.signedRequest(t, alice, body))
		if w.Code != 200 {
			t.Fatalf("status %d", w.Code)
		}
	}
	if after := size(); after != before {
		t.Fatalf("store files grew from %d to %d bytes while issuing 500 sessions", before, after)
	}
}

// mustRole creates, as root, a role that alice may assume, and returns its
// ARN.
func (h *harness) mustRole(name string) string {
	h.t.Helper()
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + testAccount + `:user/alice"},"Action":["sts:AssumeRole","sts:TagSession"]}]}`
	r := h.do(root, iamForm("CreateRole", "RoleName", name, "AssumeRolePolicyDocument", trust))
	if r.status != 200 {
		h.t.Fatalf("CreateRole: %s", r.body)
	}
	return between(r.body, "Arn")
}

// policy500 is a realistic session policy of about 500 characters.
const policy500 = `{"Version":"2012-10-17","Statement":[` +
	`{"Sid":"ReadReports","Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],` +
	`"Resource":["arn:aws:s3:::example-reports","arn:aws:s3:::example-reports/2026/*"]},` +
	`{"Sid":"WriteUploads","Effect":"Allow","Action":["s3:PutObject","s3:AbortMultipartUpload"],` +
	`"Resource":"arn:aws:s3:::example-uploads/${aws:userid}/*",` +
	`"Condition":{"Bool":{"aws:SecureTransport":"true"},"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}},` +
	`{"Sid":"NoDeletes","Effect":"Deny","Action":"s3:DeleteObject","Resource":"*"}]}`

// benchServe measures serving one signed request over and over, on every
// core.
func benchServe(b *testing.B, h *harness, signed *http.Request, body string) {
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		rp := h.replayer(signed, body)
		for pb.Next() {
			if err := rp.serve(); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// benchIssue runs one credential-issuing request for alice in parallel.
func benchIssue(b *testing.B, h *harness, form func(role string) string) {
	alice := h.mustUser("alice")
	body := form(h.mustRole("Deploy"))
	signed := h.signedRequest(b, alice, body)
	if err := h.serve(signed, body); err != nil {
		b.Fatal(err)
	}
	benchServe(b, h, signed, body)
}

// BenchmarkAssumeRole is AssumeRole without a session policy: role lookup,
// trust evaluation, sealing a version 2 token.
func BenchmarkAssumeRole(b *testing.B) {
	benchIssue(b, newHarness(b, withAudit), func(role string) string {
		return sts("AssumeRole", "RoleArn", role, "RoleSessionName", "bench", "DurationSeconds", "900").Encode()
	})
}

// BenchmarkAssumeRolePolicy500 carries a 500-character session policy,
// which is parsed and packed into the token.
func BenchmarkAssumeRolePolicy500(b *testing.B) {
	benchIssue(b, newHarness(b, withAudit), func(role string) string {
		return sts("AssumeRole", "RoleArn", role, "RoleSessionName", "bench", "DurationSeconds", "900", "Policy", policy500).Encode()
	})
}

// BenchmarkGetFederationTokenPolicy500 is GetFederationToken with the same
// policy, for comparison.
func BenchmarkGetFederationTokenPolicy500(b *testing.B) {
	h := newHarness(b, withAudit)
	benchIssue(b, h, func(string) string {
		h.do(root, iamForm("PutUserPolicy", "UserName", "alice", "PolicyName", "fed",
			"PolicyDocument", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:GetFederationToken","Resource":"*"}]}`))
		return sts("GetFederationToken", "Name", "bench", "DurationSeconds", "900", "Policy", policy500).Encode()
	})
}

// Assuming a role writes nothing either (DESIGN.md decision 1).
func TestAssumeRole_WritesNothing(t *testing.T) {
	h := newHarness(t)
	alice := h.mustUser("alice")
	role := h.mustRole("Deploy")
	dir := h.node.DataDir()
	size := func() int64 {
		var total int64
		for _, f := range []string{"opensts.db", "opensts.db-wal"} {
			if fi, err := os.Stat(filepath.Join(dir, f)); err == nil {
				total += fi.Size()
			}
		}
		return total
	}
	body := sts("AssumeRole", "RoleArn", role, "RoleSessionName", "s1", "Tags.member.1.Key", "team", "Tags.member.1.Value", "blue").Encode()
	h.serve(h.signedRequest(t, alice, body), body) // warm up
	before := size()
	for range 300 {
		if err := h.serve(h.signedRequest(t, alice, body), body); err != nil {
			t.Fatal(err)
		}
	}
	if after := size(); after != before {
		t.Fatalf("store files grew from %d to %d bytes while assuming a role 300 times", before, after)
	}
}

// AssumeRole decides sts:AssumeRole and sts:TagSession against one read of
// the caller's policies, not one read per action.
func TestAssumeRole_ReadsCallerPoliciesOnce(t *testing.T) {
	h := newHarness(t)
	alice := h.mustUser("alice")
	role := h.mustRole("Deploy")
	before := h.storeOps("IdentityPolicies")
	r := h.do(alice, sts("AssumeRole", "RoleArn", role, "RoleSessionName", "s1", "Tags.member.1.Key", "team", "Tags.member.1.Value", "blue"))
	if r.status != 200 {
		t.Fatalf("AssumeRole: %d %s", r.status, r.body)
	}
	if n := h.storeOps("IdentityPolicies") - before; n != 1 {
		t.Fatalf("%d reads of the caller's policies for AssumeRole with tags, want 1", n)
	}
}
