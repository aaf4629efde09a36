package storetest

import (
	"sync"
	"testing"

	"github.com/opensts/opensts"
)

var accountTests = []test{
	{"InitDefault", testInitDefault},
	{"InitIdempotent", testInitIdempotent},
	{"InitConcurrent", testInitConcurrent},
	{"InitForeignRootKey", testInitForeignRootKey},
}

func testInitDefault(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	_, err := s.DefaultAccount(ctx)
	wantErr(t, "DefaultAccount before init", err, opensts.ErrNotFound)
	_, err = s.GetAccount(ctx, acctID)
	wantErr(t, "GetAccount before init", err, opensts.ErrNotFound)

	a, k := newAccount(acctID)
	got, created, err := s.InitDefaultAccount(ctx, a, k)
	must(t, "InitDefaultAccount", err)
	if !created {
		t.Errorf("InitDefaultAccount: created = false on an empty store")
	}
	diff(t, "InitDefaultAccount", a, got)

	got, err = s.DefaultAccount(ctx)
	must(t, "DefaultAccount", err)
	diff(t, "DefaultAccount", a, got)
	got, err = s.GetAccount(ctx, acctID)
	must(t, "GetAccount", err)
	diff(t, "GetAccount", a, got)
	_, err = s.GetAccount(ctx, "210987654321")
	wantErr(t, "GetAccount unknown", err, opensts.ErrNotFound)

	gotKey, err := s.GetAccessKey(ctx, k.ID)
	must(t, "GetAccessKey root", err)
	diff(t, "root key", k, gotKey)
	if !gotKey.IsRoot() {
		t.Errorf("root key: IsRoot() = false")
	}
	keys, err := s.ListAccessKeys(ctx, acctID, acctID)
	must(t, "ListAccessKeys root", err)
	diff(t, "root keys", []opensts.AccessKey{k}, keys)
}

func testInitIdempotent(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	first := mustAccount(t, s)
	a2, k2 := newAccount("210987654321")
	got, created, err := s.InitDefaultAccount(ctx, a2, k2)
	must(t, "second InitDefaultAccount", err)
	if created {
		t.Errorf("second InitDefaultAccount: created = true")
	}
	diff(t, "second InitDefaultAccount", first, got)
	_, err = s.GetAccount(ctx, a2.ID)
	wantErr(t, "GetAccount of the second account", err, opensts.ErrNotFound)
	_, err = s.GetAccessKey(ctx, k2.ID)
	wantErr(t, "GetAccessKey of the second root key", err, opensts.ErrNotFound)
	def, err := s.DefaultAccount(ctx)
	must(t, "DefaultAccount", err)
	diff(t, "DefaultAccount", first, def)
}

// testInitConcurrent starts several "nodes" at once: exactly one creates the
// account, and every caller gets that account back.
func testInitConcurrent(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	const n = 16
	type result struct {
		acct    opensts.Account
		key     opensts.AccessKey
		created bool
		err     error
	}
	results := make([]result, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		a, k := newAccount(opensts.NewAccountID())
		results[i].key = k
		wg.Go(func() {
			<-start
			results[i].acct, results[i].created, results[i].err = s.InitDefaultAccount(ctx, a, k)
		})
	}
	close(start)
	wg.Wait()

	var winner *result
	for i := range results {
		r := &results[i]
		if r.err != nil {
			t.Fatalf("InitDefaultAccount #%d: %v", i, r.err)
		}
		if r.created {
			if winner != nil {
				t.Fatalf("InitDefaultAccount created accounts %s and %s", winner.acct.ID, r.acct.ID)
			}
			winner = r
		}
	}
	if winner == nil {
		t.Fatalf("no InitDefaultAccount call created the account")
	}
	for i, r := range results {
		diff(t, "InitDefaultAccount result", winner.acct, r.acct)
		_, err := s.GetAccessKey(ctx, r.key.ID)
		if &results[i] == winner {
			must(t, "GetAccessKey of the winner's root key", err)
		} else {
			wantErr(t, "GetAccessKey of a loser's root key", err, opensts.ErrNotFound)
		}
	}
	def, err := s.DefaultAccount(ctx)
	must(t, "DefaultAccount", err)
	diff(t, "DefaultAccount", winner.acct, def)
}

// testInitForeignRootKey: the first root key must belong to the account's
// root (AccountID and UserID both the account id); anything else is refused
// without creating the account.
func testInitForeignRootKey(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	for _, tc := range []struct {
		name string
		edit func(*opensts.AccessKey)
	}{
		{"other account", func(k *opensts.AccessKey) { k.AccountID = "210987654321" }},
		{"IAM user", func(k *opensts.AccessKey) { k.UserID = opensts.NewID(opensts.PrefixUser, 17) }},
	} {
		a, k := newAccount(acctID)
		tc.edit(&k)
		_, _, err := s.InitDefaultAccount(ctx, a, k)
		wantErr(t, "InitDefaultAccount with a root key of "+tc.name, err, opensts.ErrInvalidInput)
		_, err = s.DefaultAccount(ctx)
		wantErr(t, "DefaultAccount after a refused init", err, opensts.ErrNotFound)
	}
}
