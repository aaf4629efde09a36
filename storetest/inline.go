package storetest

import (
	"fmt"
	"sort"
	"testing"

	"github.com/opensts/opensts"
)

var inlinePolicyTests = []test{
	{"PutGet", testInlinePutGet},
	{"List", testInlineList},
	{"SizeLimit", testInlineSizeLimit},
	{"Delete", testInlineDelete},
	{"UnknownOwner", testInlineUnknownOwner},
}

var attachmentTests = []test{
	{"AttachDetach", testAttachDetach},
	{"Limit", testAttachLimit},
	{"NotFound", testAttachNotFound},
	{"List", testAttachList},
}

func testInlinePutGet(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	// A user and a group of the same name hold separate policies.
	u, g := mustUser(t, s, "alice"), mustGroup(t, s, "alice")
	up := opensts.InlinePolicy{Name: "S3Read", Document: doc("user")}
	gp := opensts.InlinePolicy{Name: "S3Read", Document: doc("group")}
	must(t, "PutInlinePolicy user", s.PutInlinePolicy(ctx, acctID, userOwner(u), up, 10, noLimit))
	must(t, "PutInlinePolicy group", s.PutInlinePolicy(ctx, acctID, groupOwner(g), gp, 10, noLimit))
	for _, name := range []string{"S3Read", "s3read"} {
		got, err := s.GetInlinePolicy(ctx, acctID, userOwner(u), name)
		must(t, "GetInlinePolicy user "+name, err)
		diff(t, "user inline policy", up, got)
		got, err = s.GetInlinePolicy(ctx, acctID, groupOwner(g), name)
		must(t, "GetInlinePolicy group "+name, err)
		diff(t, "group inline policy", gp, got)
	}
	// Put with the same name in another case replaces the policy.
	repl := opensts.InlinePolicy{Name: "s3READ", Document: doc("replaced")}
	must(t, "PutInlinePolicy replace", s.PutInlinePolicy(ctx, acctID, userOwner(u), repl, 10, noLimit))
	got, err := s.GetInlinePolicy(ctx, acctID, userOwner(u), "S3Read")
	must(t, "GetInlinePolicy replaced", err)
	if got.Document != repl.Document {
		t.Errorf("replaced inline policy: document %s, want %s", got.Document, repl.Document)
	}
	names, err := s.ListInlinePolicies(ctx, acctID, userOwner(u), opensts.ListOptions{})
	must(t, "ListInlinePolicies", err)
	if len(names.Items) != 1 {
		t.Errorf("ListInlinePolicies after replace = %v, want one policy", names.Items)
	}
	_, err = s.GetInlinePolicy(ctx, acctID, userOwner(u), "Other")
	wantErr(t, "GetInlinePolicy unknown", err, opensts.ErrNotFound)
	_, err = s.GetInlinePolicy(ctx, "210987654321", userOwner(u), "S3Read")
	wantErr(t, "GetInlinePolicy in another account", err, opensts.ErrNotFound)
}

func testInlineList(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	u, other := mustUser(t, s, "alice"), mustUser(t, s, "bob")
	var names []string
	for i := range 9 {
		name := fmt.Sprintf("%cpolicy", "aBcDeFgHi"[8-i])
		must(t, "PutInlinePolicy", s.PutInlinePolicy(ctx, acctID, userOwner(u), opensts.InlinePolicy{Name: name, Document: doc(name)}, 1, noLimit))
		names = append(names, name)
	}
	must(t, "PutInlinePolicy other", s.PutInlinePolicy(ctx, acctID, userOwner(other), opensts.InlinePolicy{Name: "zz", Document: doc("zz")}, 1, noLimit))
	sort.Slice(names, func(i, j int) bool { return lowerLess(names[i], names[j]) })
	checkPaging(t, "ListInlinePolicies", names, func(opt opensts.ListOptions) (opensts.Page[string], error) {
		return s.ListInlinePolicies(ctx, acctID, userOwner(u), opt)
	}, opensts.ListOptions{})
	p, err := s.ListInlinePolicies(ctx, acctID, userOwner(mustUser(t, s, "carol")), opensts.ListOptions{})
	must(t, "ListInlinePolicies empty", err)
	if len(p.Items) != 0 || p.Marker != "" {
		t.Errorf("ListInlinePolicies of a user without policies = %+v", p)
	}
}

// testInlineSizeLimit: the sizes the caller passes are summed per owner; a
// replacement counts its new size, not the old one as well.
func testInlineSizeLimit(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	u, g := mustUser(t, s, "alice"), mustGroup(t, s, "admins")
	put := func(o opensts.Owner, name string, size int) error {
		return s.PutInlinePolicy(ctx, acctID, o, opensts.InlinePolicy{Name: name, Document: doc(name)}, size, 100)
	}
	must(t, "put a 60 of 100", put(userOwner(u), "a", 60))
	wantErr(t, "put b 50 (110 of 100)", put(userOwner(u), "b", 50), opensts.ErrLimitExceeded)
	_, err := s.GetInlinePolicy(ctx, acctID, userOwner(u), "b")
	wantErr(t, "GetInlinePolicy after a refused put", err, opensts.ErrNotFound)
	must(t, "put b 40 (100 of 100)", put(userOwner(u), "b", 40))
	wantErr(t, "replace a with 61 (101 of 100)", put(userOwner(u), "A", 61), opensts.ErrLimitExceeded)
	got, err := s.GetInlinePolicy(ctx, acctID, userOwner(u), "a")
	must(t, "GetInlinePolicy a", err)
	diff(t, "a after a refused replace", opensts.InlinePolicy{Name: "a", Document: doc("a")}, got)
	must(t, "replace a with 50 (90 of 100)", put(userOwner(u), "a", 50))
	must(t, "put c 10 (100 of 100)", put(userOwner(u), "c", 10))
	// The quota is per owner.
	must(t, "put group policy 100 of 100", put(groupOwner(g), "a", 100))
	wantErr(t, "put group policy 1 more", put(groupOwner(g), "b", 1), opensts.ErrLimitExceeded)
	must(t, "DeleteInlinePolicy c", s.DeleteInlinePolicy(ctx, acctID, userOwner(u), "c"))
	must(t, "put d 10 after a delete", put(userOwner(u), "d", 10))
}

func testInlineDelete(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	u, v := mustUser(t, s, "alice"), mustUser(t, s, "bob")
	p := opensts.InlinePolicy{Name: "S3Read", Document: doc("x")}
	must(t, "PutInlinePolicy alice", s.PutInlinePolicy(ctx, acctID, userOwner(u), p, 10, noLimit))
	must(t, "PutInlinePolicy bob", s.PutInlinePolicy(ctx, acctID, userOwner(v), p, 10, noLimit))
	wantErr(t, "DeleteInlinePolicy in another account", s.DeleteInlinePolicy(ctx, "210987654321", userOwner(u), "S3Read"), opensts.ErrNotFound)
	must(t, "DeleteInlinePolicy", s.DeleteInlinePolicy(ctx, acctID, userOwner(u), "s3read"))
	_, err := s.GetInlinePolicy(ctx, acctID, userOwner(u), "S3Read")
	wantErr(t, "GetInlinePolicy after delete", err, opensts.ErrNotFound)
	wantErr(t, "DeleteInlinePolicy again", s.DeleteInlinePolicy(ctx, acctID, userOwner(u), "S3Read"), opensts.ErrNotFound)
	got, err := s.GetInlinePolicy(ctx, acctID, userOwner(v), "S3Read")
	must(t, "GetInlinePolicy of the other owner", err)
	diff(t, "other owner's policy", p, got)
}

func testInlineUnknownOwner(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	p := opensts.InlinePolicy{Name: "x", Document: doc("x")}
	for _, o := range []opensts.Owner{
		{Kind: opensts.OwnerUser, ID: "AIDAUNKNOWNUNKNOWNX"},
		{Kind: opensts.OwnerGroup, ID: "AGPAUNKNOWNUNKNOWNX"},
		// A user id is not a group id.
		{Kind: opensts.OwnerGroup, ID: mustUser(t, s, "alice").ID},
	} {
		wantErr(t, fmt.Sprintf("PutInlinePolicy for %+v", o), s.PutInlinePolicy(ctx, acctID, o, p, 1, noLimit), opensts.ErrNotFound)
		_, err := s.ListInlinePolicies(ctx, acctID, o, opensts.ListOptions{})
		wantErr(t, fmt.Sprintf("ListInlinePolicies for %+v", o), err, opensts.ErrNotFound)
	}
}

func testAttachDetach(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	u, g := mustUser(t, s, "alice"), mustGroup(t, s, "admins")
	p := newPolicy("Ops", "/svc/")
	must(t, "CreatePolicy", s.CreatePolicy(ctx, p, doc("ops"), noLimit))
	want := []opensts.AttachedPolicy{{Name: "Ops", ARN: opensts.PolicyARN(acctID, "/svc/", "Ops")}}
	for _, o := range []opensts.Owner{userOwner(u), groupOwner(g)} {
		must(t, "AttachPolicy", s.AttachPolicy(ctx, acctID, o, p.ID, noLimit))
		must(t, "AttachPolicy again", s.AttachPolicy(ctx, acctID, o, p.ID, noLimit))
		pg, err := s.ListAttachedPolicies(ctx, acctID, o, opensts.ListOptions{})
		must(t, "ListAttachedPolicies", err)
		diff(t, fmt.Sprintf("attached to %s", o.Kind), want, pg.Items)
	}
	must(t, "DetachPolicy user", s.DetachPolicy(ctx, acctID, userOwner(u), p.ID))
	wantErr(t, "DetachPolicy user again", s.DetachPolicy(ctx, acctID, userOwner(u), p.ID), opensts.ErrNotFound)
	pg, err := s.ListAttachedPolicies(ctx, acctID, userOwner(u), opensts.ListOptions{})
	must(t, "ListAttachedPolicies", err)
	if len(pg.Items) != 0 {
		t.Errorf("attached to user after detach = %v", pg.Items)
	}
	pg, err = s.ListAttachedPolicies(ctx, acctID, groupOwner(g), opensts.ListOptions{})
	must(t, "ListAttachedPolicies", err)
	diff(t, "attached to group after the user's detach", want, pg.Items)
}

// testAttachLimit: maxAttached counts the owner's attachments; attaching an
// attached policy at the limit is still a no-op success.
func testAttachLimit(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	u := mustUser(t, s, "alice")
	p1, p2, p3 := mustPolicy(t, s, "p1"), mustPolicy(t, s, "p2"), mustPolicy(t, s, "p3")
	wantErr(t, "AttachPolicy with maxAttached 0", s.AttachPolicy(ctx, acctID, userOwner(u), p1.ID, 0), opensts.ErrLimitExceeded)
	must(t, "AttachPolicy 1 of 2", s.AttachPolicy(ctx, acctID, userOwner(u), p1.ID, 2))
	must(t, "AttachPolicy 2 of 2", s.AttachPolicy(ctx, acctID, userOwner(u), p2.ID, 2))
	wantErr(t, "AttachPolicy 3 of 2", s.AttachPolicy(ctx, acctID, userOwner(u), p3.ID, 2), opensts.ErrLimitExceeded)
	must(t, "AttachPolicy existing at the limit", s.AttachPolicy(ctx, acctID, userOwner(u), p1.ID, 2))
	pg, err := s.ListAttachedPolicies(ctx, acctID, userOwner(u), opensts.ListOptions{})
	must(t, "ListAttachedPolicies", err)
	if len(pg.Items) != 2 {
		t.Errorf("attached at the limit = %v, want p1 and p2", pg.Items)
	}
	// The limit is per owner.
	must(t, "AttachPolicy other owner", s.AttachPolicy(ctx, acctID, userOwner(mustUser(t, s, "bob")), p3.ID, 2))
}

func testAttachNotFound(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	u := mustUser(t, s, "alice")
	p := mustPolicy(t, s, "Ops")
	wantErr(t, "AttachPolicy unknown policy", s.AttachPolicy(ctx, acctID, userOwner(u), "ANPAUNKNOWNUNKNOWNX", noLimit), opensts.ErrNotFound)
	wantErr(t, "AttachPolicy unknown user", s.AttachPolicy(ctx, acctID, opensts.Owner{Kind: opensts.OwnerUser, ID: "AIDAUNKNOWNUNKNOWNX"}, p.ID, noLimit), opensts.ErrNotFound)
	wantErr(t, "AttachPolicy unknown group", s.AttachPolicy(ctx, acctID, opensts.Owner{Kind: opensts.OwnerGroup, ID: "AGPAUNKNOWNUNKNOWNX"}, p.ID, noLimit), opensts.ErrNotFound)
	wantErr(t, "AttachPolicy in another account", s.AttachPolicy(ctx, "210987654321", userOwner(u), p.ID, noLimit), opensts.ErrNotFound)
	wantErr(t, "DetachPolicy never attached", s.DetachPolicy(ctx, acctID, userOwner(u), p.ID), opensts.ErrNotFound)
	wantErr(t, "DetachPolicy unknown policy", s.DetachPolicy(ctx, acctID, userOwner(u), "ANPAUNKNOWNUNKNOWNX"), opensts.ErrNotFound)
	_, err := s.ListAttachedPolicies(ctx, acctID, opensts.Owner{Kind: opensts.OwnerUser, ID: "AIDAUNKNOWNUNKNOWNX"}, opensts.ListOptions{})
	wantErr(t, "ListAttachedPolicies unknown user", err, opensts.ErrNotFound)
}

func testAttachList(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	g := mustGroup(t, s, "admins")
	var want, svc []opensts.AttachedPolicy
	for i := range 9 {
		name := fmt.Sprintf("%cpolicy", "aBcDeFgHi"[8-i])
		path := "/"
		if i%2 == 0 {
			path = "/svc/"
		}
		p := newPolicy(name, path)
		must(t, "CreatePolicy", s.CreatePolicy(ctx, p, doc(name), noLimit))
		must(t, "AttachPolicy", s.AttachPolicy(ctx, acctID, groupOwner(g), p.ID, noLimit))
		ap := opensts.AttachedPolicy{Name: name, ARN: p.ARN()}
		want = append(want, ap)
		if path == "/svc/" {
			svc = append(svc, ap)
		}
	}
	mustPolicy(t, s, "unattached")
	byName := func(ps []opensts.AttachedPolicy) {
		sort.Slice(ps, func(i, j int) bool { return lowerLess(ps[i].Name, ps[j].Name) })
	}
	byName(want)
	byName(svc)
	list := func(opt opensts.ListOptions) (opensts.Page[opensts.AttachedPolicy], error) {
		return s.ListAttachedPolicies(ctx, acctID, groupOwner(g), opt)
	}
	checkPaging(t, "ListAttachedPolicies", want, list, opensts.ListOptions{})
	checkPaging(t, "ListAttachedPolicies /svc/", svc, list, opensts.ListOptions{PathPrefix: "/svc/"})
}
