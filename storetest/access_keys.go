package storetest

import (
	"sync"
	"testing"

	"github.com/opensts/opensts"
)

var accessKeyTests = []test{
	{"CreateGet", testKeyCreateGet},
	{"CreateNotFound", testKeyCreateNotFound},
	{"Root", testKeyRoot},
	{"List", testKeyList},
	{"Limit", testKeyLimit},
	{"LimitConcurrent", testKeyLimitConcurrent},
	{"Update", testKeyUpdate},
	{"UpdateImmutable", testKeyUpdateImmutable},
	{"UpdateAbort", testKeyUpdateAbort},
	{"Delete", testKeyDelete},
}

func testKeyCreateGet(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	u := mustUser(t, s, "alice")
	k := newKey(u.ID, 10)
	k.Status = opensts.AccessKeyInactive
	must(t, "CreateAccessKey", s.CreateAccessKey(ctx, k, noLimit))
	got, err := s.GetAccessKey(ctx, k.ID)
	must(t, "GetAccessKey", err)
	diff(t, "GetAccessKey", k, got)
	if got.IsRoot() {
		t.Errorf("user key: IsRoot() = true")
	}
	_, err = s.GetAccessKey(ctx, "AKIAUNKNOWNUNKNOWN")
	wantErr(t, "GetAccessKey unknown", err, opensts.ErrNotFound)

	dup := newKey(u.ID, 11)
	dup.ID = k.ID
	wantErr(t, "CreateAccessKey taken id", s.CreateAccessKey(ctx, dup, noLimit), opensts.ErrAlreadyExists)
	got, err = s.GetAccessKey(ctx, k.ID)
	must(t, "GetAccessKey", err)
	diff(t, "key after a refused duplicate", k, got)
}

func testKeyCreateNotFound(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	k := newKey("AIDAUNKNOWNUNKNOWNX", 0)
	wantErr(t, "CreateAccessKey for an unknown user", s.CreateAccessKey(ctx, k, noLimit), opensts.ErrNotFound)
	_, err := s.GetAccessKey(ctx, k.ID)
	wantErr(t, "GetAccessKey after a refused create", err, opensts.ErrNotFound)
	root := newKey("210987654321", 0)
	root.AccountID = "210987654321"
	wantErr(t, "CreateAccessKey for the root of an unknown account", s.CreateAccessKey(ctx, root, noLimit), opensts.ErrNotFound)
	u := mustUser(t, s, "alice")
	foreign := newKey(u.ID, 0)
	foreign.AccountID = "210987654321"
	wantErr(t, "CreateAccessKey for a user of another account", s.CreateAccessKey(ctx, foreign, noLimit), opensts.ErrNotFound)
}

// testKeyRoot: root keys have UserID == AccountID, need only the account,
// and count against the root's own quota.
func testKeyRoot(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s) // creates the first root key
	second := newKey(acctID, 20)
	must(t, "CreateAccessKey second root key", s.CreateAccessKey(ctx, second, 2))
	got, err := s.GetAccessKey(ctx, second.ID)
	must(t, "GetAccessKey", err)
	diff(t, "root key", second, got)
	if !got.IsRoot() {
		t.Errorf("root key: IsRoot() = false")
	}
	wantErr(t, "CreateAccessKey third root key of 2", s.CreateAccessKey(ctx, newKey(acctID, 21), 2), opensts.ErrLimitExceeded)
	keys, err := s.ListAccessKeys(ctx, acctID, acctID)
	must(t, "ListAccessKeys root", err)
	if len(keys) != 2 || keys[1].ID != second.ID {
		t.Errorf("ListAccessKeys root = %v, want the init key then %s", keys, second.ID)
	}
	// A user's keys are counted separately.
	u := mustUser(t, s, "alice")
	must(t, "CreateAccessKey user key at root's limit", s.CreateAccessKey(ctx, newKey(u.ID, 22), 2))
}

func testKeyList(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	alice, bob := mustUser(t, s, "alice"), mustUser(t, s, "bob")
	// Created out of CreatedAt order, with ids in reverse CreatedAt order.
	k2, k1, k3 := newKey(alice.ID, 200), newKey(alice.ID, 100), newKey(alice.ID, 300)
	k1.ID, k2.ID, k3.ID = "AKIAZZZZZZZZZZZZZZZZ", "AKIAMMMMMMMMMMMMMMMM", "AKIAAAAAAAAAAAAAAAAA"
	for _, k := range []opensts.AccessKey{k2, k1, k3} {
		must(t, "CreateAccessKey", s.CreateAccessKey(ctx, k, noLimit))
	}
	kb := newKey(bob.ID, 50)
	must(t, "CreateAccessKey bob", s.CreateAccessKey(ctx, kb, noLimit))

	keys, err := s.ListAccessKeys(ctx, acctID, alice.ID)
	must(t, "ListAccessKeys alice", err)
	diff(t, "keys of alice, oldest first", []opensts.AccessKey{k1, k2, k3}, keys)
	keys, err = s.ListAccessKeys(ctx, acctID, bob.ID)
	must(t, "ListAccessKeys bob", err)
	diff(t, "keys of bob", []opensts.AccessKey{kb}, keys)
	keys, err = s.ListAccessKeys(ctx, acctID, mustUser(t, s, "carol").ID)
	must(t, "ListAccessKeys carol", err)
	if len(keys) != 0 {
		t.Errorf("ListAccessKeys of a user without keys = %v", keys)
	}
	_, err = s.ListAccessKeys(ctx, acctID, "AIDAUNKNOWNUNKNOWNX")
	wantErr(t, "ListAccessKeys unknown user", err, opensts.ErrNotFound)
	_, err = s.ListAccessKeys(ctx, "210987654321", alice.ID)
	wantErr(t, "ListAccessKeys in another account", err, opensts.ErrNotFound)
}

func testKeyLimit(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	u := mustUser(t, s, "alice")
	wantErr(t, "CreateAccessKey with maxPerUser 0", s.CreateAccessKey(ctx, newKey(u.ID, 0), 0), opensts.ErrLimitExceeded)
	must(t, "CreateAccessKey 1 of 2", s.CreateAccessKey(ctx, newKey(u.ID, 1), 2))
	must(t, "CreateAccessKey 2 of 2", s.CreateAccessKey(ctx, newKey(u.ID, 2), 2))
	k3 := newKey(u.ID, 3)
	wantErr(t, "CreateAccessKey 3 of 2", s.CreateAccessKey(ctx, k3, 2), opensts.ErrLimitExceeded)
	_, err := s.GetAccessKey(ctx, k3.ID)
	wantErr(t, "GetAccessKey after a refused create", err, opensts.ErrNotFound)
}

// testKeyLimitConcurrent: ten creators race for a quota of two; the count
// and the insert are atomic, so exactly two win.
func testKeyLimitConcurrent(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	u := mustUser(t, s, "alice")
	const n, limit = 10, 2
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		k := newKey(u.ID, i)
		wg.Go(func() {
			<-start
			errs[i] = s.CreateAccessKey(ctx, k, limit)
		})
	}
	close(start)
	wg.Wait()
	won := 0
	for i, err := range errs {
		switch {
		case err == nil:
			won++
		default:
			wantErr(t, "concurrent CreateAccessKey", errs[i], opensts.ErrLimitExceeded)
		}
	}
	if won != limit {
		t.Errorf("concurrent CreateAccessKey: %d succeeded, want %d", won, limit)
	}
	keys, err := s.ListAccessKeys(ctx, acctID, u.ID)
	must(t, "ListAccessKeys", err)
	if len(keys) != limit {
		t.Errorf("ListAccessKeys after the race: %d keys, want %d", len(keys), limit)
	}
}

func testKeyUpdate(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	u := mustUser(t, s, "alice")
	k := mustKey(t, s, u.ID)
	other := mustKey(t, s, u.ID)
	var seen opensts.AccessKey
	must(t, "UpdateAccessKey", s.UpdateAccessKey(ctx, k.ID, func(cur *opensts.AccessKey) error {
		seen = *cur
		cur.Status = opensts.AccessKeyInactive
		return nil
	}))
	diff(t, "UpdateAccessKey: value passed to fn", k, seen)
	want := k
	want.Status = opensts.AccessKeyInactive
	got, err := s.GetAccessKey(ctx, k.ID)
	must(t, "GetAccessKey", err)
	diff(t, "deactivated key", want, got)

	// Resealing under a new master key replaces the sealed secret.
	must(t, "UpdateAccessKey reseal", s.UpdateAccessKey(ctx, k.ID, func(cur *opensts.AccessKey) error {
		cur.SealedSecret = sealed(9)
		cur.Status = opensts.AccessKeyActive
		return nil
	}))
	want.SealedSecret, want.Status = sealed(9), opensts.AccessKeyActive
	got, err = s.GetAccessKey(ctx, k.ID)
	must(t, "GetAccessKey", err)
	diff(t, "resealed key", want, got)

	got, err = s.GetAccessKey(ctx, other.ID)
	must(t, "GetAccessKey other", err)
	diff(t, "untouched key", other, got)

	called := false
	err = s.UpdateAccessKey(ctx, "AKIAUNKNOWNUNKNOWN", func(*opensts.AccessKey) error { called = true; return nil })
	wantErr(t, "UpdateAccessKey unknown", err, opensts.ErrNotFound)
	if called {
		t.Errorf("UpdateAccessKey unknown: fn was called")
	}
}

// testKeyUpdateImmutable: ID, AccountID, UserID and CreatedAt changes are
// ignored.
func testKeyUpdateImmutable(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	u, v := mustUser(t, s, "alice"), mustUser(t, s, "bob")
	k := mustKey(t, s, u.ID)
	must(t, "UpdateAccessKey", s.UpdateAccessKey(ctx, k.ID, func(cur *opensts.AccessKey) error {
		cur.ID = "AKIACHANGEDCHANGED"
		cur.AccountID = "210987654321"
		cur.UserID = v.ID
		cur.CreatedAt = at(9999)
		cur.Status = opensts.AccessKeyInactive
		return nil
	}))
	want := k
	want.Status = opensts.AccessKeyInactive
	got, err := s.GetAccessKey(ctx, k.ID)
	must(t, "GetAccessKey", err)
	diff(t, "key after changing immutable fields", want, got)
	_, err = s.GetAccessKey(ctx, "AKIACHANGEDCHANGED")
	wantErr(t, "GetAccessKey by the attempted new id", err, opensts.ErrNotFound)
	keys, err := s.ListAccessKeys(ctx, acctID, v.ID)
	must(t, "ListAccessKeys bob", err)
	if len(keys) != 0 {
		t.Errorf("key moved to another user: %v", keys)
	}
}

func testKeyUpdateAbort(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	k := mustKey(t, s, mustUser(t, s, "alice").ID)
	err := s.UpdateAccessKey(ctx, k.ID, func(cur *opensts.AccessKey) error {
		cur.Status = opensts.AccessKeyInactive
		return errStop
	})
	wantErr(t, "UpdateAccessKey with a failing fn", err, errStop)
	got, err := s.GetAccessKey(ctx, k.ID)
	must(t, "GetAccessKey", err)
	diff(t, "key after an aborted update", k, got)
}

func testKeyDelete(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	u := mustUser(t, s, "alice")
	k, keep := mustKey(t, s, u.ID), mustKey(t, s, u.ID)
	must(t, "DeleteAccessKey", s.DeleteAccessKey(ctx, k.ID))
	_, err := s.GetAccessKey(ctx, k.ID)
	wantErr(t, "GetAccessKey after delete", err, opensts.ErrNotFound)
	wantErr(t, "DeleteAccessKey again", s.DeleteAccessKey(ctx, k.ID), opensts.ErrNotFound)
	keys, err := s.ListAccessKeys(ctx, acctID, u.ID)
	must(t, "ListAccessKeys", err)
	diff(t, "keys after delete", []opensts.AccessKey{keep}, keys)
}
