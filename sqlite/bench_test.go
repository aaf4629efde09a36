package sqlite_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/opensts/opensts"
)

// BenchmarkGetAccessKey is the lookup behind every request signed with a
// long-term key.
func BenchmarkGetAccessKey(b *testing.B) {
	db := mustOpen(b, filepath.Join(b.TempDir(), "opensts.db"))
	_, k := populate(b, db)
	ctx := b.Context()
	b.Run("serial", func(b *testing.B) {
		for b.Loop() {
			if _, err := db.GetAccessKey(ctx, k.ID); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := db.GetAccessKey(ctx, k.ID); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// BenchmarkIdentityPolicies reads the policies of a user with 2 inline and
// 3 attached policies in 3 groups that hold 2 inline and 2 attached each,
// plus a boundary: 20 documents in one snapshot.
func BenchmarkIdentityPolicies(b *testing.B) {
	db := mustOpen(b, filepath.Join(b.TempDir(), "opensts.db"))
	u, _ := populate(b, db)
	ctx := b.Context()
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/*"}]}`
	policy := func(name string) opensts.ManagedPolicy {
		p := opensts.ManagedPolicy{AccountID: acct, ID: opensts.NewID(opensts.PrefixManagedPolicy, 17), Name: name, Path: "/", CreatedAt: at, UpdatedAt: at}
		if err := db.CreatePolicy(ctx, p, doc, 1000); err != nil {
			b.Fatal(err)
		}
		return p
	}
	must := func(err error) {
		if err != nil {
			b.Fatal(err)
		}
	}
	userOwner := opensts.Owner{Kind: opensts.OwnerUser, ID: u.ID}
	for i := range 2 {
		must(db.PutInlinePolicy(ctx, acct, userOwner, opensts.InlinePolicy{Name: fmt.Sprint("inline", i), Document: doc}, len(doc), 1<<20))
	}
	for i := range 2 { // plus the one populate attached
		must(db.AttachPolicy(ctx, acct, userOwner, policy(fmt.Sprint("user", i)).ID, 10))
	}
	for g := range 3 {
		grp := opensts.Group{AccountID: acct, ID: opensts.NewID(opensts.PrefixGroup, 17), Name: fmt.Sprint("group", g), Path: "/", CreatedAt: at}
		must(db.CreateGroup(ctx, grp, 100))
		must(db.AddUserToGroup(ctx, acct, grp.ID, u.ID, 10))
		o := opensts.Owner{Kind: opensts.OwnerGroup, ID: grp.ID}
		for i := range 2 {
			must(db.PutInlinePolicy(ctx, acct, o, opensts.InlinePolicy{Name: fmt.Sprint("inline", i), Document: doc}, len(doc), 1<<20))
			must(db.AttachPolicy(ctx, acct, o, policy(fmt.Sprint("group", g, "-", i)).ID, 10))
		}
	}
	boundary := policy("boundary")
	must(db.UpdateUser(ctx, acct, u.ID, func(u *opensts.User) error { u.PermissionsBoundary = boundary.ARN(); return nil }))
	ip, err := db.IdentityPolicies(ctx, acct, opensts.Owner{Kind: opensts.OwnerUser, ID: u.ID})
	must(err)
	if len(ip.Documents) != 17 || ip.Boundary == nil {
		b.Fatalf("IdentityPolicies: %d documents, boundary %v", len(ip.Documents), ip.Boundary)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := db.IdentityPolicies(ctx, acct, opensts.Owner{Kind: opensts.OwnerUser, ID: u.ID}); err != nil {
			b.Fatal(err)
		}
	}
}
