package api_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/opensts/opensts/node"
	"github.com/opensts/opensts/sigv4"
)

// hostileBodies are unsigned request bodies of at most the body limit built
// to make decoding or auditing expensive. Each is an Action OpenSTS audits
// even when refused (GetSessionToken), so the audit path runs too.
func hostileBodies() map[string]string {
	const limit = 1 << 20
	fill := func(prefix string, unit func(i int) string) string {
		var b strings.Builder
		b.WriteString(prefix)
		for i := 0; ; i++ {
			u := unit(i)
			if b.Len()+len(u) > limit {
				return b.String()
			}
			b.WriteString(u)
		}
	}
	base := "Action=GetSessionToken&Version=2011-06-15"
	return map[string]string{
		// One name of tens of thousands of list segments.
		"deep name": base + "&" + strings.Repeat("A.member.1000.", (limit-len(base)-8)/14) + "A=x",
		// The same, small: 14 KB.
		"deep name 14KB": base + "&" + strings.Repeat("A.member.1000.", 1000) + "A=x",
		// As many parameters as fit, each a list element at the last index.
		"many sparse lists": fill(base, func(i int) string { return fmt.Sprintf("&L%d.member.1000=x", i) }),
		// The largest number of parameters accepted, each nested as deep as
		// accepted and at the last index of every list.
		"deep sparse lists within bounds": fill(base, func(i int) string {
			if i >= 4000 {
				return strings.Repeat("x", limit) // stop
			}
			return fmt.Sprintf("&L%d.member.1000.M.member.1000.N=x", i)
		}),
		// Many distinct short names.
		"many names": fill(base, func(i int) string { return fmt.Sprintf("&n%d=", i) }),
	}
}

// TestHostile_UnauthenticatedCostIsBounded: no unsigned request within the
// body limit costs more than a fixed amount of memory before it is refused,
// with the audit trail on (refused issuance requests are audited), and the
// audit record it leaves is bounded too.
func TestHostile_UnauthenticatedCostIsBounded(t *testing.T) {
	h := newHarness(t, withAudit)
	// The body, read and decoded, and a bounded audit record: a few times
	// the body limit, whatever the body holds.
	const maxAlloc = 12 << 20
	bodies := hostileBodies()
	refused := 0 // after decoding, so audited as the action they name
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			w := httptest.NewRecorder()
			var m0, m1 runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&m0)
			h.node.Handler.ServeHTTP(w, r)
			runtime.ReadMemStats(&m1)
			switch code := between(w.Body.String(), "Code"); code {
			case "MissingAuthenticationToken":
				refused++
			case "MalformedInput": // beyond the parameter bound: no action decoded
			default:
				t.Fatalf("%d %.300s", w.Code, w.Body.String())
			}
			if alloc := m1.TotalAlloc - m0.TotalAlloc; alloc > maxAlloc {
				t.Fatalf("refusing a %d-byte body allocated %d MiB (bound %d MiB)", len(body), alloc>>20, maxAlloc>>20)
			}
		})
	}
	// Every refusal is audited, each in a bounded record.
	if err := h.node.Audit.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(h.node.DataDir(), "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if len(lines) != refused || refused == 0 {
		t.Fatalf("%d audit records for %d refused GetSessionToken requests", len(lines), refused)
	}
	for _, l := range lines {
		if len(l) > 256<<10 {
			t.Fatalf("an audit record of %d bytes", len(l))
		}
	}
}

// BenchmarkHostileUnauthenticated measures the cost of refusing each hostile
// body (docs/benchmarks.md states the bound): allocated bytes per request
// are the figure that matters, and they stay near a few times the body.
func BenchmarkHostileUnauthenticated(b *testing.B) {
	h := newHarness(b, withAudit)
	for name, body := range hostileBodies() {
		b.Run(strings.ReplaceAll(name, " ", "_"), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
				r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				h.node.Handler.ServeHTTP(httptest.NewRecorder(), r)
			}
		})
	}
}

// TestHostile_RepeatedParameterReplay: a signed request naming a parameter
// twice is refused, so its canonical form (which sorts the repeats) cannot be
// replayed reordered to change which value counts.
func TestHostile_RepeatedParameterReplay(t *testing.T) {
	h := newHarness(t)
	for _, order := range []string{"Name=alice&Name=zed", "Name=zed&Name=alice"} {
		q := "Action=GetFederationToken&Version=2011-06-15&" + order
		// In the query: the signature covers the sorted query, whatever
		// its order.
		r, err := http.NewRequest(http.MethodGet, h.srv.URL+"/?"+q, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := sigv4.Sign(r, nil, rootKeyID, rootSecret, "", "us-east-1", "sts", h.clock.Now()); err != nil {
			t.Fatal(err)
		}
		wantError(t, h.roundTrip(r), 400, "MalformedInput", "The parameter Name appears more than once.")
		// In a signed body.
		wantError(t, h.send(root, http.MethodPost, q, nil, "sts"), 400, "MalformedInput", "The parameter Name appears more than once.")
	}
	// Once is fine.
	r := h.send(root, http.MethodPost, "Action=GetFederationToken&Version=2011-06-15&Name=alice", nil, "sts")
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
}

// TestHostile_TooManyParameters: beyond maxParams the request is refused
// before it is authenticated.
func TestHostile_TooManyParameters(t *testing.T) {
	h := newHarness(t)
	v := sts("GetSessionToken")
	for i := range 4100 {
		v.Set(fmt.Sprint("p", i), "")
	}
	wantError(t, h.send(creds{}, http.MethodPost, v.Encode(), nil, "sts"), 400, "MalformedInput", "The request has more than 4096 parameters.")
}

// TestHostile_SlowBodiesHoldNoSlot: clients that send their headers and then
// trickle their bodies do not take the --max-concurrent slots, so requests
// from other clients (here from another loopback address) keep being
// answered during such a flood.
func TestHostile_SlowBodiesHoldNoSlot(t *testing.T) {
	const slots = 4
	h := newHarness(t, func(c *node.Config) { c.MaxConcurrent = slots })
	addr := strings.TrimPrefix(h.srv.URL, "http://")
	// 8× as many slow clients as slots, each having sent part of its body.
	for i := range 8 * slots {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		fmt.Fprintf(conn, "POST / HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\nAction=GetSessionToken&Version=2011-06-15&N%d=", addr, i)
	}
	// The slow clients' handlers are running (reading their bodies) well
	// within this; a request that found the slots taken would be answered
	// 503 at once.
	time.Sleep(200 * time.Millisecond)

	other := &http.Client{Transport: &http.Transport{DialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}}).DialContext}}
	defer other.CloseIdleConnections()
	for i := range 2 * slots {
		body := sts("GetCallerIdentity").Encode()
		r, err := http.NewRequest(http.MethodPost, h.srv.URL+"/", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if err := sigv4.Sign(r, []byte(body), rootKeyID, rootSecret, "", "us-east-1", "sts", h.clock.Now()); err != nil {
			t.Fatal(err)
		}
		resp, err := other.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		status, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("request %d from 127.0.0.2 during the flood: %d %s", i, resp.StatusCode, status)
		}
	}
}

// TestHostile_ClientGone: a request whose context is done (its client went
// away, or the write timeout passed) stops and is answered
// ServiceUnavailable, never an internal failure.
func TestHostile_ClientGone(t *testing.T) {
	h := newHarness(t)
	body := iamForm("ListUsers").Encode()
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if err := sigv4.Sign(r, []byte(body), rootKeyID, rootSecret, "", "us-east-1", "iam", h.clock.Now()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(r.Context())
	cancel()
	w := httptest.NewRecorder()
	h.node.Handler.ServeHTTP(w, r.WithContext(ctx))
	if w.Code != http.StatusServiceUnavailable || between(w.Body.String(), "Code") != "ServiceUnavailable" {
		t.Fatalf("%d %s", w.Code, w.Body.String())
	}
}

// TestHostile_ListPastItsBound: a list member indexed past 1,000 is
// refused before anything runs, instead of the list being cut short (a
// simulation would otherwise answer for fewer actions than were asked).
func TestHostile_ListPastItsBound(t *testing.T) {
	h := newHarness(t)
	f := iamForm("SimulateCustomPolicy", "PolicyInputList.member.1", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`)
	addList(f, "ActionNames", repeatItem("s3:GetObject", 1000))
	if r := h.do(root, f); r.status != 200 {
		t.Fatalf("1000 members: status %d %s", r.status, r.body)
	}
	f.Set("ActionNames.member.1001", "s3:PutObject")
	wantError(t, h.do(root, f), 400, "MalformedInput", "The parameter ActionNames.member.1001 is past the limit of 1000 members of a list.")
}
