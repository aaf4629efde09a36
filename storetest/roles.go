package storetest

import (
	"fmt"
	"sort"
	"testing"

	"github.com/opensts/opensts"
)

var roleTests = []test{
	{"CreateGet", testRoleCreateGet},
	{"CreateDuplicate", testRoleCreateDuplicate},
	{"CreateLimit", testRoleCreateLimit},
	{"CreateUnknownAccount", testRoleCreateUnknownAccount},
	{"GetNotFound", testRoleGetNotFound},
	{"List", testRoleList},
	{"ListBadMarker", testRoleListBadMarker},
	{"Update", testRoleUpdate},
	{"UpdateAbort", testRoleUpdateAbort},
	{"DeleteConflicts", testRoleDeleteConflicts},
	{"Policies", testRolePolicies},
}

// testRoleCreateGet: every field round-trips; the trust policy byte for
// byte (IAM returns it as submitted); names look up case-insensitively.
func testRoleCreateGet(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	r := newRole("Deploy", "/ci/")
	r.TrustPolicy = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"111111111111\"}, \"Action\": \"sts:AssumeRole\", \"Condition\": {\"StringEquals\": {\"sts:ExternalId\": \"a%3Ab ü\"}}}]\n}"
	r.Description = "Deploys from CI — ünïcödé"
	r.MaxSessionDuration = 43200
	r.PermissionsBoundary = opensts.PolicyARN(acctID, "/", "Boundary")
	r.Tags = []opensts.Tag{{Key: "Team", Value: "platform"}, {Key: "empty", Value: ""}}
	r.TrustedIDs = map[string]string{"arn:aws:iam::" + acctID + ":user/alice": "AIDAALICEALICEALICE1", "arn:aws:iam::" + acctID + ":role/ci/Deployer": "AROADEPLOYERDEPLOYER"}
	must(t, "CreateRole", s.CreateRole(ctx, r, noLimit))
	for _, name := range []string{"Deploy", "deploy", "DEPLOY"} {
		got, err := s.GetRole(ctx, acctID, name)
		must(t, "GetRole "+name, err)
		diff(t, "GetRole "+name, r, got)
	}
	got, err := s.GetRoleByID(ctx, acctID, r.ID)
	must(t, "GetRoleByID", err)
	diff(t, "GetRoleByID", r, got)
	if got.SessionLimit() != 43200 || (opensts.Role{}).SessionLimit() != opensts.DefaultMaxSessionDuration {
		t.Errorf("SessionLimit: %d and %d", got.SessionLimit(), (opensts.Role{}).SessionLimit())
	}
}

func testRoleCreateDuplicate(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	r := mustRole(t, s, "Deploy")
	wantErr(t, "CreateRole with a name differing in case", s.CreateRole(ctx, newRole("DEPLOY", "/other/"), noLimit), opensts.ErrAlreadyExists)
	dupID := newRole("Other", "/")
	dupID.ID = r.ID
	wantErr(t, "CreateRole with a taken id", s.CreateRole(ctx, dupID, noLimit), opensts.ErrAlreadyExists)
	// A user and a role may share a name.
	must(t, "CreateUser named like the role", s.CreateUser(ctx, newUser("Deploy", "/"), noLimit))
}

func testRoleCreateLimit(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	wantErr(t, "CreateRole with maxRoles 0", s.CreateRole(ctx, newRole("zero", "/"), 0), opensts.ErrLimitExceeded)
	must(t, "CreateRole 1 of 2", s.CreateRole(ctx, newRole("r1", "/"), 2))
	must(t, "CreateRole 2 of 2", s.CreateRole(ctx, newRole("r2", "/"), 2))
	wantErr(t, "CreateRole 3 of 2", s.CreateRole(ctx, newRole("r3", "/"), 2), opensts.ErrLimitExceeded)
	_, err := s.GetRole(ctx, acctID, "r3")
	wantErr(t, "GetRole after a refused create", err, opensts.ErrNotFound)
}

func testRoleCreateUnknownAccount(t *testing.T, s opensts.Store) {
	mustAccount(t, s)
	r := newRole("Deploy", "/")
	r.AccountID = "210987654321"
	wantErr(t, "CreateRole in an unknown account", s.CreateRole(t.Context(), r, noLimit), opensts.ErrNotFound)
}

func testRoleGetNotFound(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	r := mustRole(t, s, "Deploy")
	_, err := s.GetRole(ctx, acctID, "Other")
	wantErr(t, "GetRole unknown name", err, opensts.ErrNotFound)
	_, err = s.GetRoleByID(ctx, acctID, "AROAUNKNOWNUNKNOWNX")
	wantErr(t, "GetRoleByID unknown id", err, opensts.ErrNotFound)
	_, err = s.GetRole(ctx, "210987654321", "Deploy")
	wantErr(t, "GetRole in another account", err, opensts.ErrNotFound)
	_, err = s.GetRoleByID(ctx, "210987654321", r.ID)
	wantErr(t, "GetRoleByID in another account", err, opensts.ErrNotFound)
	must(t, "CreateUser", s.CreateUser(ctx, newUser("Other", "/"), noLimit))
	_, err = s.GetRole(ctx, acctID, "Other")
	wantErr(t, "GetRole of a user's name", err, opensts.ErrNotFound)
}

// testRoleList pages through roles in case-insensitive name order, with
// and without a path prefix (% and _ in paths catch LIKE filters).
func testRoleList(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	paths := []string{"/", "/svc/", "/svc/ci/"}
	var all []opensts.Role
	for i := range 15 {
		name := fmt.Sprintf("role%02d", i)
		if i%2 == 1 {
			name = fmt.Sprintf("ROLE%02d", i)
		}
		r := newRole(name, paths[i%3])
		r.MaxSessionDuration = 3600 + i
		all = append(all, r)
	}
	all = append(all, newRole("pct", "/a%c/"), newRole("under", "/a_c/"))
	for i := len(all) - 1; i >= 0; i-- {
		must(t, "CreateRole", s.CreateRole(ctx, all[i], noLimit))
	}
	sort.Slice(all, func(i, j int) bool { return lowerLess(all[i].Name, all[j].Name) })
	list := func(opt opensts.ListOptions) (opensts.Page[opensts.Role], error) {
		return s.ListRoles(ctx, acctID, opt)
	}
	for _, prefix := range []string{"", "/", "/svc/", "/svc/ci/", "/a_", "/a%", "/nope/"} {
		var want []opensts.Role
		for _, r := range all {
			if len(r.Path) >= len(prefix) && r.Path[:len(prefix)] == prefix {
				want = append(want, r)
			}
		}
		checkPaging(t, fmt.Sprintf("ListRoles PathPrefix %q", prefix), want, list, opensts.ListOptions{PathPrefix: prefix})
	}
}

func testRoleListBadMarker(t *testing.T, s opensts.Store) {
	mustAccount(t, s)
	mustRole(t, s, "Deploy")
	_, err := s.ListRoles(t.Context(), acctID, opensts.ListOptions{Marker: "!!not a marker!!"})
	wantErr(t, "ListRoles with a forged marker", err, opensts.ErrInvalidInput)
}

// testRoleUpdate: what IAM changes is stored; the identity is not.
func testRoleUpdate(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	r := mustRole(t, s, "Deploy")
	var seen opensts.Role
	must(t, "UpdateRole", s.UpdateRole(ctx, acctID, r.ID, func(cur *opensts.Role) error {
		seen = *cur
		cur.TrustPolicy = `{"Version":"2012-10-17","Statement":[]}`
		cur.TrustedIDs = map[string]string{"arn:aws:iam::" + acctID + ":user/bob": "AIDABOBBOBBOBBOBBOB1"}
		cur.Description = "new"
		cur.MaxSessionDuration = 7200
		cur.PermissionsBoundary = opensts.PolicyARN(acctID, "/", "B")
		cur.Tags = []opensts.Tag{{Key: "k", Value: "v"}}
		cur.LastUsed, cur.LastUsedRegion = at(99), "eu-west-1"
		cur.AccountID, cur.ID, cur.Name, cur.Path, cur.CreatedAt = "210987654321", "AROACHANGED", "Mallory", "/moved/", at(1000)
		return nil
	}))
	diff(t, "UpdateRole: value passed to fn", r, seen)
	want := r
	want.TrustPolicy, want.Description, want.MaxSessionDuration = `{"Version":"2012-10-17","Statement":[]}`, "new", 7200
	want.TrustedIDs = map[string]string{"arn:aws:iam::" + acctID + ":user/bob": "AIDABOBBOBBOBBOBBOB1"}
	want.PermissionsBoundary = opensts.PolicyARN(acctID, "/", "B")
	want.Tags = []opensts.Tag{{Key: "k", Value: "v"}}
	want.LastUsed, want.LastUsedRegion = at(99), "eu-west-1"
	got, err := s.GetRoleByID(ctx, acctID, r.ID)
	must(t, "GetRoleByID", err)
	diff(t, "updated role", want, got)
	wantErr(t, "UpdateRole unknown role", s.UpdateRole(ctx, acctID, "AROAUNKNOWNUNKNOWNX", func(*opensts.Role) error { return nil }), opensts.ErrNotFound)
}

func testRoleUpdateAbort(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	r := mustRole(t, s, "Deploy")
	err := s.UpdateRole(ctx, acctID, r.ID, func(cur *opensts.Role) error {
		cur.Description = "lost"
		return errStop
	})
	wantErr(t, "UpdateRole returning an error", err, errStop)
	got, err := s.GetRoleByID(ctx, acctID, r.ID)
	must(t, "GetRoleByID", err)
	diff(t, "role after an aborted update", r, got)
}

// testRoleDeleteConflicts: a role with inline or attached policies cannot
// be deleted (AWS's DeleteConflict), in that order; then it can, once.
func testRoleDeleteConflicts(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	r := mustRole(t, s, "Deploy")
	p := mustPolicy(t, s, "Managed")
	must(t, "PutInlinePolicy", s.PutInlinePolicy(ctx, acctID, roleOwner(r), opensts.InlinePolicy{Name: "inline", Document: doc("inline")}, 1, noLimit))
	must(t, "AttachPolicy", s.AttachPolicy(ctx, acctID, roleOwner(r), p.ID, noLimit))
	for _, want := range []opensts.Dependent{opensts.DependentInlinePolicies, opensts.DependentAttachedPolicies} {
		wantConflict(t, "DeleteRole", s.DeleteRole(ctx, acctID, r.ID), want)
		switch want {
		case opensts.DependentInlinePolicies:
			must(t, "DeleteInlinePolicy", s.DeleteInlinePolicy(ctx, acctID, roleOwner(r), "inline"))
		case opensts.DependentAttachedPolicies:
			must(t, "DetachPolicy", s.DetachPolicy(ctx, acctID, roleOwner(r), p.ID))
		}
	}
	must(t, "DeleteRole", s.DeleteRole(ctx, acctID, r.ID))
	_, err := s.GetRoleByID(ctx, acctID, r.ID)
	wantErr(t, "GetRoleByID after delete", err, opensts.ErrNotFound)
	wantErr(t, "DeleteRole twice", s.DeleteRole(ctx, acctID, r.ID), opensts.ErrNotFound)
	must(t, "CreateRole with the name again", s.CreateRole(ctx, newRole("deploy", "/"), noLimit))
}

// testRolePolicies: a role owns inline and attached policies like a user
// (quota, listing), and its identity policies are its own and its boundary.
func testRolePolicies(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	r := newRole("Deploy", "/")
	boundary := newPolicy("Boundary", "/")
	must(t, "CreatePolicy boundary", s.CreatePolicy(ctx, boundary, doc("boundary"), noLimit))
	r.PermissionsBoundary = boundary.ARN()
	must(t, "CreateRole", s.CreateRole(ctx, r, noLimit))
	user := mustUser(t, s, "Deploy") // same name, another kind: shares nothing
	managed := mustPolicy(t, s, "Managed")

	must(t, "PutInlinePolicy b", s.PutInlinePolicy(ctx, acctID, roleOwner(r), opensts.InlinePolicy{Name: "b", Document: doc("b")}, 6, 10))
	must(t, "PutInlinePolicy A", s.PutInlinePolicy(ctx, acctID, roleOwner(r), opensts.InlinePolicy{Name: "A", Document: doc("A")}, 4, 10))
	wantErr(t, "PutInlinePolicy over the role's quota", s.PutInlinePolicy(ctx, acctID, roleOwner(r), opensts.InlinePolicy{Name: "c", Document: doc("c")}, 1, 10), opensts.ErrLimitExceeded)
	must(t, "PutInlinePolicy on the user", s.PutInlinePolicy(ctx, acctID, userOwner(user), opensts.InlinePolicy{Name: "u", Document: doc("u")}, 1, 10))
	must(t, "AttachPolicy", s.AttachPolicy(ctx, acctID, roleOwner(r), managed.ID, noLimit))
	wantErr(t, "PutInlinePolicy on an unknown role",
		s.PutInlinePolicy(ctx, acctID, opensts.Owner{Kind: opensts.OwnerRole, ID: "AROAUNKNOWNUNKNOWNX"}, opensts.InlinePolicy{Name: "x", Document: doc("x")}, 1, 10), opensts.ErrNotFound)
	wantErr(t, "AttachPolicy on an unknown role",
		s.AttachPolicy(ctx, acctID, opensts.Owner{Kind: opensts.OwnerRole, ID: "AROAUNKNOWNUNKNOWNX"}, managed.ID, noLimit), opensts.ErrNotFound)

	names, err := s.ListInlinePolicies(ctx, acctID, roleOwner(r), opensts.ListOptions{})
	must(t, "ListInlinePolicies", err)
	diff(t, "ListInlinePolicies of the role", []string{"A", "b"}, names.Items)
	attached, err := s.ListAttachedPolicies(ctx, acctID, roleOwner(r), opensts.ListOptions{})
	must(t, "ListAttachedPolicies", err)
	diff(t, "ListAttachedPolicies of the role", []opensts.AttachedPolicy{{Name: "Managed", ARN: managed.ARN()}}, attached.Items)

	got, err := s.IdentityPolicies(ctx, acctID, roleOwner(r))
	must(t, "IdentityPolicies of a role", err)
	diff(t, "IdentityPolicies of a role", opensts.IdentityPolicies{
		Documents: []opensts.PolicyDocument{
			{Source: opensts.SourceRoleInline, ID: "A", Document: doc("A")},
			{Source: opensts.SourceRoleInline, ID: "b", Document: doc("b")},
			{Source: opensts.SourceManaged, ID: managed.ARN(), Document: doc("Managed")},
		},
		Boundary: &opensts.PolicyDocument{Source: opensts.SourceBoundary, ID: boundary.ARN(), Document: doc("boundary")},
	}, got)
	_, err = s.IdentityPolicies(ctx, acctID, opensts.Owner{Kind: opensts.OwnerRole, ID: "AROAUNKNOWNUNKNOWNX"})
	wantErr(t, "IdentityPolicies of an unknown role", err, opensts.ErrNotFound)
	_, err = s.IdentityPolicies(ctx, "210987654321", roleOwner(r))
	wantErr(t, "IdentityPolicies of a role in another account", err, opensts.ErrNotFound)
}
