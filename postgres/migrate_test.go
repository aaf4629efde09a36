package postgres_test

import (
	"context"
	"os"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/internal/pgtest"
)

// A database an older binary left at version 1 is brought to version 2 on
// Open: its rows stay, roles can be created and hold policies (the owner
// kind checks now allow 'role'), and the widened checks still refuse
// other kinds.
func TestMigrateFromVersion1(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	v1, err := os.ReadFile("migrations/0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, q := range []string{
		string(v1),
		`CREATE TABLE schema_migrations (version integer NOT NULL PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)`,
		`INSERT INTO schema_migrations VALUES (1, '0001_init.sql', now())`,
		`INSERT INTO accounts (id, is_default, created_at) VALUES ('` + acct + `', true, now())`,
		`INSERT INTO users (id, account_id, name, name_lower, path, created_at) VALUES ('AIDAOLDOLDOLDOLDOLD', '` + acct + `', 'Old', 'old', '/', now())`,
		`INSERT INTO inline_policies (account_id, owner_kind, owner_id, name, name_lower, document, size)
			VALUES ('` + acct + `', 'user', 'AIDAOLDOLDOLDOLDOLD', 'Kept', 'kept', '{}', 2)`,
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatalf("set up version 1: %v", err)
		}
	}

	db := mustOpen(t, dsn)
	if got := schemaVersions(t, dsn); !slices.Equal(got, []int{1, 2, 3, 4, 5, 6}) {
		t.Fatalf("schema_migrations after Open = %v, want [1 2 3 4 5 6]", got)
	}
	kept, err := db.GetInlinePolicy(ctx, acct, opensts.Owner{Kind: opensts.OwnerUser, ID: "AIDAOLDOLDOLDOLDOLD"}, "kept")
	if err != nil || kept.Name != "Kept" {
		t.Errorf("inline policy of version 1 = %+v, %v", kept, err)
	}

	r := opensts.Role{AccountID: acct, ID: "AROANEWNEWNEWNEWNEW", Name: "New", Path: "/", TrustPolicy: "{}", CreatedAt: at}
	if err := db.CreateRole(ctx, r, 10); err != nil {
		t.Fatalf("CreateRole: %v", err)
	}
	owner := opensts.Owner{Kind: opensts.OwnerRole, ID: r.ID}
	if err := db.PutInlinePolicy(ctx, acct, owner, opensts.InlinePolicy{Name: "p", Document: "{}"}, 2, 100); err != nil {
		t.Errorf("PutInlinePolicy on a role: %v", err)
	}
	p := opensts.ManagedPolicy{AccountID: acct, ID: "ANPANEWNEWNEWNEWNEW", Name: "M", Path: "/", CreatedAt: at, UpdatedAt: at}
	if err := db.CreatePolicy(ctx, p, "{}", 10); err != nil {
		t.Fatalf("CreatePolicy: %v", err)
	}
	if err := db.AttachPolicy(ctx, acct, owner, p.ID, 10); err != nil {
		t.Errorf("AttachPolicy to a role: %v", err)
	}
	if prev, err := db.SetOutboundFederation(ctx, acct, true, at); err != nil || prev {
		t.Errorf("SetOutboundFederation on an account of version 1 = %v, %v; want false, nil", prev, err)
	}

	for _, q := range []string{
		`INSERT INTO inline_policies (account_id, owner_kind, owner_id, name, name_lower, document, size)
			VALUES ('` + acct + `', 'bogus', 'x', 'x', 'x', '{}', 2)`,
		`INSERT INTO policy_attachments (account_id, owner_kind, owner_id, policy_id)
			VALUES ('` + acct + `', 'bogus', 'x', 'ANPANEWNEWNEWNEWNEW')`,
	} {
		if _, err := conn.Exec(ctx, q); err == nil {
			t.Errorf("owner kind 'bogus' accepted: %s", q)
		}
	}
}
