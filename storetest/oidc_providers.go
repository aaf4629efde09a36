package storetest

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/opensts/opensts"
)

var oidcProviderTests = []test{
	{"CreateGet", testOIDCProviderCreateGet},
	{"CreateDuplicate", testOIDCProviderCreateDuplicate},
	{"CreateLimit", testOIDCProviderCreateLimit},
	{"CreateUnknownAccount", testOIDCProviderCreateUnknownAccount},
	{"GetNotFound", testOIDCProviderGetNotFound},
	{"List", testOIDCProviderList},
	{"Update", testOIDCProviderUpdate},
	{"UpdateAbort", testOIDCProviderUpdateAbort},
	{"UpdateConcurrent", testOIDCProviderUpdateConcurrent},
	{"Delete", testOIDCProviderDelete},
}

func newOIDCProvider(url string) opensts.OIDCProvider {
	return opensts.OIDCProvider{
		AccountID: acctID,
		ID:        opensts.NewID(opensts.PrefixOIDCProvider, 17),
		URL:       url,
		CreatedAt: at(5),
	}
}

func mustOIDCProvider(t testing.TB, s opensts.Store, url string) opensts.OIDCProvider {
	t.Helper()
	p := newOIDCProvider(url)
	must(t, "CreateOIDCProvider "+url, s.CreateOIDCProvider(t.Context(), p, noLimit))
	return p
}

// testOIDCProviderCreateGet: every field round-trips, lists in their order.
func testOIDCProviderCreateGet(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	p := newOIDCProvider("https://oidc.example.com/id/ABC")
	p.ClientIDs = []string{"sts.amazonaws.com", "app-ü", "a"}
	p.Thumbprints = []string{"9e99a48a9960b14926bb7f3b02e22da2b0ab7280", "0000000000000000000000000000000000000000"}
	p.Tags = []opensts.Tag{{Key: "Team", Value: "platform"}, {Key: "empty", Value: ""}}
	must(t, "CreateOIDCProvider", s.CreateOIDCProvider(ctx, p, noLimit))
	got, err := s.GetOIDCProvider(ctx, acctID, p.URL)
	must(t, "GetOIDCProvider", err)
	diff(t, "GetOIDCProvider", p, got)
	got, err = s.GetOIDCProviderByID(ctx, acctID, p.ID)
	must(t, "GetOIDCProviderByID", err)
	diff(t, "GetOIDCProviderByID", p, got)
	if got.ARN() != "arn:aws:iam::"+acctID+":oidc-provider/oidc.example.com/id/ABC" {
		t.Errorf("ARN = %s", got.ARN())
	}
	// A provider without lists or tags comes back with none.
	bare := mustOIDCProvider(t, s, "https://bare.example.com")
	got, err = s.GetOIDCProvider(ctx, acctID, bare.URL)
	must(t, "GetOIDCProvider bare", err)
	diff(t, "GetOIDCProvider bare", bare, got)
}

// testOIDCProviderCreateDuplicate: URLs are unique per account, compared
// exactly (case included).
func testOIDCProviderCreateDuplicate(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	p := mustOIDCProvider(t, s, "https://oidc.example.com")
	wantErr(t, "CreateOIDCProvider with a taken URL", s.CreateOIDCProvider(ctx, newOIDCProvider(p.URL), noLimit), opensts.ErrAlreadyExists)
	dupID := newOIDCProvider("https://other.example.com")
	dupID.ID = p.ID
	wantErr(t, "CreateOIDCProvider with a taken id", s.CreateOIDCProvider(ctx, dupID, noLimit), opensts.ErrAlreadyExists)
	must(t, "CreateOIDCProvider with the URL in another case", s.CreateOIDCProvider(ctx, newOIDCProvider("https://OIDC.example.com"), noLimit))
	_, err := s.GetOIDCProvider(ctx, acctID, "https://oidc.EXAMPLE.com")
	wantErr(t, "GetOIDCProvider in a third case", err, opensts.ErrNotFound)
}

func testOIDCProviderCreateLimit(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	wantErr(t, "CreateOIDCProvider with maxProviders 0", s.CreateOIDCProvider(ctx, newOIDCProvider("https://zero.example.com"), 0), opensts.ErrLimitExceeded)
	const n, limit = 8, 2
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		p := newOIDCProvider(fmt.Sprintf("https://p%d.example.com", i))
		wg.Go(func() {
			<-start
			errs[i] = s.CreateOIDCProvider(ctx, p, limit)
		})
	}
	close(start)
	wg.Wait()
	won := 0
	for _, err := range errs {
		if err == nil {
			won++
			continue
		}
		wantErr(t, "concurrent CreateOIDCProvider", err, opensts.ErrLimitExceeded)
	}
	if won != limit {
		t.Errorf("concurrent CreateOIDCProvider: %d succeeded, want %d", won, limit)
	}
	list, err := s.ListOIDCProviders(ctx, acctID)
	must(t, "ListOIDCProviders", err)
	if len(list) != limit {
		t.Errorf("ListOIDCProviders after the race: %d providers, want %d", len(list), limit)
	}
}

func testOIDCProviderCreateUnknownAccount(t *testing.T, s opensts.Store) {
	mustAccount(t, s)
	p := newOIDCProvider("https://oidc.example.com")
	p.AccountID = "210987654321"
	wantErr(t, "CreateOIDCProvider in an unknown account", s.CreateOIDCProvider(t.Context(), p, noLimit), opensts.ErrNotFound)
}

func testOIDCProviderGetNotFound(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	p := mustOIDCProvider(t, s, "https://oidc.example.com")
	for name, get := range map[string]func() error{
		"unknown URL":          func() error { _, err := s.GetOIDCProvider(ctx, acctID, "https://other.example.com"); return err },
		"URL with a slash":     func() error { _, err := s.GetOIDCProvider(ctx, acctID, p.URL+"/"); return err },
		"unknown id":           func() error { _, err := s.GetOIDCProviderByID(ctx, acctID, "OIDPUNKNOWNUNKNOWNX"); return err },
		"other account by URL": func() error { _, err := s.GetOIDCProvider(ctx, "210987654321", p.URL); return err },
		"other account by id":  func() error { _, err := s.GetOIDCProviderByID(ctx, "210987654321", p.ID); return err },
		"NUL in the URL":       func() error { _, err := s.GetOIDCProvider(ctx, acctID, p.URL+"\x00"); return err },
		"invalid UTF-8 in URL": func() error { _, err := s.GetOIDCProvider(ctx, acctID, p.URL+"\xff"); return err },
	} {
		wantErr(t, "get: "+name, get(), opensts.ErrNotFound)
	}
}

// testOIDCProviderList: by URL in byte order, only the account's.
func testOIDCProviderList(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	list, err := s.ListOIDCProviders(ctx, acctID)
	must(t, "ListOIDCProviders of none", err)
	if len(list) != 0 {
		t.Errorf("ListOIDCProviders of none = %v", list)
	}
	var want []opensts.OIDCProvider
	for _, u := range []string{"https://b.example.com", "https://B.example.com", "https://a.example.com/z", "https://a.example.com"} {
		want = append(want, mustOIDCProvider(t, s, u))
	}
	list, err = s.ListOIDCProviders(ctx, acctID)
	must(t, "ListOIDCProviders", err)
	var urls []string
	for _, p := range list {
		urls = append(urls, p.URL)
	}
	if got, w := strings.Join(urls, " "), "https://B.example.com https://a.example.com https://a.example.com/z https://b.example.com"; got != w {
		t.Errorf("ListOIDCProviders order:\n got %s\nwant %s", got, w)
	}
	if len(list) == len(want) {
		diff(t, "listed provider", want[2], list[2])
	}
	other, err := s.ListOIDCProviders(ctx, "210987654321")
	must(t, "ListOIDCProviders of another account", err)
	if len(other) != 0 {
		t.Errorf("ListOIDCProviders of another account = %v", other)
	}
}

func testOIDCProviderUpdate(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	p := newOIDCProvider("https://oidc.example.com")
	p.ClientIDs = []string{"a"}
	must(t, "CreateOIDCProvider", s.CreateOIDCProvider(ctx, p, noLimit))
	var seen opensts.OIDCProvider
	must(t, "UpdateOIDCProvider", s.UpdateOIDCProvider(ctx, acctID, p.ID, func(cur *opensts.OIDCProvider) error {
		seen = *cur
		cur.ClientIDs = []string{"a", "b"}
		cur.Thumbprints = []string{"9e99a48a9960b14926bb7f3b02e22da2b0ab7280"}
		cur.Tags = []opensts.Tag{{Key: "k", Value: "v"}}
		cur.AccountID, cur.ID, cur.URL, cur.CreatedAt = "210987654321", "OIDPCHANGED", "https://moved.example.com", at(1000)
		return nil
	}))
	diff(t, "UpdateOIDCProvider: value passed to fn", p, seen)
	want := p
	want.ClientIDs = []string{"a", "b"}
	want.Thumbprints = []string{"9e99a48a9960b14926bb7f3b02e22da2b0ab7280"}
	want.Tags = []opensts.Tag{{Key: "k", Value: "v"}}
	got, err := s.GetOIDCProviderByID(ctx, acctID, p.ID)
	must(t, "GetOIDCProviderByID", err)
	diff(t, "updated provider", want, got)
	must(t, "UpdateOIDCProvider clearing the lists", s.UpdateOIDCProvider(ctx, acctID, p.ID, func(cur *opensts.OIDCProvider) error {
		cur.ClientIDs, cur.Thumbprints, cur.Tags = nil, nil, nil
		return nil
	}))
	want.ClientIDs, want.Thumbprints, want.Tags = nil, nil, nil
	got, err = s.GetOIDCProvider(ctx, acctID, p.URL)
	must(t, "GetOIDCProvider", err)
	diff(t, "cleared provider", want, got)
	wantErr(t, "UpdateOIDCProvider unknown provider", s.UpdateOIDCProvider(ctx, acctID, "OIDPUNKNOWNUNKNOWNX",
		func(*opensts.OIDCProvider) error { return nil }), opensts.ErrNotFound)
}

func testOIDCProviderUpdateAbort(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	p := mustOIDCProvider(t, s, "https://oidc.example.com")
	err := s.UpdateOIDCProvider(ctx, acctID, p.ID, func(cur *opensts.OIDCProvider) error {
		cur.ClientIDs = []string{"lost"}
		return errStop
	})
	wantErr(t, "UpdateOIDCProvider returning an error", err, errStop)
	got, err := s.GetOIDCProviderByID(ctx, acctID, p.ID)
	must(t, "GetOIDCProviderByID", err)
	diff(t, "provider after an aborted update", p, got)
}

// testOIDCProviderUpdateConcurrent: updaters that each add one client id
// are serialized: none is lost.
func testOIDCProviderUpdateConcurrent(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	p := mustOIDCProvider(t, s, "https://oidc.example.com")
	const n = 8
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		id := fmt.Sprintf("client-%d", i)
		wg.Go(func() {
			<-start
			errs[i] = s.UpdateOIDCProvider(ctx, acctID, p.ID, func(cur *opensts.OIDCProvider) error {
				cur.ClientIDs = append(cur.ClientIDs, id)
				return nil
			})
		})
	}
	close(start)
	wg.Wait()
	for _, err := range errs {
		must(t, "concurrent UpdateOIDCProvider", err)
	}
	got, err := s.GetOIDCProviderByID(ctx, acctID, p.ID)
	must(t, "GetOIDCProviderByID", err)
	if len(got.ClientIDs) != n {
		t.Errorf("client ids after %d concurrent additions: %v", n, got.ClientIDs)
	}
}

// testOIDCProviderDelete: a deleted provider is gone, its URL free again.
func testOIDCProviderDelete(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	p := mustOIDCProvider(t, s, "https://oidc.example.com")
	wantErr(t, "DeleteOIDCProvider in another account", s.DeleteOIDCProvider(ctx, "210987654321", p.ID), opensts.ErrNotFound)
	must(t, "DeleteOIDCProvider", s.DeleteOIDCProvider(ctx, acctID, p.ID))
	_, err := s.GetOIDCProvider(ctx, acctID, p.URL)
	wantErr(t, "GetOIDCProvider after delete", err, opensts.ErrNotFound)
	wantErr(t, "DeleteOIDCProvider twice", s.DeleteOIDCProvider(ctx, acctID, p.ID), opensts.ErrNotFound)
	again := mustOIDCProvider(t, s, p.URL)
	if again.ID == p.ID {
		t.Fatal("fixture ids repeat")
	}
	got, err := s.GetOIDCProvider(ctx, acctID, p.URL)
	must(t, "GetOIDCProvider of the new provider", err)
	diff(t, "provider created again", again, got)
}
