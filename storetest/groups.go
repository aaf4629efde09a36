package storetest

import (
	"fmt"
	"sort"
	"testing"

	"github.com/opensts/opensts"
)

var groupTests = []test{
	{"CreateGet", testGroupCreateGet},
	{"CreateLimit", testGroupCreateLimit},
	{"List", testGroupList},
	{"Membership", testGroupMembership},
	{"MembershipLimit", testGroupMembershipLimit},
	{"MembershipNotFound", testGroupMembershipNotFound},
	{"MembersPaging", testGroupMembersPaging},
	{"Delete", testGroupDelete},
	{"DeleteConflicts", testGroupDeleteConflicts},
}

func testGroupCreateGet(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	g := newGroup("Admins", "/ops/")
	must(t, "CreateGroup", s.CreateGroup(ctx, g, noLimit))
	for _, name := range []string{"Admins", "admins", "ADMINS"} {
		got, err := s.GetGroup(ctx, acctID, name)
		must(t, "GetGroup "+name, err)
		diff(t, "GetGroup "+name, g, got)
	}
	_, err := s.GetGroup(ctx, acctID, "Other")
	wantErr(t, "GetGroup unknown", err, opensts.ErrNotFound)
	_, err = s.GetGroup(ctx, "210987654321", "Admins")
	wantErr(t, "GetGroup in another account", err, opensts.ErrNotFound)

	wantErr(t, "CreateGroup same name other case", s.CreateGroup(ctx, newGroup("aDMINS", "/"), noLimit), opensts.ErrAlreadyExists)
	dupID := newGroup("Other", "/")
	dupID.ID = g.ID
	wantErr(t, "CreateGroup taken id", s.CreateGroup(ctx, dupID, noLimit), opensts.ErrAlreadyExists)
	unknown := newGroup("Elsewhere", "/")
	unknown.AccountID = "210987654321"
	wantErr(t, "CreateGroup in an unknown account", s.CreateGroup(ctx, unknown, noLimit), opensts.ErrNotFound)
	// A user and a group may share a name.
	mustUser(t, s, "Admins")
}

func testGroupCreateLimit(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	wantErr(t, "CreateGroup with maxGroups 0", s.CreateGroup(ctx, newGroup("g0", "/"), 0), opensts.ErrLimitExceeded)
	must(t, "CreateGroup 1 of 2", s.CreateGroup(ctx, newGroup("g1", "/"), 2))
	must(t, "CreateGroup 2 of 2", s.CreateGroup(ctx, newGroup("g2", "/"), 2))
	wantErr(t, "CreateGroup 3 of 2", s.CreateGroup(ctx, newGroup("g3", "/"), 2), opensts.ErrLimitExceeded)
	_, err := s.GetGroup(ctx, acctID, "g3")
	wantErr(t, "GetGroup after a refused create", err, opensts.ErrNotFound)
}

func testGroupList(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	var all []opensts.Group
	for i := range 11 {
		name := fmt.Sprintf("group%02d", i)
		if i%2 == 0 {
			name = fmt.Sprintf("GROUP%02d", i)
		}
		path := "/"
		if i%3 == 0 {
			path = "/team/"
		}
		all = append(all, newGroup(name, path))
	}
	for i := len(all) - 1; i >= 0; i-- {
		must(t, "CreateGroup", s.CreateGroup(ctx, all[i], noLimit))
	}
	sort.Slice(all, func(i, j int) bool { return lowerLess(all[i].Name, all[j].Name) })
	list := func(opt opensts.ListOptions) (opensts.Page[opensts.Group], error) {
		return s.ListGroups(ctx, acctID, opt)
	}
	checkPaging(t, "ListGroups", all, list, opensts.ListOptions{})
	var team []opensts.Group
	for _, g := range all {
		if g.Path == "/team/" {
			team = append(team, g)
		}
	}
	checkPaging(t, "ListGroups /team/", team, list, opensts.ListOptions{PathPrefix: "/team/"})
}

func testGroupMembership(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	alice, bob := mustUser(t, s, "alice"), mustUser(t, s, "Bob")
	admins, devs := mustGroup(t, s, "admins"), mustGroup(t, s, "Devs")

	must(t, "AddUserToGroup alice admins", s.AddUserToGroup(ctx, acctID, admins.ID, alice.ID, noLimit))
	must(t, "AddUserToGroup alice admins again", s.AddUserToGroup(ctx, acctID, admins.ID, alice.ID, noLimit))
	must(t, "AddUserToGroup alice devs", s.AddUserToGroup(ctx, acctID, devs.ID, alice.ID, noLimit))
	must(t, "AddUserToGroup bob admins", s.AddUserToGroup(ctx, acctID, admins.ID, bob.ID, noLimit))

	groupsOf := func(u opensts.User) []opensts.Group {
		t.Helper()
		p, err := s.ListGroupsForUser(ctx, acctID, u.ID, opensts.ListOptions{})
		must(t, "ListGroupsForUser", err)
		return p.Items
	}
	membersOf := func(g opensts.Group) []opensts.User {
		t.Helper()
		p, err := s.ListGroupMembers(ctx, acctID, g.ID, opensts.ListOptions{})
		must(t, "ListGroupMembers", err)
		return p.Items
	}
	diff(t, "groups of alice", []opensts.Group{admins, devs}, groupsOf(alice))
	diff(t, "groups of bob", []opensts.Group{admins}, groupsOf(bob))
	diff(t, "members of admins", []opensts.User{alice, bob}, membersOf(admins))
	diff(t, "members of devs", []opensts.User{alice}, membersOf(devs))

	must(t, "RemoveUserFromGroup alice admins", s.RemoveUserFromGroup(ctx, acctID, admins.ID, alice.ID))
	wantErr(t, "RemoveUserFromGroup again", s.RemoveUserFromGroup(ctx, acctID, admins.ID, alice.ID), opensts.ErrNotFound)
	diff(t, "groups of alice after remove", []opensts.Group{devs}, groupsOf(alice))
	diff(t, "members of admins after remove", []opensts.User{bob}, membersOf(admins))
	wantErr(t, "RemoveUserFromGroup never a member", s.RemoveUserFromGroup(ctx, acctID, devs.ID, bob.ID), opensts.ErrNotFound)

	charlie := mustUser(t, s, "charlie")
	p, err := s.ListGroupsForUser(ctx, acctID, charlie.ID, opensts.ListOptions{})
	must(t, "ListGroupsForUser without groups", err)
	if len(p.Items) != 0 || p.Marker != "" {
		t.Errorf("ListGroupsForUser without groups = %+v", p)
	}
}

// testGroupMembershipLimit: maxGroupsPerUser counts the user's groups;
// re-adding an existing membership at the limit is still a no-op success.
func testGroupMembershipLimit(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	u := mustUser(t, s, "alice")
	g1, g2, g3 := mustGroup(t, s, "g1"), mustGroup(t, s, "g2"), mustGroup(t, s, "g3")
	must(t, "AddUserToGroup 1 of 2", s.AddUserToGroup(ctx, acctID, g1.ID, u.ID, 2))
	must(t, "AddUserToGroup 2 of 2", s.AddUserToGroup(ctx, acctID, g2.ID, u.ID, 2))
	wantErr(t, "AddUserToGroup 3 of 2", s.AddUserToGroup(ctx, acctID, g3.ID, u.ID, 2), opensts.ErrLimitExceeded)
	must(t, "AddUserToGroup existing at the limit", s.AddUserToGroup(ctx, acctID, g1.ID, u.ID, 2))
	p, err := s.ListGroupsForUser(ctx, acctID, u.ID, opensts.ListOptions{})
	must(t, "ListGroupsForUser", err)
	diff(t, "groups at the limit", []opensts.Group{g1, g2}, p.Items)
	// The limit is per user: another user may still join g3.
	must(t, "AddUserToGroup other user", s.AddUserToGroup(ctx, acctID, g3.ID, mustUser(t, s, "bob").ID, 2))
}

func testGroupMembershipNotFound(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	u, g := mustUser(t, s, "alice"), mustGroup(t, s, "admins")
	const noUser, noGroup = "AIDAUNKNOWNUNKNOWNX", "AGPAUNKNOWNUNKNOWNX"
	wantErr(t, "AddUserToGroup unknown user", s.AddUserToGroup(ctx, acctID, g.ID, noUser, noLimit), opensts.ErrNotFound)
	wantErr(t, "AddUserToGroup unknown group", s.AddUserToGroup(ctx, acctID, noGroup, u.ID, noLimit), opensts.ErrNotFound)
	wantErr(t, "AddUserToGroup other account", s.AddUserToGroup(ctx, "210987654321", g.ID, u.ID, noLimit), opensts.ErrNotFound)
	wantErr(t, "RemoveUserFromGroup unknown group", s.RemoveUserFromGroup(ctx, acctID, noGroup, u.ID), opensts.ErrNotFound)
	wantErr(t, "RemoveUserFromGroup unknown user", s.RemoveUserFromGroup(ctx, acctID, g.ID, noUser), opensts.ErrNotFound)
	_, err := s.ListGroupsForUser(ctx, acctID, noUser, opensts.ListOptions{})
	wantErr(t, "ListGroupsForUser unknown user", err, opensts.ErrNotFound)
	_, err = s.ListGroupMembers(ctx, acctID, noGroup, opensts.ListOptions{})
	wantErr(t, "ListGroupMembers unknown group", err, opensts.ErrNotFound)
}

// testGroupMembersPaging pages through a group's members and a user's
// groups; names alternate case so byte order and case-folded order differ.
func testGroupMembersPaging(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	g := mustGroup(t, s, "everyone")
	var (
		users  []opensts.User
		groups = []opensts.Group{g}
	)
	for i := range 9 {
		u := mustUser(t, s, fmt.Sprintf("%cuser%d", "aBcDeFgHi"[8-i], i))
		must(t, "AddUserToGroup", s.AddUserToGroup(ctx, acctID, g.ID, u.ID, noLimit))
		users = append(users, u)
		gi := mustGroup(t, s, fmt.Sprintf("%cgroup%d", "jKlMnOpQr"[8-i], i))
		must(t, "AddUserToGroup", s.AddUserToGroup(ctx, acctID, gi.ID, users[0].ID, noLimit))
		groups = append(groups, gi)
	}
	first := users[0] // a member of every group
	mustUser(t, s, "zz-not-a-member")
	other := mustGroup(t, s, "other")
	must(t, "AddUserToGroup", s.AddUserToGroup(ctx, acctID, other.ID, users[1].ID, noLimit))

	sort.Slice(users, func(i, j int) bool { return lowerLess(users[i].Name, users[j].Name) })
	sort.Slice(groups, func(i, j int) bool { return lowerLess(groups[i].Name, groups[j].Name) })
	checkPaging(t, "ListGroupMembers", users, func(opt opensts.ListOptions) (opensts.Page[opensts.User], error) {
		return s.ListGroupMembers(ctx, acctID, g.ID, opt)
	}, opensts.ListOptions{})
	checkPaging(t, "ListGroupsForUser", groups, func(opt opensts.ListOptions) (opensts.Page[opensts.Group], error) {
		return s.ListGroupsForUser(ctx, acctID, first.ID, opt)
	}, opensts.ListOptions{})
}

func testGroupDelete(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	g := mustGroup(t, s, "admins")
	keep := mustGroup(t, s, "devs")
	must(t, "DeleteGroup", s.DeleteGroup(ctx, acctID, g.ID))
	_, err := s.GetGroup(ctx, acctID, "admins")
	wantErr(t, "GetGroup after delete", err, opensts.ErrNotFound)
	wantErr(t, "DeleteGroup again", s.DeleteGroup(ctx, acctID, g.ID), opensts.ErrNotFound)
	wantErr(t, "DeleteGroup in another account", s.DeleteGroup(ctx, "210987654321", keep.ID), opensts.ErrNotFound)
	must(t, "CreateGroup with the deleted name", s.CreateGroup(ctx, newGroup("Admins", "/"), noLimit))
}

// testGroupDeleteConflicts: members, then inline policies, then attached
// policies block DeleteGroup.
func testGroupDeleteConflicts(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	g := mustGroup(t, s, "admins")
	u := mustUser(t, s, "alice")
	must(t, "AddUserToGroup", s.AddUserToGroup(ctx, acctID, g.ID, u.ID, noLimit))
	must(t, "PutInlinePolicy", s.PutInlinePolicy(ctx, acctID, groupOwner(g), opensts.InlinePolicy{Name: "inline", Document: doc("g")}, 10, noLimit))
	p := mustPolicy(t, s, "Managed")
	must(t, "AttachPolicy", s.AttachPolicy(ctx, acctID, groupOwner(g), p.ID, noLimit))
	steps := []struct {
		dep    opensts.Dependent
		remove func() error
	}{
		{opensts.DependentMembers, func() error { return s.RemoveUserFromGroup(ctx, acctID, g.ID, u.ID) }},
		{opensts.DependentInlinePolicies, func() error { return s.DeleteInlinePolicy(ctx, acctID, groupOwner(g), "INLINE") }},
		{opensts.DependentAttachedPolicies, func() error { return s.DetachPolicy(ctx, acctID, groupOwner(g), p.ID) }},
	}
	for _, st := range steps {
		wantConflict(t, "DeleteGroup with "+string(st.dep), s.DeleteGroup(ctx, acctID, g.ID), st.dep)
		got, err := s.GetGroup(ctx, acctID, "admins")
		must(t, "GetGroup after a refused delete", err)
		diff(t, "group after a refused delete", g, got)
		must(t, "remove "+string(st.dep), st.remove())
	}
	must(t, "DeleteGroup without dependents", s.DeleteGroup(ctx, acctID, g.ID))
}
