package storetest

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opensts/opensts"
)

var samlProviderTests = []test{
	{"CreateGet", testSAMLProviderCreateGet},
	{"CreateDuplicate", testSAMLProviderCreateDuplicate},
	{"CreateLimit", testSAMLProviderCreateLimit},
	{"CreateUnknownAccount", testSAMLProviderCreateUnknownAccount},
	{"GetNotFound", testSAMLProviderGetNotFound},
	{"List", testSAMLProviderList},
	{"Update", testSAMLProviderUpdate},
	{"UpdateAbort", testSAMLProviderUpdateAbort},
	{"UpdateConcurrent", testSAMLProviderUpdateConcurrent},
	{"Delete", testSAMLProviderDelete},
}

func newSAMLProvider(name string) opensts.SAMLProvider {
	return opensts.SAMLProvider{
		AccountID:        acctID,
		ID:               opensts.NewID(opensts.PrefixSAMLProvider, 17),
		UUID:             "6f6c5d0b-94cb-4f3c-9c1e-" + strings.ToLower(opensts.NewID("", 12)),
		Name:             name,
		MetadataDocument: `<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.com/` + name + `"/>`,
		EntityID:         "https://idp.example.com/" + name,
		ValidUntil:       at(5).AddDate(100, 0, 0),
		CreatedAt:        at(5),
	}
}

func mustSAMLProvider(t testing.TB, s opensts.Store, name string) opensts.SAMLProvider {
	t.Helper()
	p := newSAMLProvider(name)
	must(t, "CreateSAMLProvider "+name, s.CreateSAMLProvider(t.Context(), p, noLimit))
	return p
}

// testSAMLProviderCreateGet: every field round-trips, times given in
// another zone come back in UTC, and a large document is kept whole.
func testSAMLProviderCreateGet(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	p := newSAMLProvider("Okta_prod.1-ü")
	p.MetadataDocument = "<EntityDescriptor>" + strings.Repeat("é\n", 1_000_000) + "</EntityDescriptor>"
	p.Tags = []opensts.Tag{{Key: "Team", Value: "platform"}, {Key: "empty", Value: ""}}
	zone := time.FixedZone("UTC+5", 5*3600)
	p.CreatedAt = at(7).In(zone)
	p.ValidUntil = time.Date(2031, 2, 3, 4, 5, 6, 789000000, zone)
	must(t, "CreateSAMLProvider", s.CreateSAMLProvider(ctx, p, noLimit))
	want := p
	want.CreatedAt, want.ValidUntil = p.CreatedAt.UTC(), p.ValidUntil.UTC()
	got, err := s.GetSAMLProvider(ctx, acctID, p.Name)
	must(t, "GetSAMLProvider", err)
	diff(t, "GetSAMLProvider", want, got)
	got, err = s.GetSAMLProviderByID(ctx, acctID, p.ID)
	must(t, "GetSAMLProviderByID", err)
	diff(t, "GetSAMLProviderByID", want, got)
	if got.ARN() != "arn:aws:iam::"+acctID+":saml-provider/Okta_prod.1-ü" {
		t.Errorf("ARN = %s", got.ARN())
	}
	bare := mustSAMLProvider(t, s, "bare")
	got, err = s.GetSAMLProvider(ctx, acctID, bare.Name)
	must(t, "GetSAMLProvider bare", err)
	diff(t, "GetSAMLProvider bare", bare, got)
}

// testSAMLProviderCreateDuplicate: names are unique per account without
// case; a lookup in any case finds the provider under its own spelling.
func testSAMLProviderCreateDuplicate(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	p := mustSAMLProvider(t, s, "Okta")
	wantErr(t, "CreateSAMLProvider with a taken name", s.CreateSAMLProvider(ctx, newSAMLProvider("Okta"), noLimit), opensts.ErrAlreadyExists)
	wantErr(t, "CreateSAMLProvider with the name in another case", s.CreateSAMLProvider(ctx, newSAMLProvider("OKTA"), noLimit), opensts.ErrAlreadyExists)
	dupID := newSAMLProvider("other")
	dupID.ID = p.ID
	wantErr(t, "CreateSAMLProvider with a taken id", s.CreateSAMLProvider(ctx, dupID, noLimit), opensts.ErrAlreadyExists)
	got, err := s.GetSAMLProvider(ctx, acctID, "oKTA")
	must(t, "GetSAMLProvider in another case", err)
	diff(t, "GetSAMLProvider in another case", p, got)
}

func testSAMLProviderCreateLimit(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	wantErr(t, "CreateSAMLProvider with maxProviders 0", s.CreateSAMLProvider(ctx, newSAMLProvider("zero"), 0), opensts.ErrLimitExceeded)
	const n, limit = 8, 2
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		p := newSAMLProvider(fmt.Sprintf("p%d", i))
		wg.Go(func() {
			<-start
			errs[i] = s.CreateSAMLProvider(ctx, p, limit)
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
		wantErr(t, "concurrent CreateSAMLProvider", err, opensts.ErrLimitExceeded)
	}
	if won != limit {
		t.Errorf("concurrent CreateSAMLProvider: %d succeeded, want %d", won, limit)
	}
	list, err := s.ListSAMLProviders(ctx, acctID)
	must(t, "ListSAMLProviders", err)
	if len(list) != limit {
		t.Errorf("ListSAMLProviders after the race: %d providers, want %d", len(list), limit)
	}
}

func testSAMLProviderCreateUnknownAccount(t *testing.T, s opensts.Store) {
	mustAccount(t, s)
	p := newSAMLProvider("Okta")
	p.AccountID = "210987654321"
	wantErr(t, "CreateSAMLProvider in an unknown account", s.CreateSAMLProvider(t.Context(), p, noLimit), opensts.ErrNotFound)
}

func testSAMLProviderGetNotFound(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	p := mustSAMLProvider(t, s, "Okta")
	for name, get := range map[string]func() error{
		"unknown name":          func() error { _, err := s.GetSAMLProvider(ctx, acctID, "Other"); return err },
		"unknown id":            func() error { _, err := s.GetSAMLProviderByID(ctx, acctID, "SAMPUNKNOWNUNKNOWNX"); return err },
		"other account by name": func() error { _, err := s.GetSAMLProvider(ctx, "210987654321", p.Name); return err },
		"other account by id":   func() error { _, err := s.GetSAMLProviderByID(ctx, "210987654321", p.ID); return err },
		"NUL in the name":       func() error { _, err := s.GetSAMLProvider(ctx, acctID, p.Name+"\x00"); return err },
		"invalid UTF-8 in name": func() error { _, err := s.GetSAMLProvider(ctx, acctID, p.Name+"\xff"); return err },
	} {
		wantErr(t, "get: "+name, get(), opensts.ErrNotFound)
	}
}

// testSAMLProviderList: by name without case, only the account's.
func testSAMLProviderList(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	list, err := s.ListSAMLProviders(ctx, acctID)
	must(t, "ListSAMLProviders of none", err)
	if len(list) != 0 {
		t.Errorf("ListSAMLProviders of none = %v", list)
	}
	var want []opensts.SAMLProvider
	for _, n := range []string{"b", "C", "a_z", "A"} {
		want = append(want, mustSAMLProvider(t, s, n))
	}
	list, err = s.ListSAMLProviders(ctx, acctID)
	must(t, "ListSAMLProviders", err)
	var names []string
	for _, p := range list {
		names = append(names, p.Name)
	}
	if got, w := strings.Join(names, " "), "A a_z b C"; got != w {
		t.Errorf("ListSAMLProviders order:\n got %s\nwant %s", got, w)
	}
	if len(list) == len(want) {
		diff(t, "listed provider", want[2], list[1])
	}
	other, err := s.ListSAMLProviders(ctx, "210987654321")
	must(t, "ListSAMLProviders of another account", err)
	if len(other) != 0 {
		t.Errorf("ListSAMLProviders of another account = %v", other)
	}
}

func testSAMLProviderUpdate(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	p := mustSAMLProvider(t, s, "Okta")
	var seen opensts.SAMLProvider
	must(t, "UpdateSAMLProvider", s.UpdateSAMLProvider(ctx, acctID, p.ID, func(cur *opensts.SAMLProvider) error {
		seen = *cur
		cur.MetadataDocument = "<EntityDescriptor entityID='https://new.example.com'/>"
		cur.EntityID = "https://new.example.com"
		cur.ValidUntil = at(99)
		cur.Tags = []opensts.Tag{{Key: "k", Value: "v"}}
		cur.AccountID, cur.ID, cur.UUID, cur.Name, cur.CreatedAt = "210987654321", "SAMPCHANGED", "changed", "Moved", at(1000)
		return nil
	}))
	diff(t, "UpdateSAMLProvider: value passed to fn", p, seen)
	want := p
	want.MetadataDocument = "<EntityDescriptor entityID='https://new.example.com'/>"
	want.EntityID = "https://new.example.com"
	want.ValidUntil = at(99)
	want.Tags = []opensts.Tag{{Key: "k", Value: "v"}}
	got, err := s.GetSAMLProviderByID(ctx, acctID, p.ID)
	must(t, "GetSAMLProviderByID", err)
	diff(t, "updated provider", want, got)
	must(t, "UpdateSAMLProvider clearing the tags", s.UpdateSAMLProvider(ctx, acctID, p.ID, func(cur *opensts.SAMLProvider) error {
		cur.Tags = nil
		return nil
	}))
	want.Tags = nil
	got, err = s.GetSAMLProvider(ctx, acctID, p.Name)
	must(t, "GetSAMLProvider", err)
	diff(t, "provider without tags", want, got)
	wantErr(t, "UpdateSAMLProvider unknown provider", s.UpdateSAMLProvider(ctx, acctID, "SAMPUNKNOWNUNKNOWNX",
		func(*opensts.SAMLProvider) error { return nil }), opensts.ErrNotFound)
}

func testSAMLProviderUpdateAbort(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	p := mustSAMLProvider(t, s, "Okta")
	err := s.UpdateSAMLProvider(ctx, acctID, p.ID, func(cur *opensts.SAMLProvider) error {
		cur.MetadataDocument = "lost"
		return errStop
	})
	wantErr(t, "UpdateSAMLProvider returning an error", err, errStop)
	got, err := s.GetSAMLProviderByID(ctx, acctID, p.ID)
	must(t, "GetSAMLProviderByID", err)
	diff(t, "provider after an aborted update", p, got)
}

// testSAMLProviderUpdateConcurrent: updaters that each add one tag are
// serialized: none is lost.
func testSAMLProviderUpdateConcurrent(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	p := mustSAMLProvider(t, s, "Okta")
	const n = 8
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		key := fmt.Sprintf("tag-%d", i)
		wg.Go(func() {
			<-start
			errs[i] = s.UpdateSAMLProvider(ctx, acctID, p.ID, func(cur *opensts.SAMLProvider) error {
				cur.Tags = append(cur.Tags, opensts.Tag{Key: key})
				return nil
			})
		})
	}
	close(start)
	wg.Wait()
	for _, err := range errs {
		must(t, "concurrent UpdateSAMLProvider", err)
	}
	got, err := s.GetSAMLProviderByID(ctx, acctID, p.ID)
	must(t, "GetSAMLProviderByID", err)
	if len(got.Tags) != n {
		t.Errorf("tags after %d concurrent additions: %v", n, got.Tags)
	}
}

// testSAMLProviderDelete: a deleted provider is gone, its name free again.
func testSAMLProviderDelete(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	p := mustSAMLProvider(t, s, "Okta")
	wantErr(t, "DeleteSAMLProvider in another account", s.DeleteSAMLProvider(ctx, "210987654321", p.ID), opensts.ErrNotFound)
	must(t, "DeleteSAMLProvider", s.DeleteSAMLProvider(ctx, acctID, p.ID))
	_, err := s.GetSAMLProvider(ctx, acctID, p.Name)
	wantErr(t, "GetSAMLProvider after delete", err, opensts.ErrNotFound)
	wantErr(t, "DeleteSAMLProvider twice", s.DeleteSAMLProvider(ctx, acctID, p.ID), opensts.ErrNotFound)
	again := mustSAMLProvider(t, s, "OKTA")
	if again.ID == p.ID {
		t.Fatal("fixture ids repeat")
	}
	got, err := s.GetSAMLProvider(ctx, acctID, p.Name)
	must(t, "GetSAMLProvider of the new provider", err)
	diff(t, "provider created again", again, got)
}
