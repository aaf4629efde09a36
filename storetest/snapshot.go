package storetest

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opensts/opensts"
)

// RunSnapshot runs the conformance suite of opensts.Snapshotter, which
// `opensts store copy` uses to move an installation between backends.
// newStore has Run's contract, and its stores must implement Snapshotter.
//
// Choices the suite pins, beyond snapshot.go's contract:
//
//   - A snapshot lists everything in one order, so that snapshots of the
//     same content taken from different backends are equal: accounts by
//     id; users, roles and groups by account, then id; memberships by account,
//     group id, user id; access keys by id; MFA devices by account, then
//     serial number; managed policies by account, then id, each with its
//     versions oldest first; inline policies by account, owner kind, owner
//     id, case-folded name; attachments by account, owner kind, owner id,
//     policy id; the key ring and the signing keys in set order; outbound
//     federation switches by account. All comparisons are byte-wise.
//   - ManagedPolicy.AttachmentCount is filled in as reads fill it in;
//     Restore ignores it. IsDefault of each version follows the policy's
//     DefaultVersionID.
//   - Restore of a snapshot that breaks a store rule (for example two users
//     whose names differ only in case) fails and writes nothing; a nil
//     snapshot, or one whose default account is not among its accounts,
//     fails with ErrInvalidInput.
//   - A store is empty when it holds nothing at all: a store with only a
//     key ring or only signing keys (which nodes create on start) is not
//     empty either.
//   - Snapshot is one consistent view: while another caller creates and
//     deletes entities that depend on each other, no snapshot shows a
//     dependent without what it depends on.
func RunSnapshot(t *testing.T, newStore func(t *testing.T) opensts.Store) {
	snapshotter := func(t *testing.T) (opensts.Store, opensts.Snapshotter) {
		t.Helper()
		s := newStore(t)
		sn, ok := s.(opensts.Snapshotter)
		if !ok {
			t.Fatalf("%T does not implement opensts.Snapshotter", s)
		}
		return s, sn
	}
	t.Run("RoundTrip", func(t *testing.T) {
		src, srcSn := snapshotter(t)
		want := populateAll(t, src)
		got, err := srcSn.Snapshot(t.Context())
		must(t, "Snapshot", err)
		diff(t, "snapshot of the populated store", want, got)

		dst, dstSn := snapshotter(t)
		must(t, "Restore into an empty store", dstSn.Restore(t.Context(), got))
		again, err := dstSn.Snapshot(t.Context())
		must(t, "Snapshot of the restored store", err)
		diff(t, "snapshot of the restored store", got, again)
		checkRestored(t, src, dst, want)
	})
	t.Run("Empty", func(t *testing.T) {
		s, sn := snapshotter(t)
		got, err := sn.Snapshot(t.Context())
		must(t, "Snapshot of an empty store", err)
		diff(t, "snapshot of an empty store", &opensts.Snapshot{}, got)
		must(t, "Restore of an empty snapshot", sn.Restore(t.Context(), got))
		_, err = s.DefaultAccount(t.Context())
		wantErr(t, "DefaultAccount after restoring nothing", err, opensts.ErrNotFound)
	})
	t.Run("RestoreIntoNonEmpty", func(t *testing.T) {
		src, srcSn := snapshotter(t)
		populateAll(t, src)
		snap, err := srcSn.Snapshot(t.Context())
		must(t, "Snapshot", err)

		// The same content, a store with only the default account, and one
		// with only a key ring are all not empty.
		wantErr(t, "Restore into its own store", srcSn.Restore(t.Context(), snap), opensts.ErrConflict)
		acct, acctSn := snapshotter(t)
		mustAccount(t, acct)
		before, err := acctSn.Snapshot(t.Context())
		must(t, "Snapshot", err)
		wantErr(t, "Restore into a store with an account", acctSn.Restore(t.Context(), snap), opensts.ErrConflict)
		after, err := acctSn.Snapshot(t.Context())
		must(t, "Snapshot", err)
		diff(t, "store after a refused Restore", before, after)

		ring, ringSn := snapshotter(t)
		must(t, "UpdateTokenKeys", ring.UpdateTokenKeys(t.Context(), func([]opensts.TokenKey) ([]opensts.TokenKey, error) {
			return []opensts.TokenKey{tokenKey(9, 0)}, nil
		}))
		wantErr(t, "Restore into a store with a key ring", ringSn.Restore(t.Context(), snap), opensts.ErrConflict)
		_, err = ring.DefaultAccount(t.Context())
		wantErr(t, "DefaultAccount after a refused Restore", err, opensts.ErrNotFound)

		signing, signingSn := snapshotter(t)
		must(t, "UpdateSigningKeys", signing.UpdateSigningKeys(t.Context(), func([]opensts.SigningKey) ([]opensts.SigningKey, error) {
			return []opensts.SigningKey{signingKey(1, 0)}, nil
		}))
		wantErr(t, "Restore into a store with signing keys", signingSn.Restore(t.Context(), snap), opensts.ErrConflict)
	})
	t.Run("RestoreInvalid", func(t *testing.T) {
		src, srcSn := snapshotter(t)
		populateAll(t, src)
		snap, err := srcSn.Snapshot(t.Context())
		must(t, "Snapshot", err)
		s, sn := snapshotter(t)

		wantErr(t, "Restore nil", sn.Restore(t.Context(), nil), opensts.ErrInvalidInput)
		noDefault := *snap
		noDefault.DefaultAccountID = "210987654321"
		wantErr(t, "Restore with an unknown default account", sn.Restore(t.Context(), &noDefault), opensts.ErrInvalidInput)

		// A rule broken late in the snapshot (two users whose names differ
		// only in case) fails the whole restore.
		dup := *snap
		clash := dup.Users[0]
		clash.ID = opensts.NewID(opensts.PrefixUser, 17)
		clash.Name = swapCase(clash.Name)
		dup.Users = append(slices.Clone(dup.Users), clash)
		if err := sn.Restore(t.Context(), &dup); err == nil {
			t.Fatalf("Restore of a snapshot with two users named %q and %q succeeded", dup.Users[0].Name, clash.Name)
		}
		got, err := sn.Snapshot(t.Context())
		must(t, "Snapshot after a failed Restore", err)
		diff(t, "store after a failed Restore", &opensts.Snapshot{}, got)
		_, err = s.DefaultAccount(t.Context())
		wantErr(t, "DefaultAccount after a failed Restore", err, opensts.ErrNotFound)
		// Nothing was left behind: the valid snapshot restores now.
		must(t, "Restore after a failed Restore", sn.Restore(t.Context(), snap))
	})
	t.Run("Consistent", func(t *testing.T) {
		s, sn := snapshotter(t)
		testSnapshotConsistent(t, s, sn)
	})
}

// RunCopy checks a copy between two backends, as `opensts store copy`
// makes it: a store from newFrom, populated with every kind of entity, is
// restored into an empty store from newTo, and the copy's snapshot equals
// the original's entity for entity, in the same order, and the copy
// answers as the original does.
func RunCopy(t *testing.T, newFrom, newTo func(t *testing.T) opensts.Store) {
	src, dst := newFrom(t), newTo(t)
	srcSn, ok1 := src.(opensts.Snapshotter)
	dstSn, ok2 := dst.(opensts.Snapshotter)
	if !ok1 || !ok2 {
		t.Fatalf("%T and %T must both implement opensts.Snapshotter", src, dst)
	}
	want := populateAll(t, src)
	snap, err := srcSn.Snapshot(t.Context())
	must(t, "Snapshot of the source", err)
	diff(t, "snapshot of the source", want, snap)
	must(t, "Restore into the target", dstSn.Restore(t.Context(), snap))
	got, err := dstSn.Snapshot(t.Context())
	must(t, "Snapshot of the target", err)
	diff(t, "snapshot of the target", snap, got)
	checkRestored(t, src, dst, want)
}

// populateAll writes one or more entities of every kind through the Store
// interface, including states only updates reach (inactive keys, deleted
// policy versions, a moved default version, locked MFA devices, retired
// token keys), and returns the snapshot that must describe the store.
func populateAll(t *testing.T, s opensts.Store) *opensts.Snapshot {
	t.Helper()
	ctx := t.Context()
	want := &opensts.Snapshot{DefaultAccountID: acctID}

	a, rootKey := newAccount(acctID)
	_, created, err := s.InitDefaultAccount(ctx, a, rootKey)
	must(t, "InitDefaultAccount", err)
	if !created {
		t.Fatal("InitDefaultAccount on an empty store: created = false")
	}
	want.Accounts = []opensts.Account{a}
	rootKey2 := newKey(acctID, 40)
	rootKey2.Status = opensts.AccessKeyInactive
	must(t, "CreateAccessKey root", s.CreateAccessKey(ctx, rootKey2, noLimit))

	boundary := newPolicy("Boundary", "/limits/")
	must(t, "CreatePolicy Boundary", s.CreatePolicy(ctx, boundary, doc("boundary"), noLimit))
	alice := newUser("Alice", "/eng/")
	alice.Tags = []opensts.Tag{{Key: "Team", Value: "platform"}, {Key: "empty", Value: ""}}
	alice.PermissionsBoundary = boundary.ARN()
	bob, carol := newUser("bob", "/"), newUser("Carol", "/ops/")
	for _, u := range []opensts.User{alice, bob, carol} {
		must(t, "CreateUser "+u.Name, s.CreateUser(ctx, u, noLimit))
	}
	want.Users = []opensts.User{alice, bob, carol}

	deploy, reader := newRole("Deploy", "/ci/"), newRole("reader", "/")
	deploy.Description, deploy.MaxSessionDuration = "CI deploys", 7200
	deploy.PermissionsBoundary = boundary.ARN()
	deploy.Tags = []opensts.Tag{{Key: "Team", Value: "platform"}}
	deploy.LastUsed, deploy.LastUsedRegion = at(80), "eu-west-1"
	deploy.TrustedIDs = map[string]string{alice.ARN(): alice.ID}
	for _, r := range []opensts.Role{deploy, reader} {
		must(t, "CreateRole "+r.Name, s.CreateRole(ctx, r, noLimit))
	}
	want.Roles = []opensts.Role{deploy, reader}

	eks, gitlab := newOIDCProvider("https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE"), newOIDCProvider("https://gitlab.example.com")
	eks.ClientIDs, eks.Thumbprints = []string{"sts.amazonaws.com", "other"}, []string{"9e99a48a9960b14926bb7f3b02e22da2b0ab7280"}
	eks.Tags = []opensts.Tag{{Key: "cluster", Value: "prod"}}
	for _, p := range []opensts.OIDCProvider{eks, gitlab} {
		must(t, "CreateOIDCProvider "+p.URL, s.CreateOIDCProvider(ctx, p, noLimit))
	}
	want.OIDCProviders = []opensts.OIDCProvider{eks, gitlab}

	okta, adfs := newSAMLProvider("Okta"), newSAMLProvider("ADFS")
	okta.Tags = []opensts.Tag{{Key: "idp", Value: "okta"}}
	for _, p := range []opensts.SAMLProvider{okta, adfs} {
		must(t, "CreateSAMLProvider "+p.Name, s.CreateSAMLProvider(ctx, p, noLimit))
	}
	want.SAMLProviders = []opensts.SAMLProvider{okta, adfs}

	admins, devs := newGroup("Admins", "/ops/"), newGroup("devs", "/")
	for _, g := range []opensts.Group{admins, devs} {
		must(t, "CreateGroup "+g.Name, s.CreateGroup(ctx, g, noLimit))
	}
	want.Groups = []opensts.Group{admins, devs}
	for _, m := range []opensts.Membership{
		{AccountID: acctID, GroupID: admins.ID, UserID: alice.ID},
		{AccountID: acctID, GroupID: devs.ID, UserID: alice.ID},
		{AccountID: acctID, GroupID: admins.ID, UserID: bob.ID},
	} {
		must(t, "AddUserToGroup", s.AddUserToGroup(ctx, acctID, m.GroupID, m.UserID, noLimit))
		want.Memberships = append(want.Memberships, m)
	}

	aliceKey, aliceOld, bobKey := newKey(alice.ID, 41), newKey(alice.ID, 42), newKey(bob.ID, 43)
	aliceOld.SealedSecret = sealed(11)
	for _, k := range []opensts.AccessKey{aliceKey, aliceOld, bobKey} {
		must(t, "CreateAccessKey", s.CreateAccessKey(ctx, k, noLimit))
	}
	must(t, "UpdateAccessKey deactivate", s.UpdateAccessKey(ctx, aliceOld.ID, func(k *opensts.AccessKey) error {
		k.Status = opensts.AccessKeyInactive
		return nil
	}))
	aliceOld.Status = opensts.AccessKeyInactive
	want.AccessKeys = []opensts.AccessKey{rootKey, rootKey2, aliceKey, aliceOld, bobKey}

	phone := newVirtualDevice("alice-phone", "/eng/")
	must(t, "CreateMFADevice phone", s.CreateMFADevice(ctx, phone, noLimit))
	must(t, "UpdateMFADevice phone", s.UpdateMFADevice(ctx, acctID, phone.SerialNumber, func(d *opensts.MFADevice) error {
		d.UserID, d.EnableDate = alice.ID, at(44)
		d.LastUsedStep, d.Drift, d.FailedAttempts, d.LockedUntil = 57_000_123, -2, 4, at(45)
		return nil
	}))
	phone.UserID, phone.EnableDate = alice.ID, at(44)
	phone.LastUsedStep, phone.Drift, phone.FailedAttempts, phone.LockedUntil = 57_000_123, -2, 4, at(45)
	token := opensts.MFADevice{AccountID: acctID, SerialNumber: "GAHT12345678", Kind: opensts.MFAHardware,
		SealedSeed: allBytes, CreatedAt: at(46)}
	rootDev := newVirtualDevice("root-device", "/")
	rootDev.UserID, rootDev.EnableDate, rootDev.Tags = acctID, at(47), nil
	for _, d := range []opensts.MFADevice{token, rootDev} {
		must(t, "CreateMFADevice "+d.SerialNumber, s.CreateMFADevice(ctx, d, noLimit))
	}
	want.MFADevices = []opensts.MFADevice{phone, token, rootDev}

	// Ops: v1..v4, default moved to v3, v2 and v4 deleted: next is v5.
	ops := newPolicy("Ops", "/svc/")
	ops.Tags = []opensts.Tag{{Key: "owner", Value: "sec"}}
	must(t, "CreatePolicy Ops", s.CreatePolicy(ctx, ops, doc("ops-v1"), noLimit))
	var opsVersions []opensts.PolicyVersion
	for i := 2; i <= 4; i++ {
		v, err := s.CreatePolicyVersion(ctx, acctID, ops.ID, doc(fmt.Sprintf("ops-v%d", i)), false, noLimit, at(50+i))
		must(t, "CreatePolicyVersion", err)
		opsVersions = append(opsVersions, v)
	}
	must(t, "SetDefaultPolicyVersion v3", s.SetDefaultPolicyVersion(ctx, acctID, ops.ID, "v3", at(60)))
	must(t, "DeletePolicyVersion v2", s.DeletePolicyVersion(ctx, acctID, ops.ID, "v2"))
	must(t, "DeletePolicyVersion v4", s.DeletePolicyVersion(ctx, acctID, ops.ID, "v4"))
	unused := newPolicy("unused", "/")
	must(t, "CreatePolicy unused", s.CreatePolicy(ctx, unused, doc("unused"), noLimit))

	ops.DefaultVersionID, ops.UpdatedAt, ops.AttachmentCount = "v3", at(60), 3
	boundary.DefaultVersionID = "v1"
	unused.DefaultVersionID, unused.AttachmentCount = "v1", 1
	v3 := opsVersions[1]
	v3.IsDefault = true
	want.Policies = []opensts.SnapshotPolicy{
		{Policy: ops, NextVersion: 5, Versions: []opensts.PolicyVersion{
			{VersionID: "v1", Document: doc("ops-v1"), CreatedAt: ops.CreatedAt}, v3}},
		{Policy: boundary, NextVersion: 2, Versions: []opensts.PolicyVersion{
			{VersionID: "v1", Document: doc("boundary"), IsDefault: true, CreatedAt: boundary.CreatedAt}}},
		{Policy: unused, NextVersion: 2, Versions: []opensts.PolicyVersion{
			{VersionID: "v1", Document: doc("unused"), IsDefault: true, CreatedAt: unused.CreatedAt}}},
	}

	inline := []opensts.SnapshotInlinePolicy{
		{AccountID: acctID, Owner: userOwner(alice), Policy: opensts.InlinePolicy{Name: "S3Read", Document: doc("s3")}, Size: 17},
		{AccountID: acctID, Owner: userOwner(alice), Policy: opensts.InlinePolicy{Name: "billing", Document: doc("billing")}, Size: 5},
		{AccountID: acctID, Owner: groupOwner(admins), Policy: opensts.InlinePolicy{Name: "Admin", Document: doc("admin")}, Size: 9},
		{AccountID: acctID, Owner: roleOwner(deploy), Policy: opensts.InlinePolicy{Name: "Deploy", Document: doc("deploy")}, Size: 6},
	}
	for _, p := range inline {
		must(t, "PutInlinePolicy "+p.Policy.Name, s.PutInlinePolicy(ctx, acctID, p.Owner, p.Policy, p.Size, noLimit))
	}
	want.InlinePolicies = inline
	for _, att := range []opensts.SnapshotAttachment{
		{AccountID: acctID, Owner: userOwner(alice), PolicyID: ops.ID},
		{AccountID: acctID, Owner: groupOwner(admins), PolicyID: ops.ID},
		{AccountID: acctID, Owner: userOwner(bob), PolicyID: unused.ID},
		{AccountID: acctID, Owner: roleOwner(deploy), PolicyID: ops.ID},
		{AccountID: acctID, Owner: roleOwner(deploy), PolicyID: awsPolicy(t, "AdministratorAccess").ID},
	} {
		must(t, "AttachPolicy", s.AttachPolicy(ctx, acctID, att.Owner, att.PolicyID, noLimit))
		want.Attachments = append(want.Attachments, att)
	}

	active, retired, oldest := tokenKey(3, 70), tokenKey(2, 60), tokenKey(0xfffffffe, 50)
	retired.RetiredAt, retired.ExpiresAt = at(70), at(70).Add(36*time.Hour)
	oldest.RetiredAt, oldest.ExpiresAt = at(60), at(60).Add(36*time.Hour)
	oldest.Sealed = allBytes
	want.TokenKeys = []opensts.TokenKey{active, retired, oldest}
	must(t, "UpdateTokenKeys", s.UpdateTokenKeys(ctx, func([]opensts.TokenKey) ([]opensts.TokenKey, error) {
		return want.TokenKeys, nil
	}))

	pending, current, old := signingKey(5, 80), signingKey(4, 70), signingKey(3, 60)
	current.RetiredAt, current.ExpiresAt = pending.ActiveAt, pending.ActiveAt.Add(65*time.Minute)
	old.Sealed, old.Public = allBytes, allBytes[7:]
	want.SigningKeys = []opensts.SigningKey{pending, current, old}
	must(t, "UpdateSigningKeys", s.UpdateSigningKeys(ctx, func([]opensts.SigningKey) ([]opensts.SigningKey, error) {
		return want.SigningKeys, nil
	}))
	_, err = s.SetOutboundFederation(ctx, acctID, true, at(90))
	must(t, "SetOutboundFederation", err)
	want.OutboundFederations = []opensts.OutboundFederation{{AccountID: acctID, Enabled: true, ChangedAt: at(90)}}

	sortSnapshot(want)
	return want
}

// sortSnapshot puts want in the order RunSnapshot pins.
func sortSnapshot(s *opensts.Snapshot) {
	slices.SortFunc(s.Accounts, func(a, b opensts.Account) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortFunc(s.Users, func(a, b opensts.User) int {
		return cmp.Or(cmp.Compare(a.AccountID, b.AccountID), cmp.Compare(a.ID, b.ID))
	})
	slices.SortFunc(s.Roles, func(a, b opensts.Role) int {
		return cmp.Or(cmp.Compare(a.AccountID, b.AccountID), cmp.Compare(a.ID, b.ID))
	})
	slices.SortFunc(s.OIDCProviders, func(a, b opensts.OIDCProvider) int {
		return cmp.Or(cmp.Compare(a.AccountID, b.AccountID), cmp.Compare(a.ID, b.ID))
	})
	slices.SortFunc(s.SAMLProviders, func(a, b opensts.SAMLProvider) int {
		return cmp.Or(cmp.Compare(a.AccountID, b.AccountID), cmp.Compare(a.ID, b.ID))
	})
	slices.SortFunc(s.Groups, func(a, b opensts.Group) int {
		return cmp.Or(cmp.Compare(a.AccountID, b.AccountID), cmp.Compare(a.ID, b.ID))
	})
	slices.SortFunc(s.Memberships, func(a, b opensts.Membership) int {
		return cmp.Or(cmp.Compare(a.AccountID, b.AccountID), cmp.Compare(a.GroupID, b.GroupID), cmp.Compare(a.UserID, b.UserID))
	})
	slices.SortFunc(s.AccessKeys, func(a, b opensts.AccessKey) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortFunc(s.MFADevices, func(a, b opensts.MFADevice) int {
		return cmp.Or(cmp.Compare(a.AccountID, b.AccountID), cmp.Compare(a.SerialNumber, b.SerialNumber))
	})
	slices.SortFunc(s.Policies, func(a, b opensts.SnapshotPolicy) int {
		return cmp.Or(cmp.Compare(a.Policy.AccountID, b.Policy.AccountID), cmp.Compare(a.Policy.ID, b.Policy.ID))
	})
	slices.SortFunc(s.InlinePolicies, func(a, b opensts.SnapshotInlinePolicy) int {
		return cmp.Or(cmp.Compare(a.AccountID, b.AccountID), cmp.Compare(a.Owner.Kind, b.Owner.Kind),
			cmp.Compare(a.Owner.ID, b.Owner.ID), cmp.Compare(lower(a.Policy.Name), lower(b.Policy.Name)))
	})
	slices.SortFunc(s.Attachments, func(a, b opensts.SnapshotAttachment) int {
		return cmp.Or(cmp.Compare(a.AccountID, b.AccountID), cmp.Compare(a.Owner.Kind, b.Owner.Kind),
			cmp.Compare(a.Owner.ID, b.Owner.ID), cmp.Compare(a.PolicyID, b.PolicyID))
	})
}

// checkRestored reads the restored store through the Store interface: it
// answers as the original does, and keeps counting where it left off.
func checkRestored(t *testing.T, src, dst opensts.Store, want *opensts.Snapshot) {
	t.Helper()
	ctx := t.Context()
	acct, err := dst.DefaultAccount(ctx)
	must(t, "DefaultAccount of the restored store", err)
	diff(t, "default account", want.Accounts[0], acct)
	for _, k := range want.AccessKeys {
		got, err := dst.GetAccessKey(ctx, k.ID)
		must(t, "GetAccessKey "+k.ID, err)
		diff(t, "restored access key", k, got)
	}
	for _, u := range want.Users {
		got, err := dst.GetUser(ctx, acctID, lower(u.Name))
		must(t, "GetUser "+u.Name, err)
		diff(t, "restored user", u, got)
		wantIP, err := src.IdentityPolicies(ctx, acctID, opensts.Owner{Kind: opensts.OwnerUser, ID: u.ID})
		must(t, "IdentityPolicies of the original", err)
		gotIP, err := dst.IdentityPolicies(ctx, acctID, opensts.Owner{Kind: opensts.OwnerUser, ID: u.ID})
		must(t, "IdentityPolicies of the copy", err)
		diff(t, "identity policies of "+u.Name, wantIP, gotIP)
	}
	for _, r := range want.Roles {
		got, err := dst.GetRole(ctx, acctID, lower(r.Name))
		must(t, "GetRole "+r.Name, err)
		diff(t, "restored role", r, got)
		wantIP, err := src.IdentityPolicies(ctx, acctID, roleOwner(r))
		must(t, "IdentityPolicies of the original", err)
		gotIP, err := dst.IdentityPolicies(ctx, acctID, roleOwner(r))
		must(t, "IdentityPolicies of the copy", err)
		diff(t, "identity policies of "+r.Name, wantIP, gotIP)
	}
	for _, p := range want.OIDCProviders {
		got, err := dst.GetOIDCProvider(ctx, acctID, p.URL)
		must(t, "GetOIDCProvider "+p.URL, err)
		diff(t, "restored OIDC provider", p, got)
		wantErr(t, "CreateOIDCProvider "+p.URL+" on the copy", dst.CreateOIDCProvider(ctx, newOIDCProvider(p.URL), noLimit), opensts.ErrAlreadyExists)
	}
	for _, p := range want.SAMLProviders {
		got, err := dst.GetSAMLProvider(ctx, acctID, p.Name)
		must(t, "GetSAMLProvider "+p.Name, err)
		diff(t, "restored SAML provider", p, got)
		wantErr(t, "CreateSAMLProvider "+p.Name+" on the copy", dst.CreateSAMLProvider(ctx, newSAMLProvider(strings.ToUpper(p.Name)), noLimit), opensts.ErrAlreadyExists)
	}
	keys, err := dst.ListTokenKeys(ctx)
	must(t, "ListTokenKeys", err)
	diff(t, "restored key ring", want.TokenKeys, keys)
	signing, err := dst.ListSigningKeys(ctx)
	must(t, "ListSigningKeys", err)
	diff(t, "restored signing keys", want.SigningKeys, signing)
	prev, err := dst.SetOutboundFederation(ctx, acctID, true, at(100))
	must(t, "SetOutboundFederation on the copy", err)
	if !prev {
		t.Error("outbound federation on the copy: previous = false, want true (restored)")
	}

	// Version numbers continue: v5, not a deleted v2 or v4.
	ops := want.Policies[slices.IndexFunc(want.Policies, func(p opensts.SnapshotPolicy) bool { return p.Policy.Name == "Ops" })].Policy
	v, err := dst.CreatePolicyVersion(ctx, acctID, ops.ID, doc("after"), false, noLimit, at(80))
	must(t, "CreatePolicyVersion on the copy", err)
	if v.VersionID != "v5" {
		t.Errorf("first version created on the copy = %s, want v5", v.VersionID)
	}
	// Names stay taken case-insensitively; the MFA replay step is kept.
	wantErr(t, "CreateUser ALICE on the copy", dst.CreateUser(ctx, newUser("ALICE", "/"), noLimit), opensts.ErrAlreadyExists)
	d, err := dst.GetMFADevice(ctx, acctID, want.MFADevices[slices.IndexFunc(want.MFADevices, func(d opensts.MFADevice) bool {
		return d.Name == "alice-phone"
	})].SerialNumber)
	must(t, "GetMFADevice on the copy", err)
	if d.LastUsedStep != 57_000_123 {
		t.Errorf("LastUsedStep on the copy = %d, want 57000123", d.LastUsedStep)
	}
}

// testSnapshotConsistent takes snapshots while another caller creates and
// deletes a user with an access key and a policy (with its version): a
// snapshot read piecemeal would show a key without its user or a policy
// without its version.
func testSnapshotConsistent(t *testing.T, s opensts.Store, sn opensts.Snapshotter) {
	ctx := t.Context()
	mustAccount(t, s)
	const rounds = 30
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(done)
		for i := range rounds {
			u := newUser(fmt.Sprintf("churn%d", i), "/")
			k := newKey(u.ID, i)
			p := newPolicy(fmt.Sprintf("Churn%d", i), "/")
			for _, step := range []func() error{
				func() error { return s.CreateUser(ctx, u, noLimit) },
				func() error { return s.CreateAccessKey(ctx, k, noLimit) },
				func() error { return s.CreatePolicy(ctx, p, doc("churn"), noLimit) },
				func() error { return s.DeleteAccessKey(ctx, k.ID) },
				func() error { return s.DeleteUser(ctx, acctID, u.ID) },
				func() error { return s.DeletePolicy(ctx, acctID, p.ID) },
			} {
				if err := step(); err != nil {
					t.Errorf("churn: %v", err)
					return
				}
			}
		}
	})
	defer wg.Wait()
	snaps := 0
	for running := true; running; snaps++ {
		select {
		case <-done:
			running = false
		default:
		}
		snap, err := sn.Snapshot(ctx)
		if err != nil {
			t.Errorf("Snapshot: %v", err)
			return
		}
		users := make(map[string]bool)
		for _, u := range snap.Users {
			users[u.ID] = true
		}
		for _, k := range snap.AccessKeys {
			if !k.IsRoot() && !users[k.UserID] {
				t.Errorf("snapshot has access key %s of user %s but not the user", k.ID, k.UserID)
				return
			}
		}
		for _, p := range snap.Policies {
			if len(p.Versions) == 0 {
				t.Errorf("snapshot has policy %s without versions", p.Policy.Name)
				return
			}
		}
	}
	t.Logf("%d snapshots during %d rounds of changes", snaps, rounds)
}

// swapCase returns name with the case of every ASCII letter swapped.
func swapCase(name string) string {
	b := []byte(name)
	for i, c := range b {
		switch {
		case 'a' <= c && c <= 'z':
			b[i] = c - 'a' + 'A'
		case 'A' <= c && c <= 'Z':
			b[i] = c - 'A' + 'a'
		}
	}
	return string(b)
}

// lower is the case folding of names, as the stores apply it.
func lower(s string) string { return strings.ToLower(s) }
