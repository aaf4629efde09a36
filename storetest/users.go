package storetest

import (
	"fmt"
	"sort"
	"testing"

	"github.com/opensts/opensts"
)

var userTests = []test{
	{"CreateGet", testUserCreateGet},
	{"CreateDuplicate", testUserCreateDuplicate},
	{"CreateLimit", testUserCreateLimit},
	{"CreateUnknownAccount", testUserCreateUnknownAccount},
	{"GetNotFound", testUserGetNotFound},
	{"List", testUserList},
	{"ListDefaultMaxItems", testUserListDefaultMaxItems},
	{"ListBadMarker", testUserListBadMarker},
	{"Update", testUserUpdate},
	{"UpdateImmutable", testUserUpdateImmutable},
	{"UpdateAbort", testUserUpdateAbort},
	{"Delete", testUserDelete},
	{"DeleteConflicts", testUserDeleteConflicts},
	{"DeleteTags", testUserDeleteTags},
}

func testUserCreateGet(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	u := newUser("Alice", "/eng/")
	u.Tags = []opensts.Tag{{Key: "Team", Value: "platform"}, {Key: "cost-center", Value: "42"}, {Key: "empty", Value: ""}}
	u.PermissionsBoundary = opensts.PolicyARN(acctID, "/", "Boundary")
	must(t, "CreateUser", s.CreateUser(ctx, u, noLimit))

	for _, name := range []string{"Alice", "alice", "ALICE"} {
		got, err := s.GetUser(ctx, acctID, name)
		must(t, "GetUser "+name, err)
		diff(t, "GetUser "+name, u, got)
	}
	got, err := s.GetUserByID(ctx, acctID, u.ID)
	must(t, "GetUserByID", err)
	diff(t, "GetUserByID", u, got)
	if got.Name != "Alice" {
		t.Errorf("GetUserByID: Name = %q, want the spelling it was created with", got.Name)
	}
}

func testUserCreateDuplicate(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	u := mustUser(t, s, "Alice")
	dupName := newUser("aLICE", "/other/")
	wantErr(t, "CreateUser with a name differing in case", s.CreateUser(ctx, dupName, noLimit), opensts.ErrAlreadyExists)
	dupID := newUser("Bob", "/")
	dupID.ID = u.ID
	wantErr(t, "CreateUser with a taken id", s.CreateUser(ctx, dupID, noLimit), opensts.ErrAlreadyExists)
	_, err := s.GetUser(ctx, acctID, "Bob")
	wantErr(t, "GetUser after a refused create", err, opensts.ErrNotFound)
	got, err := s.GetUser(ctx, acctID, "alice")
	must(t, "GetUser", err)
	diff(t, "original user", u, got)
}

// testUserCreateLimit: maxUsers is the number of users the account may
// hold; 0 allows none.
func testUserCreateLimit(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	wantErr(t, "CreateUser with maxUsers 0", s.CreateUser(ctx, newUser("zero", "/"), 0), opensts.ErrLimitExceeded)
	must(t, "CreateUser 1 of 2", s.CreateUser(ctx, newUser("u1", "/"), 2))
	must(t, "CreateUser 2 of 2", s.CreateUser(ctx, newUser("u2", "/"), 2))
	wantErr(t, "CreateUser 3 of 2", s.CreateUser(ctx, newUser("u3", "/"), 2), opensts.ErrLimitExceeded)
	_, err := s.GetUser(ctx, acctID, "u3")
	wantErr(t, "GetUser after a refused create", err, opensts.ErrNotFound)
	// A duplicate at the limit is a duplicate, whichever check runs first,
	// as long as it is refused.
	if err := s.CreateUser(ctx, newUser("U1", "/"), 2); err == nil {
		t.Errorf("CreateUser duplicate at the limit: no error")
	}
	must(t, "CreateUser under a higher limit", s.CreateUser(ctx, newUser("u3", "/"), 3))
}

func testUserCreateUnknownAccount(t *testing.T, s opensts.Store) {
	mustAccount(t, s)
	u := newUser("Alice", "/")
	u.AccountID = "210987654321"
	wantErr(t, "CreateUser in an unknown account", s.CreateUser(t.Context(), u, noLimit), opensts.ErrNotFound)
}

func testUserGetNotFound(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	u := mustUser(t, s, "Alice")
	_, err := s.GetUser(ctx, acctID, "Bob")
	wantErr(t, "GetUser unknown name", err, opensts.ErrNotFound)
	_, err = s.GetUserByID(ctx, acctID, "AIDAUNKNOWNUNKNOWNX")
	wantErr(t, "GetUserByID unknown id", err, opensts.ErrNotFound)
	_, err = s.GetUser(ctx, "210987654321", "Alice")
	wantErr(t, "GetUser in another account", err, opensts.ErrNotFound)
	_, err = s.GetUserByID(ctx, "210987654321", u.ID)
	wantErr(t, "GetUserByID in another account", err, opensts.ErrNotFound)
}

// testUserList pages through users in case-insensitive name order with and
// without a path prefix: every user exactly once, in order, on every page
// size. Names alternate case so that byte order and case-folded order
// differ; paths with % and _ catch prefix filters written with LIKE.
func testUserList(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	paths := []string{"/", "/eng/", "/eng/ops/"}
	var all []opensts.User
	for i := range 20 {
		name := fmt.Sprintf("user%02d", i)
		if i%2 == 1 {
			name = fmt.Sprintf("USER%02d", i)
		}
		u := newUser(name, paths[i%3])
		u.Tags = []opensts.Tag{{Key: "i", Value: fmt.Sprint(i)}}
		all = append(all, u)
	}
	all = append(all, newUser("pct", "/a%c/"), newUser("under", "/a_c/"), newUser("plain", "/abc/"))
	// Create in an order unrelated to the listing order.
	for i := len(all) - 1; i >= 0; i-- {
		must(t, "CreateUser", s.CreateUser(ctx, all[i], noLimit))
	}
	sort.Slice(all, func(i, j int) bool { return lowerLess(all[i].Name, all[j].Name) })
	list := func(opt opensts.ListOptions) (opensts.Page[opensts.User], error) {
		return s.ListUsers(ctx, acctID, opt)
	}
	for _, prefix := range []string{"", "/", "/eng/", "/eng/ops/", "/a_", "/a%", "/ab", "/nope/"} {
		var want []opensts.User
		for _, u := range all {
			if len(u.Path) >= len(prefix) && u.Path[:len(prefix)] == prefix {
				want = append(want, u)
			}
		}
		checkPaging(t, fmt.Sprintf("ListUsers PathPrefix %q", prefix), want, list, opensts.ListOptions{PathPrefix: prefix})
	}
	p, err := s.ListUsers(ctx, "210987654321", opensts.ListOptions{})
	must(t, "ListUsers of another account", err)
	if len(p.Items) != 0 || p.Marker != "" {
		t.Errorf("ListUsers of another account = %+v, want nothing", p)
	}
}

// testUserListDefaultMaxItems: MaxItems 0 means 100.
func testUserListDefaultMaxItems(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	for i := range 101 {
		must(t, "CreateUser", s.CreateUser(ctx, newUser(fmt.Sprintf("u%03d", i), "/"), noLimit))
	}
	p, err := s.ListUsers(ctx, acctID, opensts.ListOptions{})
	must(t, "ListUsers", err)
	if len(p.Items) != 100 || p.Marker == "" {
		t.Fatalf("ListUsers with MaxItems 0: %d items, marker %q; want 100 and a marker", len(p.Items), p.Marker)
	}
	p, err = s.ListUsers(ctx, acctID, opensts.ListOptions{Marker: p.Marker})
	must(t, "ListUsers page 2", err)
	if len(p.Items) != 1 || p.Items[0].Name != "u100" || p.Marker != "" {
		t.Errorf("ListUsers page 2: %d items, marker %q; want u100 alone and no marker", len(p.Items), p.Marker)
	}
}

// testUserListBadMarker: a marker the store never issued is invalid input.
func testUserListBadMarker(t *testing.T, s opensts.Store) {
	mustAccount(t, s)
	mustUser(t, s, "Alice")
	_, err := s.ListUsers(t.Context(), acctID, opensts.ListOptions{Marker: "!!not a marker!!"})
	wantErr(t, "ListUsers with a forged marker", err, opensts.ErrInvalidInput)
}

func testUserUpdate(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	u := newUser("Alice", "/eng/")
	u.Tags = []opensts.Tag{{Key: "a", Value: "1"}}
	must(t, "CreateUser", s.CreateUser(ctx, u, noLimit))
	other := mustUser(t, s, "Bob")

	boundary := opensts.PolicyARN(acctID, "/b/", "Boundary")
	var seen opensts.User
	must(t, "UpdateUser", s.UpdateUser(ctx, acctID, u.ID, func(cur *opensts.User) error {
		seen = *cur
		cur.Tags = append(cur.Tags, opensts.Tag{Key: "B", Value: "2"})
		cur.PermissionsBoundary = boundary
		return nil
	}))
	diff(t, "UpdateUser: value passed to fn", u, seen)
	want := u
	want.Tags = []opensts.Tag{{Key: "a", Value: "1"}, {Key: "B", Value: "2"}}
	want.PermissionsBoundary = boundary
	got, err := s.GetUserByID(ctx, acctID, u.ID)
	must(t, "GetUserByID", err)
	diff(t, "updated user", want, got)

	// Clearing both.
	must(t, "UpdateUser clear", s.UpdateUser(ctx, acctID, u.ID, func(cur *opensts.User) error {
		cur.Tags = nil
		cur.PermissionsBoundary = ""
		return nil
	}))
	got, err = s.GetUser(ctx, acctID, "alice")
	must(t, "GetUser", err)
	want.Tags, want.PermissionsBoundary = nil, ""
	diff(t, "cleared user", want, got)

	gotOther, err := s.GetUserByID(ctx, acctID, other.ID)
	must(t, "GetUserByID other", err)
	diff(t, "untouched user", other, gotOther)

	called := false
	err = s.UpdateUser(ctx, acctID, "AIDAUNKNOWNUNKNOWNX", func(*opensts.User) error { called = true; return nil })
	wantErr(t, "UpdateUser unknown", err, opensts.ErrNotFound)
	if called {
		t.Errorf("UpdateUser unknown: fn was called")
	}
	err = s.UpdateUser(ctx, "210987654321", u.ID, func(*opensts.User) error { return nil })
	wantErr(t, "UpdateUser in another account", err, opensts.ErrNotFound)
}

// testUserUpdateImmutable: changes fn makes to AccountID, ID, Name, Path or
// CreatedAt are ignored; the tag change made alongside them is kept.
func testUserUpdateImmutable(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	u := newUser("Alice", "/eng/")
	must(t, "CreateUser", s.CreateUser(ctx, u, noLimit))
	must(t, "UpdateUser", s.UpdateUser(ctx, acctID, u.ID, func(cur *opensts.User) error {
		cur.AccountID = "210987654321"
		cur.ID = "AIDACHANGEDCHANGEDX"
		cur.Name = "Mallory"
		cur.Path = "/moved/"
		cur.CreatedAt = at(1000)
		cur.Tags = []opensts.Tag{{Key: "kept", Value: "yes"}}
		return nil
	}))
	want := u
	want.Tags = []opensts.Tag{{Key: "kept", Value: "yes"}}
	got, err := s.GetUserByID(ctx, acctID, u.ID)
	must(t, "GetUserByID", err)
	diff(t, "user after changing immutable fields", want, got)
	_, err = s.GetUser(ctx, acctID, "Mallory")
	wantErr(t, "GetUser by the attempted new name", err, opensts.ErrNotFound)
	_, err = s.GetUserByID(ctx, acctID, "AIDACHANGEDCHANGEDX")
	wantErr(t, "GetUserByID by the attempted new id", err, opensts.ErrNotFound)
}

func testUserUpdateAbort(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	u := mustUser(t, s, "Alice")
	err := s.UpdateUser(ctx, acctID, u.ID, func(cur *opensts.User) error {
		cur.Tags = []opensts.Tag{{Key: "lost", Value: "1"}}
		cur.PermissionsBoundary = opensts.PolicyARN(acctID, "/", "Lost")
		return errStop
	})
	wantErr(t, "UpdateUser with a failing fn", err, errStop)
	got, err := s.GetUserByID(ctx, acctID, u.ID)
	must(t, "GetUserByID", err)
	diff(t, "user after an aborted update", u, got)
}

func testUserDelete(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	u := mustUser(t, s, "Alice")
	keep := mustUser(t, s, "Bob")
	must(t, "DeleteUser", s.DeleteUser(ctx, acctID, u.ID))
	_, err := s.GetUserByID(ctx, acctID, u.ID)
	wantErr(t, "GetUserByID after delete", err, opensts.ErrNotFound)
	_, err = s.GetUser(ctx, acctID, "Alice")
	wantErr(t, "GetUser after delete", err, opensts.ErrNotFound)
	wantErr(t, "DeleteUser again", s.DeleteUser(ctx, acctID, u.ID), opensts.ErrNotFound)
	wantErr(t, "DeleteUser in another account", s.DeleteUser(ctx, "210987654321", keep.ID), opensts.ErrNotFound)
	p, err := s.ListUsers(ctx, acctID, opensts.ListOptions{})
	must(t, "ListUsers", err)
	diff(t, "users after delete", []opensts.User{keep}, p.Items)
	// The name is free again.
	must(t, "CreateUser with the deleted name", s.CreateUser(ctx, newUser("ALICE", "/"), noLimit))
}

// testUserDeleteConflicts gives a user one dependent of every kind and
// removes them one at a time: DeleteUser names them in the documented order
// (access keys, MFA devices, inline policies, attached policies, group
// memberships) and changes nothing while any remains.
func testUserDeleteConflicts(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	u := mustUser(t, s, "Alice")
	k := mustKey(t, s, u.ID)
	d := newVirtualDevice("alice-phone", "/")
	d.UserID, d.EnableDate = u.ID, at(6)
	must(t, "CreateMFADevice", s.CreateMFADevice(ctx, d, noLimit))
	must(t, "PutInlinePolicy", s.PutInlinePolicy(ctx, acctID, userOwner(u), opensts.InlinePolicy{Name: "inline", Document: doc("i")}, 10, noLimit))
	p := mustPolicy(t, s, "Managed")
	must(t, "AttachPolicy", s.AttachPolicy(ctx, acctID, userOwner(u), p.ID, noLimit))
	g := mustGroup(t, s, "Admins")
	must(t, "AddUserToGroup", s.AddUserToGroup(ctx, acctID, g.ID, u.ID, noLimit))

	steps := []struct {
		dep    opensts.Dependent
		remove func() error
	}{
		{opensts.DependentAccessKeys, func() error { return s.DeleteAccessKey(ctx, k.ID) }},
		{opensts.DependentMFADevices, func() error { return s.DeleteMFADevice(ctx, acctID, d.SerialNumber) }},
		{opensts.DependentInlinePolicies, func() error { return s.DeleteInlinePolicy(ctx, acctID, userOwner(u), "inline") }},
		{opensts.DependentAttachedPolicies, func() error { return s.DetachPolicy(ctx, acctID, userOwner(u), p.ID) }},
		{opensts.DependentGroups, func() error { return s.RemoveUserFromGroup(ctx, acctID, g.ID, u.ID) }},
	}
	for _, st := range steps {
		wantConflict(t, "DeleteUser with "+string(st.dep), s.DeleteUser(ctx, acctID, u.ID), st.dep)
		got, err := s.GetUserByID(ctx, acctID, u.ID)
		must(t, "GetUserByID after a refused delete", err)
		diff(t, "user after a refused delete", u, got)
		must(t, "remove "+string(st.dep), st.remove())
	}
	must(t, "DeleteUser without dependents", s.DeleteUser(ctx, acctID, u.ID))
}

// testUserDeleteTags: a user's tags go with it; a new user of the same
// name starts without them.
func testUserDeleteTags(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	u := newUser("Alice", "/")
	u.Tags = []opensts.Tag{{Key: "secret-project", Value: "x"}}
	must(t, "CreateUser", s.CreateUser(ctx, u, noLimit))
	must(t, "DeleteUser", s.DeleteUser(ctx, acctID, u.ID))
	again := newUser("Alice", "/")
	again.ID = u.ID
	must(t, "CreateUser again with the same id", s.CreateUser(ctx, again, noLimit))
	got, err := s.GetUser(ctx, acctID, "Alice")
	must(t, "GetUser", err)
	diff(t, "recreated user", again, got)
}
