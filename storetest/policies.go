package storetest

import (
	"fmt"
	"sort"
	"testing"

	"github.com/opensts/opensts"
)

var policyTests = []test{
	{"CreateGet", testPolicyCreateGet},
	{"CreateErrors", testPolicyCreateErrors},
	{"List", testPolicyList},
	{"Versions", testPolicyVersions},
	{"VersionsNeverReused", testPolicyVersionsNeverReused},
	{"VersionLimit", testPolicyVersionLimit},
	{"SetDefaultVersion", testPolicySetDefault},
	{"DeleteVersion", testPolicyDeleteVersion},
	{"Delete", testPolicyDelete},
	{"DeleteConflicts", testPolicyDeleteConflicts},
	{"AttachmentCount", testPolicyAttachmentCount},
}

func testPolicyCreateGet(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	p := newPolicy("ReadOnly", "/team/")
	p.Tags = []opensts.Tag{{Key: "owner", Value: "sec"}}
	p.DefaultVersionID = "v7" // ignored: the first version is v1
	p.AttachmentCount = 3     // ignored: computed
	p.UpdatedAt = at(6)
	must(t, "CreatePolicy", s.CreatePolicy(ctx, p, doc("v1"), noLimit))
	want := p
	want.DefaultVersionID, want.AttachmentCount = "v1", 0
	for _, name := range []string{"ReadOnly", "readonly", "READONLY"} {
		got, err := s.GetPolicy(ctx, acctID, name)
		must(t, "GetPolicy "+name, err)
		diff(t, "GetPolicy "+name, want, got)
	}
	v, err := s.GetPolicyVersion(ctx, acctID, p.ID, "v1")
	must(t, "GetPolicyVersion v1", err)
	diff(t, "v1", opensts.PolicyVersion{VersionID: "v1", Document: doc("v1"), IsDefault: true, CreatedAt: p.CreatedAt}, v)
	_, err = s.GetPolicy(ctx, acctID, "Other")
	wantErr(t, "GetPolicy unknown", err, opensts.ErrNotFound)
	_, err = s.GetPolicy(ctx, "210987654321", "ReadOnly")
	wantErr(t, "GetPolicy in another account", err, opensts.ErrNotFound)
	for _, id := range []string{"v2", "v0", "v01", "1", "V1", ""} {
		_, err = s.GetPolicyVersion(ctx, acctID, p.ID, id)
		wantErr(t, fmt.Sprintf("GetPolicyVersion %q", id), err, opensts.ErrNotFound)
	}
	_, err = s.GetPolicyVersion(ctx, "210987654321", p.ID, "v1")
	wantErr(t, "GetPolicyVersion in another account", err, opensts.ErrNotFound)
}

func testPolicyCreateErrors(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	p := mustPolicy(t, s, "ReadOnly")
	wantErr(t, "CreatePolicy same name other case", s.CreatePolicy(ctx, newPolicy("READONLY", "/other/"), doc("x"), noLimit), opensts.ErrAlreadyExists)
	dupID := newPolicy("Other", "/")
	dupID.ID = p.ID
	wantErr(t, "CreatePolicy taken id", s.CreatePolicy(ctx, dupID, doc("x"), noLimit), opensts.ErrAlreadyExists)
	v, err := s.GetPolicyVersion(ctx, acctID, p.ID, "v1")
	must(t, "GetPolicyVersion", err)
	if v.Document != doc("ReadOnly") {
		t.Errorf("v1 after a refused duplicate: %s", v.Document)
	}
	wantErr(t, "CreatePolicy 2 of 1", s.CreatePolicy(ctx, newPolicy("Second", "/"), doc("x"), 1), opensts.ErrLimitExceeded)
	_, err = s.GetPolicy(ctx, acctID, "Second")
	wantErr(t, "GetPolicy after a refused create", err, opensts.ErrNotFound)
	must(t, "CreatePolicy 2 of 2", s.CreatePolicy(ctx, newPolicy("Second", "/"), doc("x"), 2))
	foreign := newPolicy("Foreign", "/")
	foreign.AccountID = "210987654321"
	wantErr(t, "CreatePolicy in an unknown account", s.CreatePolicy(ctx, foreign, doc("x"), noLimit), opensts.ErrNotFound)
}

func testPolicyList(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	u := mustUser(t, s, "alice")
	var all []opensts.ManagedPolicy
	for i := range 12 {
		name := fmt.Sprintf("policy%02d", i)
		if i%2 == 1 {
			name = fmt.Sprintf("POLICY%02d", i)
		}
		path := "/"
		if i%3 == 0 {
			path = "/svc/"
		}
		p := newPolicy(name, path)
		p.DefaultVersionID = "v1"
		all = append(all, p)
	}
	for i := len(all) - 1; i >= 0; i-- {
		must(t, "CreatePolicy", s.CreatePolicy(ctx, all[i], doc(all[i].Name), noLimit))
	}
	for i := range all {
		if i%4 == 1 {
			must(t, "AttachPolicy", s.AttachPolicy(ctx, acctID, userOwner(u), all[i].ID, noLimit))
			all[i].AttachmentCount = 1
		}
	}
	sort.Slice(all, func(i, j int) bool { return lowerLess(all[i].Name, all[j].Name) })
	filter := func(keep func(opensts.ManagedPolicy) bool) []opensts.ManagedPolicy {
		var out []opensts.ManagedPolicy
		for _, p := range all {
			if keep(p) {
				out = append(out, p)
			}
		}
		return out
	}
	for _, tc := range []struct {
		name         string
		onlyAttached bool
		prefix       string
		keep         func(opensts.ManagedPolicy) bool
	}{
		{"all", false, "", func(opensts.ManagedPolicy) bool { return true }},
		{"attached", true, "", func(p opensts.ManagedPolicy) bool { return p.AttachmentCount > 0 }},
		{"/svc/", false, "/svc/", func(p opensts.ManagedPolicy) bool { return p.Path == "/svc/" }},
		{"attached /svc/", true, "/svc/", func(p opensts.ManagedPolicy) bool { return p.AttachmentCount > 0 && p.Path == "/svc/" }},
	} {
		checkPaging(t, "ListPolicies "+tc.name, filter(tc.keep), func(opt opensts.ListOptions) (opensts.Page[opensts.ManagedPolicy], error) {
			return s.ListPolicies(ctx, acctID, tc.onlyAttached, opt)
		}, opensts.ListOptions{PathPrefix: tc.prefix})
	}
}

// testPolicyVersions: versions are numbered v1, v2, …; setDefault moves the
// default; UpdatedAt follows the newest version; ListPolicyVersions is
// newest first, as IAM lists them.
func testPolicyVersions(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	p := mustPolicy(t, s, "Ops")
	v2, err := s.CreatePolicyVersion(ctx, acctID, p.ID, doc("v2"), false, 5, at(100))
	must(t, "CreatePolicyVersion v2", err)
	diff(t, "v2", opensts.PolicyVersion{VersionID: "v2", Document: doc("v2"), IsDefault: false, CreatedAt: at(100)}, v2)
	got, err := s.GetPolicy(ctx, acctID, "Ops")
	must(t, "GetPolicy", err)
	if got.DefaultVersionID != "v1" {
		t.Errorf("default after a non-default version = %s, want v1", got.DefaultVersionID)
	}
	diff(t, "UpdatedAt after v2", at(100), got.UpdatedAt)

	v3, err := s.CreatePolicyVersion(ctx, acctID, p.ID, doc("v3"), true, 5, at(200))
	must(t, "CreatePolicyVersion v3", err)
	diff(t, "v3", opensts.PolicyVersion{VersionID: "v3", Document: doc("v3"), IsDefault: true, CreatedAt: at(200)}, v3)
	got, err = s.GetPolicy(ctx, acctID, "Ops")
	must(t, "GetPolicy", err)
	want := p
	want.DefaultVersionID, want.UpdatedAt = "v3", at(200)
	diff(t, "policy after a default version", want, got)

	v1 := opensts.PolicyVersion{VersionID: "v1", Document: doc("Ops"), IsDefault: false, CreatedAt: p.CreatedAt}
	vs, err := s.ListPolicyVersions(ctx, acctID, p.ID)
	must(t, "ListPolicyVersions", err)
	diff(t, "versions", []opensts.PolicyVersion{v3, v2, v1}, vs)
	gotV1, err := s.GetPolicyVersion(ctx, acctID, p.ID, "v1")
	must(t, "GetPolicyVersion v1", err)
	diff(t, "v1 no longer default", v1, gotV1)

	_, err = s.CreatePolicyVersion(ctx, acctID, "ANPAUNKNOWNUNKNOWNX", doc("x"), false, 5, at(300))
	wantErr(t, "CreatePolicyVersion unknown policy", err, opensts.ErrNotFound)
	_, err = s.CreatePolicyVersion(ctx, "210987654321", p.ID, doc("x"), false, 5, at(300))
	wantErr(t, "CreatePolicyVersion in another account", err, opensts.ErrNotFound)
	_, err = s.ListPolicyVersions(ctx, acctID, "ANPAUNKNOWNUNKNOWNX")
	wantErr(t, "ListPolicyVersions unknown policy", err, opensts.ErrNotFound)
}

// testPolicyVersionsNeverReused: deleting versions, even the newest, never
// frees its number.
func testPolicyVersionsNeverReused(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	p := mustPolicy(t, s, "Ops")
	for i := 2; i <= 3; i++ {
		_, err := s.CreatePolicyVersion(ctx, acctID, p.ID, doc(fmt.Sprint(i)), false, 5, at(i))
		must(t, "CreatePolicyVersion", err)
	}
	must(t, "DeletePolicyVersion v2", s.DeletePolicyVersion(ctx, acctID, p.ID, "v2"))
	must(t, "DeletePolicyVersion v3", s.DeletePolicyVersion(ctx, acctID, p.ID, "v3"))
	v, err := s.CreatePolicyVersion(ctx, acctID, p.ID, doc("4"), false, 5, at(4))
	must(t, "CreatePolicyVersion after deletes", err)
	if v.VersionID != "v4" {
		t.Errorf("version after deleting v2 and v3 = %s, want v4", v.VersionID)
	}
	_, err = s.GetPolicyVersion(ctx, acctID, p.ID, "v3")
	wantErr(t, "GetPolicyVersion deleted v3", err, opensts.ErrNotFound)
	vs, err := s.ListPolicyVersions(ctx, acctID, p.ID)
	must(t, "ListPolicyVersions", err)
	var ids []string
	for _, v := range vs {
		ids = append(ids, v.VersionID)
	}
	diff(t, "version ids", []string{"v4", "v1"}, ids)
}

// testPolicyVersionLimit: maxVersions counts the versions a policy holds.
func testPolicyVersionLimit(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	p := mustPolicy(t, s, "Ops")
	for i := 2; i <= 3; i++ {
		_, err := s.CreatePolicyVersion(ctx, acctID, p.ID, doc(fmt.Sprint(i)), false, 3, at(i))
		must(t, fmt.Sprintf("CreatePolicyVersion %d of 3", i), err)
	}
	_, err := s.CreatePolicyVersion(ctx, acctID, p.ID, doc("4"), true, 3, at(4))
	wantErr(t, "CreatePolicyVersion 4 of 3", err, opensts.ErrLimitExceeded)
	got, err := s.GetPolicy(ctx, acctID, "Ops")
	must(t, "GetPolicy", err)
	if got.DefaultVersionID != "v1" {
		t.Errorf("default after a refused version = %s, want v1", got.DefaultVersionID)
	}
	must(t, "DeletePolicyVersion v2", s.DeletePolicyVersion(ctx, acctID, p.ID, "v2"))
	v, err := s.CreatePolicyVersion(ctx, acctID, p.ID, doc("4"), false, 3, at(5))
	must(t, "CreatePolicyVersion after freeing one", err)
	if v.VersionID != "v4" {
		t.Errorf("version after a refused one = %s, want v4", v.VersionID)
	}
}

func testPolicySetDefault(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	p := mustPolicy(t, s, "Ops")
	_, err := s.CreatePolicyVersion(ctx, acctID, p.ID, doc("v2"), false, 5, at(100))
	must(t, "CreatePolicyVersion", err)
	must(t, "SetDefaultPolicyVersion v2", s.SetDefaultPolicyVersion(ctx, acctID, p.ID, "v2", at(150)))
	got, err := s.GetPolicy(ctx, acctID, "ops")
	must(t, "GetPolicy", err)
	want := p
	want.DefaultVersionID, want.UpdatedAt = "v2", at(150)
	diff(t, "policy after SetDefaultPolicyVersion", want, got)
	v1, err := s.GetPolicyVersion(ctx, acctID, p.ID, "v1")
	must(t, "GetPolicyVersion v1", err)
	v2, err := s.GetPolicyVersion(ctx, acctID, p.ID, "v2")
	must(t, "GetPolicyVersion v2", err)
	if v1.IsDefault || !v2.IsDefault {
		t.Errorf("IsDefault: v1 %t, v2 %t; want false, true", v1.IsDefault, v2.IsDefault)
	}
	must(t, "SetDefaultPolicyVersion v2 again", s.SetDefaultPolicyVersion(ctx, acctID, p.ID, "v2", at(160)))
	wantErr(t, "SetDefaultPolicyVersion v9", s.SetDefaultPolicyVersion(ctx, acctID, p.ID, "v9", at(170)), opensts.ErrNotFound)
	wantErr(t, "SetDefaultPolicyVersion bogus", s.SetDefaultPolicyVersion(ctx, acctID, p.ID, "latest", at(170)), opensts.ErrNotFound)
	wantErr(t, "SetDefaultPolicyVersion unknown policy", s.SetDefaultPolicyVersion(ctx, acctID, "ANPAUNKNOWNUNKNOWNX", "v1", at(170)), opensts.ErrNotFound)
	got, err = s.GetPolicy(ctx, acctID, "ops")
	must(t, "GetPolicy", err)
	if got.DefaultVersionID != "v2" {
		t.Errorf("default after refused changes = %s, want v2", got.DefaultVersionID)
	}
}

func testPolicyDeleteVersion(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	p := mustPolicy(t, s, "Ops")
	_, err := s.CreatePolicyVersion(ctx, acctID, p.ID, doc("v2"), true, 5, at(100))
	must(t, "CreatePolicyVersion", err)
	wantConflict(t, "DeletePolicyVersion of the default", s.DeletePolicyVersion(ctx, acctID, p.ID, "v2"), opensts.DependentVersions)
	_, err = s.GetPolicyVersion(ctx, acctID, p.ID, "v2")
	must(t, "GetPolicyVersion v2 after a refused delete", err)
	must(t, "DeletePolicyVersion v1", s.DeletePolicyVersion(ctx, acctID, p.ID, "v1"))
	wantErr(t, "DeletePolicyVersion v1 again", s.DeletePolicyVersion(ctx, acctID, p.ID, "v1"), opensts.ErrNotFound)
	wantErr(t, "DeletePolicyVersion bogus", s.DeletePolicyVersion(ctx, acctID, p.ID, "x"), opensts.ErrNotFound)
	wantErr(t, "DeletePolicyVersion unknown policy", s.DeletePolicyVersion(ctx, acctID, "ANPAUNKNOWNUNKNOWNX", "v1"), opensts.ErrNotFound)
	vs, err := s.ListPolicyVersions(ctx, acctID, p.ID)
	must(t, "ListPolicyVersions", err)
	if len(vs) != 1 || vs[0].VersionID != "v2" || !vs[0].IsDefault {
		t.Errorf("versions after delete = %+v, want v2 alone, default", vs)
	}
}

func testPolicyDelete(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	p := mustPolicy(t, s, "Ops")
	keep := mustPolicy(t, s, "Keep")
	wantErr(t, "DeletePolicy in another account", s.DeletePolicy(ctx, "210987654321", p.ID), opensts.ErrNotFound)
	must(t, "DeletePolicy", s.DeletePolicy(ctx, acctID, p.ID))
	_, err := s.GetPolicy(ctx, acctID, "Ops")
	wantErr(t, "GetPolicy after delete", err, opensts.ErrNotFound)
	_, err = s.GetPolicyVersion(ctx, acctID, p.ID, "v1")
	wantErr(t, "GetPolicyVersion after delete", err, opensts.ErrNotFound)
	wantErr(t, "DeletePolicy again", s.DeletePolicy(ctx, acctID, p.ID), opensts.ErrNotFound)
	pg, err := s.ListPolicies(ctx, acctID, false, opensts.ListOptions{})
	must(t, "ListPolicies", err)
	diff(t, "policies after delete", []opensts.ManagedPolicy{keep}, pg.Items)
	// The name is free again, and versions start over.
	again := newPolicy("OPS", "/")
	must(t, "CreatePolicy with the deleted name", s.CreatePolicy(ctx, again, doc("again"), noLimit))
	v, err := s.GetPolicyVersion(ctx, acctID, again.ID, "v1")
	must(t, "GetPolicyVersion of the new policy", err)
	if v.Document != doc("again") {
		t.Errorf("v1 of the new policy = %s", v.Document)
	}
}

// testPolicyDeleteConflicts: attachments (to users, groups or roles) and use
// as a user's or role's permissions boundary block DeletePolicy as "policy
// attachments",
// then versions other than the default as "policy versions".
func testPolicyDeleteConflicts(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	p := mustPolicy(t, s, "Ops")
	u, g := mustUser(t, s, "alice"), mustGroup(t, s, "admins")
	bounded := mustUser(t, s, "bounded")
	r, boundedRole := mustRole(t, s, "Deploy"), mustRole(t, s, "Bounded")
	must(t, "AttachPolicy role", s.AttachPolicy(ctx, acctID, roleOwner(r), p.ID, noLimit))
	must(t, "UpdateRole boundary", s.UpdateRole(ctx, acctID, boundedRole.ID, func(cur *opensts.Role) error {
		cur.PermissionsBoundary = p.ARN()
		return nil
	}))
	must(t, "AttachPolicy user", s.AttachPolicy(ctx, acctID, userOwner(u), p.ID, noLimit))
	must(t, "AttachPolicy group", s.AttachPolicy(ctx, acctID, groupOwner(g), p.ID, noLimit))
	must(t, "UpdateUser boundary", s.UpdateUser(ctx, acctID, bounded.ID, func(cur *opensts.User) error {
		cur.PermissionsBoundary = p.ARN()
		return nil
	}))
	_, err := s.CreatePolicyVersion(ctx, acctID, p.ID, doc("v2"), false, 5, at(10))
	must(t, "CreatePolicyVersion", err)

	steps := []struct {
		name   string
		dep    opensts.Dependent
		remove func() error
	}{
		{"user attachment", opensts.DependentAttachments, func() error { return s.DetachPolicy(ctx, acctID, userOwner(u), p.ID) }},
		{"group attachment", opensts.DependentAttachments, func() error { return s.DetachPolicy(ctx, acctID, groupOwner(g), p.ID) }},
		{"role attachment", opensts.DependentAttachments, func() error { return s.DetachPolicy(ctx, acctID, roleOwner(r), p.ID) }},
		{"boundary", opensts.DependentAttachments, func() error {
			return s.UpdateUser(ctx, acctID, bounded.ID, func(cur *opensts.User) error { cur.PermissionsBoundary = ""; return nil })
		}},
		{"role boundary", opensts.DependentAttachments, func() error {
			return s.UpdateRole(ctx, acctID, boundedRole.ID, func(cur *opensts.Role) error { cur.PermissionsBoundary = ""; return nil })
		}},
		{"versions", opensts.DependentVersions, func() error { return s.DeletePolicyVersion(ctx, acctID, p.ID, "v2") }},
	}
	for _, st := range steps {
		wantConflict(t, "DeletePolicy with "+st.name, s.DeletePolicy(ctx, acctID, p.ID), st.dep)
		_, err := s.GetPolicy(ctx, acctID, "Ops")
		must(t, "GetPolicy after a refused delete", err)
		must(t, "remove "+st.name, st.remove())
	}
	must(t, "DeletePolicy without dependents", s.DeletePolicy(ctx, acctID, p.ID))
}

// testPolicyAttachmentCount: the count is computed on every read and counts
// users and groups; permissions boundaries are not attachments.
func testPolicyAttachmentCount(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	p := mustPolicy(t, s, "Ops")
	u, v, g := mustUser(t, s, "alice"), mustUser(t, s, "bob"), mustGroup(t, s, "admins")
	count := func() int {
		t.Helper()
		got, err := s.GetPolicy(ctx, acctID, "Ops")
		must(t, "GetPolicy", err)
		return got.AttachmentCount
	}
	for i, o := range []opensts.Owner{userOwner(u), userOwner(v), groupOwner(g), userOwner(u)} {
		must(t, "AttachPolicy", s.AttachPolicy(ctx, acctID, o, p.ID, noLimit))
		want := min(i+1, 3)
		if n := count(); n != want {
			t.Errorf("AttachmentCount after %d attaches = %d, want %d", i+1, n, want)
		}
	}
	must(t, "UpdateUser boundary", s.UpdateUser(ctx, acctID, mustUser(t, s, "carol").ID, func(cur *opensts.User) error {
		cur.PermissionsBoundary = p.ARN()
		return nil
	}))
	if n := count(); n != 3 {
		t.Errorf("AttachmentCount with a boundary use = %d, want 3", n)
	}
	must(t, "DetachPolicy", s.DetachPolicy(ctx, acctID, userOwner(v), p.ID))
	if n := count(); n != 2 {
		t.Errorf("AttachmentCount after detach = %d, want 2", n)
	}
	pg, err := s.ListPolicies(ctx, acctID, false, opensts.ListOptions{})
	must(t, "ListPolicies", err)
	if len(pg.Items) != 1 || pg.Items[0].AttachmentCount != 2 {
		t.Errorf("ListPolicies = %+v, want Ops with AttachmentCount 2", pg.Items)
	}
}
