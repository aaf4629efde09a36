package storetest

import (
	"slices"
	"strings"
	"testing"

	"github.com/opensts/opensts"
)

var awsPolicyTests = []test{
	{"Attach", testAWSAttach},
	{"IdentityPolicies", testAWSIdentity},
	{"Boundary", testAWSBoundary},
	{"Entities", testPolicyEntities},
	{"EntitiesOfAWSPolicy", testAWSPolicyEntities},
}

// awsPolicy is one of the AWS managed policies OpenSTS provides.
func awsPolicy(t testing.TB, name string) opensts.ManagedPolicy {
	t.Helper()
	p, _, ok := opensts.AWSManagedPolicyByARN("arn:aws:iam::aws:policy/" + name)
	if !ok {
		t.Fatalf("no AWS managed policy %s", name)
	}
	return p
}

// testAWSAttach: an AWS managed policy, which the store does not hold,
// attaches to users, groups and roles of any account by its id; it is
// listed with its own ARN beside a customer policy of the same name,
// counts against the quota, keeps its owner from being deleted, and
// detaches.
func testAWSAttach(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	admin, power := awsPolicy(t, "AdministratorAccess"), awsPolicy(t, "PowerUserAccess")
	mine := mustPolicy(t, s, "AdministratorAccess") // same name, customer managed
	u, g, r := mustUser(t, s, "alice"), mustGroup(t, s, "admins"), mustRole(t, s, "Deploy")
	for _, o := range []opensts.Owner{userOwner(u), groupOwner(g), roleOwner(r)} {
		for _, id := range []string{admin.ID, power.ID, mine.ID, admin.ID} {
			must(t, "AttachPolicy "+string(o.Kind), s.AttachPolicy(ctx, acctID, o, id, 3))
		}
		want := []opensts.AttachedPolicy{
			{Name: "AdministratorAccess", ARN: mine.ARN()},
			{Name: "AdministratorAccess", ARN: "arn:aws:iam::aws:policy/AdministratorAccess"},
			{Name: "PowerUserAccess", ARN: "arn:aws:iam::aws:policy/PowerUserAccess"},
		}
		if strings.Compare(want[0].ARN, want[1].ARN) > 0 {
			want[0], want[1] = want[1], want[0]
		}
		list := func(opt opensts.ListOptions) (opensts.Page[opensts.AttachedPolicy], error) {
			return s.ListAttachedPolicies(ctx, acctID, o, opt)
		}
		checkPaging(t, "ListAttachedPolicies of "+string(o.Kind), want, list, opensts.ListOptions{})
		checkPaging(t, "ListAttachedPolicies /none/", nil, list, opensts.ListOptions{PathPrefix: "/none/"})
		wantErr(t, "AttachPolicy past the quota", s.AttachPolicy(ctx, acctID, o, awsPolicy(t, "IAMFullAccess").ID, 3), opensts.ErrLimitExceeded)
	}
	wantConflict(t, "DeleteUser with an AWS policy attached", deleteOwner(t, s, userOwner(u)), opensts.DependentAttachedPolicies)
	wantConflict(t, "DeleteRole with an AWS policy attached", deleteOwner(t, s, roleOwner(r)), opensts.DependentAttachedPolicies)

	// The policy itself is nobody's to delete, and another account's
	// attachments are its own.
	must(t, "DetachPolicy", s.DetachPolicy(ctx, acctID, userOwner(u), admin.ID))
	wantErr(t, "DetachPolicy again", s.DetachPolicy(ctx, acctID, userOwner(u), admin.ID), opensts.ErrNotFound)
	page, err := s.ListAttachedPolicies(ctx, acctID, groupOwner(g), opensts.ListOptions{})
	must(t, "ListAttachedPolicies of the group", err)
	if len(page.Items) != 3 {
		t.Errorf("detaching from the user changed the group's attachments: %+v", page.Items)
	}
	wantErr(t, "AttachPolicy of an unknown id", s.AttachPolicy(ctx, acctID, userOwner(u), "ANPAUNKNOWNUNKNOWNUN", noLimit), opensts.ErrNotFound)
}

// deleteOwner deletes a user or role.
func deleteOwner(t *testing.T, s opensts.Store, o opensts.Owner) error {
	t.Helper()
	if o.Kind == opensts.OwnerRole {
		return s.DeleteRole(t.Context(), acctID, o.ID)
	}
	return s.DeleteUser(t.Context(), acctID, o.ID)
}

// testAWSIdentity: the identity policies of a user include the documents of
// the AWS managed policies attached to it and to its groups, named by their
// ARNs; a role's and a group's include their own.
func testAWSIdentity(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	admin, readOnly := awsPolicy(t, "AdministratorAccess"), awsPolicy(t, "IAMReadOnlyAccess")
	_, adminDoc, _ := opensts.AWSManagedPolicyByID(admin.ID)
	_, readDoc, _ := opensts.AWSManagedPolicyByID(readOnly.ID)
	u, g, r := mustUser(t, s, "alice"), mustGroup(t, s, "readers"), mustRole(t, s, "Deploy")
	must(t, "AddUserToGroup", s.AddUserToGroup(ctx, acctID, g.ID, u.ID, noLimit))
	must(t, "AttachPolicy user", s.AttachPolicy(ctx, acctID, userOwner(u), admin.ID, noLimit))
	must(t, "AttachPolicy group", s.AttachPolicy(ctx, acctID, groupOwner(g), readOnly.ID, noLimit))
	must(t, "AttachPolicy role", s.AttachPolicy(ctx, acctID, roleOwner(r), readOnly.ID, noLimit))

	for _, c := range []struct {
		owner opensts.Owner
		want  []opensts.PolicyDocument
	}{
		{userOwner(u), []opensts.PolicyDocument{
			{Source: opensts.SourceManaged, ID: admin.ARN(), Document: adminDoc},
			{Source: opensts.SourceGroupManaged, ID: readOnly.ARN(), Document: readDoc},
		}},
		{groupOwner(g), []opensts.PolicyDocument{{Source: opensts.SourceGroupManaged, ID: readOnly.ARN(), Document: readDoc}}},
		{roleOwner(r), []opensts.PolicyDocument{{Source: opensts.SourceManaged, ID: readOnly.ARN(), Document: readDoc}}},
	} {
		got, err := s.IdentityPolicies(ctx, acctID, c.owner)
		must(t, "IdentityPolicies", err)
		diff(t, "identity policies of "+string(c.owner.Kind), c.want, got.Documents)
	}
}

// testAWSBoundary: an AWS managed policy's ARN is a permissions boundary
// like a customer policy's, for users and roles.
func testAWSBoundary(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	arn := "arn:aws:iam::aws:policy/PowerUserAccess"
	_, want, _ := opensts.AWSManagedPolicyByARN(arn)
	u, r := mustUser(t, s, "alice"), mustRole(t, s, "Deploy")
	must(t, "UpdateUser boundary", s.UpdateUser(ctx, acctID, u.ID, func(cur *opensts.User) error {
		cur.PermissionsBoundary = arn
		return nil
	}))
	must(t, "UpdateRole boundary", s.UpdateRole(ctx, acctID, r.ID, func(cur *opensts.Role) error {
		cur.PermissionsBoundary = arn
		return nil
	}))
	for _, o := range []opensts.Owner{userOwner(u), roleOwner(r)} {
		got, err := s.IdentityPolicies(ctx, acctID, o)
		must(t, "IdentityPolicies", err)
		diff(t, "boundary of "+string(o.Kind), &opensts.PolicyDocument{Source: opensts.SourceBoundary, ID: arn, Document: want}, got.Boundary)
	}
}

func sortEntities(es []opensts.PolicyEntity) []opensts.PolicyEntity {
	slices.SortFunc(es, func(a, b opensts.PolicyEntity) int {
		return strings.Compare(string(a.Kind)+a.Name+boolKey(a.Boundary), string(b.Kind)+b.Name+boolKey(b.Boundary))
	})
	return es
}

func boolKey(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// testPolicyEntities: the users, groups and roles a customer policy is
// attached to, and the users and roles it bounds (the boundary's name in
// any case, its path exact), with their ids, names and paths; nothing of
// other policies or other accounts.
func testPolicyEntities(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	p, other := newPolicy("Ops", "/team/"), mustPolicy(t, s, "Other")
	must(t, "CreatePolicy", s.CreatePolicy(ctx, p, doc("ops"), noLimit))
	u, bounded, g := mustUser(t, s, "alice"), mustUser(t, s, "bob"), mustGroup(t, s, "admins")
	r, boundedRole := mustRole(t, s, "Deploy"), mustRole(t, s, "Bounded")
	mustUser(t, s, "carol") // uses nothing
	must(t, "AttachPolicy user", s.AttachPolicy(ctx, acctID, userOwner(u), p.ID, noLimit))
	must(t, "AttachPolicy group", s.AttachPolicy(ctx, acctID, groupOwner(g), p.ID, noLimit))
	must(t, "AttachPolicy role", s.AttachPolicy(ctx, acctID, roleOwner(r), p.ID, noLimit))
	must(t, "AttachPolicy other", s.AttachPolicy(ctx, acctID, userOwner(bounded), other.ID, noLimit))
	must(t, "UpdateUser boundary", s.UpdateUser(ctx, acctID, bounded.ID, func(cur *opensts.User) error {
		cur.PermissionsBoundary = strings.Replace(p.ARN(), "Ops", "OPS", 1)
		return nil
	}))
	must(t, "UpdateUser boundary", s.UpdateUser(ctx, acctID, u.ID, func(cur *opensts.User) error {
		cur.PermissionsBoundary = opensts.PolicyARN(acctID, "/", "Ops") // another path: another policy
		return nil
	}))
	must(t, "UpdateRole boundary", s.UpdateRole(ctx, acctID, boundedRole.ID, func(cur *opensts.Role) error {
		cur.PermissionsBoundary = p.ARN()
		return nil
	}))

	got, err := s.PolicyEntities(ctx, acctID, p.ID, p.ARN())
	must(t, "PolicyEntities", err)
	want := []opensts.PolicyEntity{
		{Kind: opensts.OwnerGroup, ID: g.ID, Name: g.Name, Path: g.Path},
		{Kind: opensts.OwnerRole, ID: boundedRole.ID, Name: boundedRole.Name, Path: boundedRole.Path, Boundary: true},
		{Kind: opensts.OwnerRole, ID: r.ID, Name: r.Name, Path: r.Path},
		{Kind: opensts.OwnerUser, ID: u.ID, Name: u.Name, Path: u.Path},
		{Kind: opensts.OwnerUser, ID: bounded.ID, Name: bounded.Name, Path: bounded.Path, Boundary: true},
	}
	diff(t, "entities of Ops", sortEntities(want), sortEntities(got))

	got, err = s.PolicyEntities(ctx, "210987654321", p.ID, opensts.PolicyARN("210987654321", "/team/", "Ops"))
	must(t, "PolicyEntities in another account", err)
	if len(got) != 0 {
		t.Errorf("PolicyEntities in another account = %+v, want none", got)
	}
	got, err = s.PolicyEntities(ctx, acctID, "ANPAUNUSEDUNUSEDUNUS", opensts.PolicyARN(acctID, "/", "Unused"))
	must(t, "PolicyEntities of an unused policy", err)
	if len(got) != 0 {
		t.Errorf("PolicyEntities of an unused policy = %+v, want none", got)
	}
}

// testAWSPolicyEntities: an AWS managed policy's users in this account.
func testAWSPolicyEntities(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	admin := awsPolicy(t, "AdministratorAccess")
	u, r := mustUser(t, s, "alice"), mustRole(t, s, "Deploy")
	must(t, "AttachPolicy", s.AttachPolicy(ctx, acctID, roleOwner(r), admin.ID, noLimit))
	must(t, "UpdateUser boundary", s.UpdateUser(ctx, acctID, u.ID, func(cur *opensts.User) error {
		cur.PermissionsBoundary = admin.ARN()
		return nil
	}))
	got, err := s.PolicyEntities(ctx, acctID, admin.ID, admin.ARN())
	must(t, "PolicyEntities", err)
	want := []opensts.PolicyEntity{
		{Kind: opensts.OwnerRole, ID: r.ID, Name: r.Name, Path: r.Path},
		{Kind: opensts.OwnerUser, ID: u.ID, Name: u.Name, Path: u.Path, Boundary: true},
	}
	diff(t, "entities of AdministratorAccess", sortEntities(want), sortEntities(got))
}
