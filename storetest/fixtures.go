package storetest

import (
	"testing"

	"github.com/opensts/opensts"
)

// acctID is the default account of every subtest.
const acctID = "123456789012"

// allBytes is a sealed-value fixture holding every byte value, NUL and
// invalid UTF-8 included: binary fields must round-trip byte for byte.
var allBytes = func() []byte {
	b := make([]byte, 256)
	for i := range b {
		b[i] = byte(255 - i)
	}
	return b
}()

// sealed returns a distinct binary fixture.
func sealed(tag byte) []byte {
	return append([]byte{0, tag, 0xff, 0xfe, 0x80}, allBytes[:32]...)
}

func newAccount(id string) (opensts.Account, opensts.AccessKey) {
	a := opensts.Account{ID: id, CreatedAt: at(0)}
	k := opensts.AccessKey{
		ID:           opensts.NewID(opensts.PrefixAccessKey, 16),
		AccountID:    id,
		UserID:       id,
		Status:       opensts.AccessKeyActive,
		SealedSecret: sealed(1),
		CreatedAt:    at(0),
	}
	return a, k
}

// mustAccount initialises the default account acctID.
func mustAccount(t testing.TB, s opensts.Store) opensts.Account {
	t.Helper()
	a, k := newAccount(acctID)
	got, created, err := s.InitDefaultAccount(t.Context(), a, k)
	must(t, "InitDefaultAccount", err)
	if !created {
		t.Fatalf("InitDefaultAccount on an empty store: created = false")
	}
	return got
}

func newUser(name, path string) opensts.User {
	return opensts.User{
		AccountID: acctID,
		ID:        opensts.NewID(opensts.PrefixUser, 17),
		Name:      name,
		Path:      path,
		CreatedAt: at(1),
	}
}

func mustUser(t testing.TB, s opensts.Store, name string) opensts.User {
	t.Helper()
	u := newUser(name, "/")
	must(t, "CreateUser "+name, s.CreateUser(t.Context(), u, noLimit))
	return u
}

func newRole(name, path string) opensts.Role {
	return opensts.Role{
		AccountID:   acctID,
		ID:          opensts.NewID(opensts.PrefixRole, 17),
		Name:        name,
		Path:        path,
		TrustPolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acctID + `:root"},"Action":"sts:AssumeRole"}]}`,
		CreatedAt:   at(3),
	}
}

func mustRole(t testing.TB, s opensts.Store, name string) opensts.Role {
	t.Helper()
	r := newRole(name, "/")
	must(t, "CreateRole "+name, s.CreateRole(t.Context(), r, noLimit))
	return r
}

func roleOwner(r opensts.Role) opensts.Owner { return opensts.Owner{Kind: opensts.OwnerRole, ID: r.ID} }

func newGroup(name, path string) opensts.Group {
	return opensts.Group{
		AccountID: acctID,
		ID:        opensts.NewID(opensts.PrefixGroup, 17),
		Name:      name,
		Path:      path,
		CreatedAt: at(2),
	}
}

func mustGroup(t testing.TB, s opensts.Store, name string) opensts.Group {
	t.Helper()
	g := newGroup(name, "/")
	must(t, "CreateGroup "+name, s.CreateGroup(t.Context(), g, noLimit))
	return g
}

func newKey(userID string, created int) opensts.AccessKey {
	return opensts.AccessKey{
		ID:           opensts.NewID(opensts.PrefixAccessKey, 16),
		AccountID:    acctID,
		UserID:       userID,
		Status:       opensts.AccessKeyActive,
		SealedSecret: allBytes,
		CreatedAt:    at(created),
	}
}

func mustKey(t testing.TB, s opensts.Store, userID string) opensts.AccessKey {
	t.Helper()
	k := newKey(userID, 3)
	must(t, "CreateAccessKey", s.CreateAccessKey(t.Context(), k, noLimit))
	return k
}

func newVirtualDevice(name, path string) opensts.MFADevice {
	return opensts.MFADevice{
		AccountID:    acctID,
		SerialNumber: opensts.MFAARN(acctID, path, name),
		Kind:         opensts.MFAVirtual,
		Name:         name,
		Path:         path,
		SealedSeed:   sealed(2),
		CreatedAt:    at(4),
		Tags:         []opensts.Tag{{Key: "team", Value: "ops"}},
	}
}

func newPolicy(name, path string) opensts.ManagedPolicy {
	return opensts.ManagedPolicy{
		AccountID:   acctID,
		ID:          opensts.NewID(opensts.PrefixManagedPolicy, 17),
		Name:        name,
		Path:        path,
		Description: "fixture " + name,
		CreatedAt:   at(5),
		UpdatedAt:   at(5),
	}
}

// doc returns a policy document that names its origin.
func doc(sid string) string {
	return `{"Version":"2012-10-17","Statement":[{"Sid":"` + sid + `","Effect":"Allow","Action":"sts:GetCallerIdentity","Resource":"*"}]}`
}

func mustPolicy(t testing.TB, s opensts.Store, name string) opensts.ManagedPolicy {
	t.Helper()
	p := newPolicy(name, "/")
	must(t, "CreatePolicy "+name, s.CreatePolicy(t.Context(), p, doc(name), noLimit))
	p.DefaultVersionID = "v1"
	return p
}

func userOwner(u opensts.User) opensts.Owner { return opensts.Owner{Kind: opensts.OwnerUser, ID: u.ID} }
func groupOwner(g opensts.Group) opensts.Owner {
	return opensts.Owner{Kind: opensts.OwnerGroup, ID: g.ID}
}

func ptr[T any](v T) *T { return &v }
