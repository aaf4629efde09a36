package storetest

import (
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/opensts/opensts"
)

var signingKeyTests = []test{
	{"Update", testSigningKeysUpdate},
	{"UpdateAbort", testSigningKeysUpdateAbort},
	{"UpdateConcurrent", testSigningKeysUpdateConcurrent},
}

var outboundFederationTests = []test{
	{"GetSet", testOutboundFederationGetSet},
	{"UnknownAccount", testOutboundFederationUnknownAccount},
	{"SetConcurrent", testOutboundFederationSetConcurrent},
}

func signingKey(n, created int) opensts.SigningKey {
	alg := "RS256"
	if n%2 == 0 {
		alg = "ES384"
	}
	return opensts.SigningKey{
		ID: fmt.Sprintf("k%015d", n), Algorithm: alg, Sealed: sealed(byte(n)), Public: sealed(byte(n + 100)),
		CreatedAt: at(created), ActiveAt: at(created + 600),
	}
}

// testSigningKeysUpdate: the set is exactly what the last updater returned,
// in its order, every field kept; fn sees the current set.
func testSigningKeysUpdate(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	keys, err := s.ListSigningKeys(ctx)
	must(t, "ListSigningKeys empty", err)
	if len(keys) != 0 {
		t.Fatalf("ListSigningKeys on an empty store = %v", keys)
	}
	first, second := signingKey(9, 0), signingKey(2, 1)
	first.Sealed, first.Public = allBytes, allBytes[1:]
	must(t, "UpdateSigningKeys", s.UpdateSigningKeys(ctx, func(cur []opensts.SigningKey) ([]opensts.SigningKey, error) {
		if len(cur) != 0 {
			t.Errorf("fn saw %v on an empty set", cur)
		}
		return []opensts.SigningKey{first, second}, nil
	}))
	keys, err = s.ListSigningKeys(ctx)
	must(t, "ListSigningKeys", err)
	diff(t, "set", []opensts.SigningKey{first, second}, keys)

	// Rotate: a pending key first, the current one retired and expiring.
	third := signingKey(3, 2)
	retired := first
	retired.RetiredAt, retired.ExpiresAt = third.ActiveAt, third.ActiveAt.Add(65*time.Minute)
	must(t, "UpdateSigningKeys rotate", s.UpdateSigningKeys(ctx, func(cur []opensts.SigningKey) ([]opensts.SigningKey, error) {
		diff(t, "fn's view of the set", []opensts.SigningKey{first, second}, cur)
		return []opensts.SigningKey{third, second, retired}, nil
	}))
	keys, err = s.ListSigningKeys(ctx)
	must(t, "ListSigningKeys", err)
	diff(t, "rotated set", []opensts.SigningKey{third, second, retired}, keys)

	must(t, "UpdateSigningKeys prune", s.UpdateSigningKeys(ctx, func([]opensts.SigningKey) ([]opensts.SigningKey, error) { return nil, nil }))
	keys, err = s.ListSigningKeys(ctx)
	must(t, "ListSigningKeys", err)
	if len(keys) != 0 {
		t.Errorf("set after pruning = %v", keys)
	}
}

func testSigningKeysUpdateAbort(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	k := signingKey(1, 0)
	must(t, "UpdateSigningKeys", s.UpdateSigningKeys(ctx, func([]opensts.SigningKey) ([]opensts.SigningKey, error) {
		return []opensts.SigningKey{k}, nil
	}))
	err := s.UpdateSigningKeys(ctx, func(cur []opensts.SigningKey) ([]opensts.SigningKey, error) {
		return append(cur, signingKey(2, 1)), errStop
	})
	wantErr(t, "UpdateSigningKeys with a failing fn", err, errStop)
	err = s.UpdateSigningKeys(ctx, func([]opensts.SigningKey) ([]opensts.SigningKey, error) {
		return []opensts.SigningKey{signingKey(3, 2), signingKey(3, 3)}, nil
	})
	wantErr(t, "UpdateSigningKeys with duplicate ids", err, opensts.ErrAlreadyExists)
	keys, err := s.ListSigningKeys(ctx)
	must(t, "ListSigningKeys", err)
	diff(t, "set after refused updates", []opensts.SigningKey{k}, keys)
}

// testSigningKeysUpdateConcurrent: N nodes each append one key at once;
// updaters are serialized, so no append is lost.
func testSigningKeysUpdateConcurrent(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	const n = 16
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = s.UpdateSigningKeys(ctx, func(cur []opensts.SigningKey) ([]opensts.SigningKey, error) {
				return append(cur, signingKey(i+1, i)), nil
			})
		})
	}
	close(start)
	wg.Wait()
	for _, err := range errs {
		must(t, "concurrent UpdateSigningKeys", err)
	}
	keys, err := s.ListSigningKeys(ctx)
	must(t, "ListSigningKeys", err)
	sort.Slice(keys, func(i, j int) bool { return keys[i].ID < keys[j].ID })
	var want []opensts.SigningKey
	for i := range n {
		want = append(want, signingKey(i+1, i))
	}
	diff(t, "set after concurrent appends", want, keys)
}

// testOutboundFederationGetSet: an account never switched is disabled;
// Set returns the previous value and moves ChangedAt only on a change.
func testOutboundFederationGetSet(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	get := func(what string, want opensts.OutboundFederation) {
		t.Helper()
		got, err := s.GetOutboundFederation(ctx, acctID)
		must(t, "GetOutboundFederation "+what, err)
		diff(t, "outbound federation "+what, want, got)
	}
	get("of a new account", opensts.OutboundFederation{AccountID: acctID})

	steps := []struct {
		name     string
		enabled  bool
		at       int
		previous bool
		want     opensts.OutboundFederation
	}{
		{"disable a never enabled account", false, 1, false, opensts.OutboundFederation{AccountID: acctID}},
		{"enable", true, 2, false, opensts.OutboundFederation{AccountID: acctID, Enabled: true, ChangedAt: at(2)}},
		{"enable again", true, 3, true, opensts.OutboundFederation{AccountID: acctID, Enabled: true, ChangedAt: at(2)}},
		{"disable", false, 4, true, opensts.OutboundFederation{AccountID: acctID, ChangedAt: at(4)}},
		{"disable again", false, 5, false, opensts.OutboundFederation{AccountID: acctID, ChangedAt: at(4)}},
		{"enable after disabling", true, 6, false, opensts.OutboundFederation{AccountID: acctID, Enabled: true, ChangedAt: at(6)}},
	}
	for _, st := range steps {
		prev, err := s.SetOutboundFederation(ctx, acctID, st.enabled, at(st.at))
		must(t, "SetOutboundFederation "+st.name, err)
		if prev != st.previous {
			t.Errorf("SetOutboundFederation %s: previous = %v, want %v", st.name, prev, st.previous)
		}
		get("after "+st.name, st.want)
	}
}

func testOutboundFederationUnknownAccount(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	_, err := s.SetOutboundFederation(ctx, "210987654321", true, at(1))
	wantErr(t, "SetOutboundFederation of an unknown account", err, opensts.ErrNotFound)
	got, err := s.GetOutboundFederation(ctx, "210987654321")
	must(t, "GetOutboundFederation of an unknown account", err)
	diff(t, "outbound federation of an unknown account", opensts.OutboundFederation{AccountID: "210987654321"}, got)
}

// testOutboundFederationSetConcurrent: of N callers enabling at once,
// exactly one sees that federation was off.
func testOutboundFederationSetConcurrent(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	const n = 16
	var (
		wg       sync.WaitGroup
		firsts   atomic.Int32
		start    = make(chan struct{})
		failures = make([]error, n)
	)
	for i := range n {
		wg.Go(func() {
			<-start
			prev, err := s.SetOutboundFederation(ctx, acctID, true, at(i))
			failures[i] = err
			if err == nil && !prev {
				firsts.Add(1)
			}
		})
	}
	close(start)
	wg.Wait()
	for _, err := range failures {
		must(t, "concurrent SetOutboundFederation", err)
	}
	if got := firsts.Load(); got != 1 {
		t.Errorf("%d concurrent enablers saw federation off, want exactly 1", got)
	}
	got, err := s.GetOutboundFederation(ctx, acctID)
	must(t, "GetOutboundFederation", err)
	if !got.Enabled {
		t.Errorf("outbound federation after concurrent enabling = %+v", got)
	}
}
