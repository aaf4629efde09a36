//go:build !race

package api_test

import (
	"testing"
)

// allocBudget is the most allocations one request of each kind may make
// in the handler (a replayer serves it: the request is built once, the
// answer kept by a writer that allocates nothing). The figures are
// today's (2026-12-05: 28, 29, 22 and 23) plus a little headroom:
// allocation counts are stable where timings are not, so this is the
// CI-cheap guard against a change that makes the hot path allocate more.
// Lower them as allocations are removed; never raise them without saying
// why in the commit.
var allocBudget = map[string]float64{
	"GetSessionToken":                  31,
	"GetSessionToken, audited":         32,
	"GetCallerIdentity, session":       25,
	"GetCallerIdentity, long-term key": 26,
}

func TestAllocationsPerRequest(t *testing.T) {
	measure := func(t *testing.T, h *harness, c creds, body string) float64 {
		t.Helper()
		rp := h.replayer(h.signedRequest(t, c, body), body)
		if err := rp.serve(); err != nil { // warm caches
			t.Fatal(err)
		}
		var failed error
		n := testing.AllocsPerRun(200, func() {
			if err := rp.serve(); err != nil && failed == nil {
				failed = err
			}
		})
		if failed != nil {
			t.Fatal(failed)
		}
		return n
	}
	plain, audited := newHarness(t), newHarness(t, withAudit)
	alice, aliceAudited := plain.mustUser("alice"), audited.mustUser("alice")
	got := map[string]float64{
		"GetSessionToken":                  measure(t, plain, alice, sts("GetSessionToken", "DurationSeconds", "900").Encode()),
		"GetSessionToken, audited":         measure(t, audited, aliceAudited, sts("GetSessionToken", "DurationSeconds", "900").Encode()),
		"GetCallerIdentity, session":       measure(t, plain, plain.mustSession(alice), sts("GetCallerIdentity").Encode()),
		"GetCallerIdentity, long-term key": measure(t, plain, alice, sts("GetCallerIdentity").Encode()),
	}
	for name, budget := range allocBudget {
		t.Logf("%s: %.0f allocations per request (budget %.0f)", name, got[name], budget)
		if got[name] > budget {
			t.Errorf("%s: %.0f allocations per request, over the budget of %.0f", name, got[name], budget)
		}
	}
}
