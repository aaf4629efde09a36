package storetest

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/opensts/opensts"
)

var identityPolicyTests = []test{
	{"Everything", testIdentityEverything},
	{"None", testIdentityNone},
	{"BoundaryMissing", testIdentityBoundaryMissing},
	{"UnknownUser", testIdentityUnknownUser},
	{"Snapshot", testIdentitySnapshot},
}

// testIdentityEverything gives a user policies from every source, plus
// policies of other users and groups that must not show up. Documents come
// in a fixed order: user inline, user managed, group inline, group managed;
// groups by name, policies by name within each, names case-folded. Managed
// policies contribute their default version.
func testIdentityEverything(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	u, other := mustUser(t, s, "alice"), mustUser(t, s, "bob")
	alpha, beta, notMine := mustGroup(t, s, "Alpha"), mustGroup(t, s, "beta"), mustGroup(t, s, "gamma")
	for _, g := range []opensts.Group{alpha, beta} {
		must(t, "AddUserToGroup", s.AddUserToGroup(ctx, acctID, g.ID, u.ID, noLimit))
	}
	must(t, "AddUserToGroup other", s.AddUserToGroup(ctx, acctID, notMine.ID, other.ID, noLimit))

	putInline := func(o opensts.Owner, name string) {
		t.Helper()
		must(t, "PutInlinePolicy "+name, s.PutInlinePolicy(ctx, acctID, o, opensts.InlinePolicy{Name: name, Document: doc(name)}, 1, noLimit))
	}
	putInline(userOwner(u), "B-user-inline")
	putInline(userOwner(u), "a-user-inline")
	putInline(userOwner(other), "not-mine")
	putInline(groupOwner(beta), "beta-inline")
	putInline(groupOwner(alpha), "alpha-inline-2")
	putInline(groupOwner(alpha), "Alpha-inline-1")
	putInline(groupOwner(notMine), "gamma-inline")

	zeta, eta := mustPolicy(t, s, "Zeta"), mustPolicy(t, s, "eta")
	_, err := s.CreatePolicyVersion(ctx, acctID, eta.ID, doc("eta-v2"), true, 5, at(50))
	must(t, "CreatePolicyVersion eta v2", err)
	_, err = s.CreatePolicyVersion(ctx, acctID, zeta.ID, doc("zeta-v2-not-default"), false, 5, at(50))
	must(t, "CreatePolicyVersion zeta v2", err)
	forAlpha := newPolicy("ForAlpha", "/grp/")
	must(t, "CreatePolicy", s.CreatePolicy(ctx, forAlpha, doc("ForAlpha"), noLimit))
	unused, gammaOnly := mustPolicy(t, s, "Unused"), mustPolicy(t, s, "GammaOnly")
	attach := func(o opensts.Owner, p opensts.ManagedPolicy) {
		t.Helper()
		must(t, "AttachPolicy "+p.Name, s.AttachPolicy(ctx, acctID, o, p.ID, noLimit))
	}
	attach(userOwner(u), zeta)
	attach(userOwner(u), eta)
	attach(groupOwner(beta), eta)
	attach(groupOwner(alpha), forAlpha)
	attach(groupOwner(notMine), gammaOnly)
	attach(userOwner(other), unused)

	boundary := newPolicy("Boundary", "/limits/")
	must(t, "CreatePolicy boundary", s.CreatePolicy(ctx, boundary, doc("boundary-v1"), noLimit))
	_, err = s.CreatePolicyVersion(ctx, acctID, boundary.ID, doc("boundary-v2"), true, 5, at(60))
	must(t, "CreatePolicyVersion boundary v2", err)
	must(t, "UpdateUser boundary", s.UpdateUser(ctx, acctID, u.ID, func(cur *opensts.User) error {
		cur.PermissionsBoundary = boundary.ARN()
		return nil
	}))

	got, err := s.IdentityPolicies(ctx, acctID, userOwner(u))
	must(t, "IdentityPolicies", err)
	want := opensts.IdentityPolicies{
		Documents: []opensts.PolicyDocument{
			{Source: opensts.SourceUserInline, ID: "a-user-inline", Document: doc("a-user-inline")},
			{Source: opensts.SourceUserInline, ID: "B-user-inline", Document: doc("B-user-inline")},
			{Source: opensts.SourceManaged, ID: eta.ARN(), Document: doc("eta-v2")},
			{Source: opensts.SourceManaged, ID: zeta.ARN(), Document: doc("Zeta")},
			{Source: opensts.SourceGroupInline, ID: "Alpha-inline-1", Document: doc("Alpha-inline-1")},
			{Source: opensts.SourceGroupInline, ID: "alpha-inline-2", Document: doc("alpha-inline-2")},
			{Source: opensts.SourceGroupInline, ID: "beta-inline", Document: doc("beta-inline")},
			{Source: opensts.SourceGroupManaged, ID: forAlpha.ARN(), Document: doc("ForAlpha")},
			{Source: opensts.SourceGroupManaged, ID: eta.ARN(), Document: doc("eta-v2")},
		},
		Boundary: &opensts.PolicyDocument{Source: opensts.SourceBoundary, ID: boundary.ARN(), Document: doc("boundary-v2")},
	}
	diff(t, "IdentityPolicies", want, got)

	// A group's own policies: inline by name, then managed; no boundary.
	gotGroup, err := s.IdentityPolicies(ctx, acctID, groupOwner(alpha))
	must(t, "IdentityPolicies of a group", err)
	diff(t, "IdentityPolicies of a group", opensts.IdentityPolicies{Documents: []opensts.PolicyDocument{
		{Source: opensts.SourceGroupInline, ID: "Alpha-inline-1", Document: doc("Alpha-inline-1")},
		{Source: opensts.SourceGroupInline, ID: "alpha-inline-2", Document: doc("alpha-inline-2")},
		{Source: opensts.SourceGroupManaged, ID: forAlpha.ARN(), Document: doc("ForAlpha")},
	}}, gotGroup)
	_, err = s.IdentityPolicies(ctx, acctID, opensts.Owner{Kind: opensts.OwnerGroup, ID: "AGPAUNKNOWNUNKNOWNX"})
	wantErr(t, "IdentityPolicies unknown group", err, opensts.ErrNotFound)
	_, err = s.IdentityPolicies(ctx, "210987654321", groupOwner(alpha))
	wantErr(t, "IdentityPolicies of a group in another account", err, opensts.ErrNotFound)

	// Changing a default version shows at once.
	must(t, "SetDefaultPolicyVersion eta v1", s.SetDefaultPolicyVersion(ctx, acctID, eta.ID, "v1", at(70)))
	got, err = s.IdentityPolicies(ctx, acctID, userOwner(u))
	must(t, "IdentityPolicies", err)
	want.Documents[2].Document, want.Documents[8].Document = doc("eta"), doc("eta")
	diff(t, "IdentityPolicies after SetDefaultPolicyVersion", want, got)
}

func testIdentityNone(t *testing.T, s opensts.Store) {
	mustAccount(t, s)
	u := mustUser(t, s, "alice")
	other := mustUser(t, s, "bob")
	must(t, "PutInlinePolicy other", s.PutInlinePolicy(t.Context(), acctID, userOwner(other), opensts.InlinePolicy{Name: "x", Document: doc("x")}, 1, noLimit))
	got, err := s.IdentityPolicies(t.Context(), acctID, userOwner(u))
	must(t, "IdentityPolicies", err)
	diff(t, "IdentityPolicies of a user without policies", opensts.IdentityPolicies{}, got)
	if got.Boundary != nil {
		t.Errorf("Boundary = %+v, want nil", got.Boundary)
	}
}

// testIdentityBoundaryMissing: a permissions boundary that names no stored
// policy fails the read. Dropping it would widen the user's permissions.
func testIdentityBoundaryMissing(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	u := mustUser(t, s, "alice")
	p := newPolicy("Real", "/limits/")
	must(t, "CreatePolicy", s.CreatePolicy(ctx, p, doc("real"), noLimit))
	for _, arn := range []string{
		opensts.PolicyARN(acctID, "/", "Missing"),
		opensts.PolicyARN(acctID, "/elsewhere/", "Real"), // wrong path
		opensts.PolicyARN("210987654321", "/limits/", "Real"),
		"arn:aws:iam::aws:policy/ReadOnlyAccess", // an AWS managed policy OpenSTS does not provide
		"arn:aws:iam::aws:policy/service-role/AdministratorAccess",
		"not an arn",
	} {
		must(t, "UpdateUser boundary", s.UpdateUser(ctx, acctID, u.ID, func(cur *opensts.User) error {
			cur.PermissionsBoundary = arn
			return nil
		}))
		if got, err := s.IdentityPolicies(ctx, acctID, userOwner(u)); err == nil {
			t.Errorf("IdentityPolicies with boundary %q = %+v, want an error", arn, got)
		}
	}
}

func testIdentityUnknownUser(t *testing.T, s opensts.Store) {
	mustAccount(t, s)
	u := mustUser(t, s, "alice")
	_, err := s.IdentityPolicies(t.Context(), acctID, opensts.Owner{Kind: opensts.OwnerUser, ID: "AIDAUNKNOWNUNKNOWNX"})
	wantErr(t, "IdentityPolicies unknown user", err, opensts.ErrNotFound)
	_, err = s.IdentityPolicies(t.Context(), "210987654321", userOwner(u))
	wantErr(t, "IdentityPolicies in another account", err, opensts.ErrNotFound)
}

// testIdentitySnapshot reads a user's policies while another caller keeps
// adding the user to a group and removing it again. The group holds one
// inline and one attached policy, so a read that is one snapshot sees both
// or neither; reading the sources at different moments shows one alone.
// The reads go on until both states have been seen several times while the
// membership changes (a run that only ever saw one state proves nothing),
// and fail if that takes longer than snapshotDeadline.
func testIdentitySnapshot(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	u, g := mustUser(t, s, "alice"), mustGroup(t, s, "toggled")
	must(t, "PutInlinePolicy", s.PutInlinePolicy(ctx, acctID, groupOwner(g), opensts.InlinePolicy{Name: "inline", Document: doc("inline")}, 1, noLimit))
	p := mustPolicy(t, s, "Managed")
	must(t, "AttachPolicy", s.AttachPolicy(ctx, acctID, groupOwner(g), p.ID, noLimit))

	// Each state must be seen this many times, and the membership must
	// change at least minToggles times, before the test may pass.
	const (
		minEach    = 3
		minToggles = 20
	)
	var toggles atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			if err := s.AddUserToGroup(ctx, acctID, g.ID, u.ID, noLimit); err != nil {
				t.Errorf("AddUserToGroup: %v", err)
				return
			}
			if err := s.RemoveUserFromGroup(ctx, acctID, g.ID, u.ID); err != nil {
				t.Errorf("RemoveUserFromGroup: %v", err)
				return
			}
			toggles.Add(1)
		}
	})
	defer wg.Wait()
	defer close(stop)
	deadline := time.Now().Add(snapshotDeadline)
	reads, with, without := 0, 0, 0
	for with < minEach || without < minEach || toggles.Load() < minToggles {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %d reads, %d with the group's policies, %d without, %d membership changes; want each state seen %d times during %d changes",
				snapshotDeadline, reads, with, without, toggles.Load(), minEach, minToggles)
		}
		ip, err := s.IdentityPolicies(ctx, acctID, userOwner(u))
		if err != nil {
			t.Fatalf("IdentityPolicies: %v", err)
		}
		reads++
		switch len(ip.Documents) {
		case 0:
			without++
		case 2:
			with++
		default:
			t.Fatalf("IdentityPolicies during membership changes = %+v, want both group policies or neither", ip.Documents)
		}
	}
	t.Logf("%d reads, %d while a member, %d while not, %d membership changes", reads, with, without, toggles.Load())
}

// snapshotDeadline bounds how long testIdentitySnapshot waits to see both
// states.
const snapshotDeadline = 30 * time.Second
