package api_test

import (
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

// replay returns a copy of a signed request with a fresh body: the server
// sees the same signed bytes, and the benchmark measures only the server.
func replay(signed *http.Request, body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "http://sts.example.test/", strings.NewReader(body))
	r.Header = signed.Header.Clone()
	return r
}

// BenchmarkGetSessionToken is one full GetSessionToken through the handler:
// decode, SigV4 verification with a key from SQLite, token sealing, XML.
func BenchmarkGetSessionToken(b *testing.B) {
	h := newHarness(&testing.T{})
	defer h.srv.Close()
	alice := h.mustUser("alice")
	body := sts("GetSessionToken", "DurationSeconds", "900").Encode()
	b.ReportAllocs()
	b.ResetTimer()
	signed := h.signedRequest(b, alice, body)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			w := httptest.NewRecorder()
			h.node.Handler.ServeHTTP(w, replay(signed, body))
			if w.Code != 200 {
				b.Fatalf("status %d: %s", w.Code, w.Body)
			}
		}
	})
}

// BenchmarkGetSessionTokenAudited is the same with the audit trail on, as
// opensts server runs by default.
func BenchmarkGetSessionTokenAudited(b *testing.B) {
	h := newHarness(&testing.T{}, withAudit)
	defer h.srv.Close()
	alice := h.mustUser("alice")
	body := sts("GetSessionToken", "DurationSeconds", "900").Encode()
	b.ReportAllocs()
	b.ResetTimer()
	signed := h.signedRequest(b, alice, body)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			w := httptest.NewRecorder()
			h.node.Handler.ServeHTTP(w, replay(signed, body))
			if w.Code != 200 {
				b.Fatalf("status %d: %s", w.Code, w.Body)
			}
		}
	})
}

// BenchmarkGetCallerIdentitySession verifies a request signed with
// temporary credentials: token opening, source-key check, signature.
func BenchmarkGetCallerIdentitySession(b *testing.B) {
	h := newHarness(&testing.T{})
	defer h.srv.Close()
	temp := h.mustSession(h.mustUser("alice"))
	body := sts("GetCallerIdentity").Encode()
	b.ReportAllocs()
	b.ResetTimer()
	signed := h.signedRequest(b, temp, body)
	for range b.N {
		w := httptest.NewRecorder()
		h.node.Handler.ServeHTTP(w, replay(signed, body))
		if w.Code != 200 {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
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
