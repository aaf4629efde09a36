package storetest

import (
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/opensts/opensts"
)

var keyRingTests = []test{
	{"Update", testKeyRingUpdate},
	{"UpdateAbort", testKeyRingUpdateAbort},
	{"UpdateConcurrent", testKeyRingUpdateConcurrent},
}

func tokenKey(id uint32, created int) opensts.TokenKey {
	return opensts.TokenKey{ID: id, Sealed: sealed(byte(id)), CreatedAt: at(created)}
}

// testKeyRingUpdate: the ring is exactly what the last updater returned, in
// its order; fn sees the current ring.
func testKeyRingUpdate(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	keys, err := s.ListTokenKeys(ctx)
	must(t, "ListTokenKeys empty", err)
	if len(keys) != 0 {
		t.Fatalf("ListTokenKeys on an empty store = %v", keys)
	}
	first, second := tokenKey(0xfffffffe, 0), tokenKey(7, 1)
	first.Sealed = allBytes
	must(t, "UpdateTokenKeys", s.UpdateTokenKeys(ctx, func(cur []opensts.TokenKey) ([]opensts.TokenKey, error) {
		if len(cur) != 0 {
			t.Errorf("fn saw %v on an empty ring", cur)
		}
		return []opensts.TokenKey{first, second}, nil
	}))
	keys, err = s.ListTokenKeys(ctx)
	must(t, "ListTokenKeys", err)
	diff(t, "ring", []opensts.TokenKey{first, second}, keys)

	// Rotate: retire the first key, add a third, put the new key first.
	third := tokenKey(1, 2)
	retired := first
	retired.RetiredAt, retired.ExpiresAt = at(2), at(2).Add(36*time.Hour)
	must(t, "UpdateTokenKeys rotate", s.UpdateTokenKeys(ctx, func(cur []opensts.TokenKey) ([]opensts.TokenKey, error) {
		diff(t, "fn's view of the ring", []opensts.TokenKey{first, second}, cur)
		return []opensts.TokenKey{third, second, retired}, nil
	}))
	keys, err = s.ListTokenKeys(ctx)
	must(t, "ListTokenKeys", err)
	diff(t, "rotated ring", []opensts.TokenKey{third, second, retired}, keys)

	// Prune everything.
	must(t, "UpdateTokenKeys prune", s.UpdateTokenKeys(ctx, func([]opensts.TokenKey) ([]opensts.TokenKey, error) { return nil, nil }))
	keys, err = s.ListTokenKeys(ctx)
	must(t, "ListTokenKeys", err)
	if len(keys) != 0 {
		t.Errorf("ring after pruning = %v", keys)
	}
}

func testKeyRingUpdateAbort(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	k := tokenKey(1, 0)
	must(t, "UpdateTokenKeys", s.UpdateTokenKeys(ctx, func([]opensts.TokenKey) ([]opensts.TokenKey, error) {
		return []opensts.TokenKey{k}, nil
	}))
	err := s.UpdateTokenKeys(ctx, func(cur []opensts.TokenKey) ([]opensts.TokenKey, error) {
		return append(cur, tokenKey(2, 1)), errStop
	})
	wantErr(t, "UpdateTokenKeys with a failing fn", err, errStop)
	// Duplicate ids are refused as a whole.
	err = s.UpdateTokenKeys(ctx, func(cur []opensts.TokenKey) ([]opensts.TokenKey, error) {
		return []opensts.TokenKey{tokenKey(3, 2), tokenKey(3, 3)}, nil
	})
	wantErr(t, "UpdateTokenKeys with duplicate ids", err, opensts.ErrAlreadyExists)
	keys, err := s.ListTokenKeys(ctx)
	must(t, "ListTokenKeys", err)
	diff(t, "ring after refused updates", []opensts.TokenKey{k}, keys)
}

// testKeyRingUpdateConcurrent: N nodes each append one key at once;
// updaters are serialized, so no append is lost.
func testKeyRingUpdateConcurrent(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	const n = 16
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = s.UpdateTokenKeys(ctx, func(cur []opensts.TokenKey) ([]opensts.TokenKey, error) {
				return append(cur, tokenKey(uint32(i+1), i)), nil
			})
		})
	}
	close(start)
	wg.Wait()
	for _, err := range errs {
		must(t, "concurrent UpdateTokenKeys", err)
	}
	keys, err := s.ListTokenKeys(ctx)
	must(t, "ListTokenKeys", err)
	sort.Slice(keys, func(i, j int) bool { return keys[i].ID < keys[j].ID })
	var want []opensts.TokenKey
	for i := range n {
		want = append(want, tokenKey(uint32(i+1), i))
	}
	diff(t, "ring after concurrent appends", want, keys)
}
