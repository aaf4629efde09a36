package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/opensts/opensts"
	"github.com/opensts/opensts/sqlite"
	"github.com/opensts/opensts/storetest"
)

func TestConformance(t *testing.T) {
	// Every subtest gets its own file, copied from one freshly migrated
	// empty database: the suite tests the store, not the migrations
	// (TestMigrations* do), and copying is much cheaper than migrating,
	// above all under the race detector.
	template := filepath.Join(t.TempDir(), "template.db")
	if err := mustOpen(t, template).Close(); err != nil {
		t.Fatal(err)
	}
	empty, err := os.ReadFile(template)
	if err != nil {
		t.Fatal(err)
	}
	storetest.Run(t, func(t *testing.T) opensts.Store {
		path := filepath.Join(t.TempDir(), "opensts.db")
		if err := os.WriteFile(path, empty, 0o600); err != nil {
			t.Fatal(err)
		}
		return mustOpen(t, path)
	})
}

func mustOpen(tb testing.TB, path string) *sqlite.DB {
	tb.Helper()
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		tb.Fatalf("Open %s: %v", path, err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

const acct = "123456789012"

var at = time.Date(2024, 3, 1, 12, 0, 0, 123456000, time.UTC)

// populate writes one entity of most kinds and returns what it wrote.
func populate(tb testing.TB, s opensts.Store) (opensts.User, opensts.AccessKey) {
	tb.Helper()
	ctx := context.Background()
	root := opensts.AccessKey{ID: "AKIAROOTROOTROOTROOT", AccountID: acct, UserID: acct,
		Status: opensts.AccessKeyActive, SealedSecret: []byte{0, 1, 2, 0xff}, CreatedAt: at}
	if _, _, err := s.InitDefaultAccount(ctx, opensts.Account{ID: acct, CreatedAt: at}, root); err != nil {
		tb.Fatalf("InitDefaultAccount: %v", err)
	}
	u := opensts.User{AccountID: acct, ID: "AIDAUSERUSERUSERUSER1", Name: "Alice", Path: "/", CreatedAt: at,
		Tags: []opensts.Tag{{Key: "k", Value: "v"}}}
	if err := s.CreateUser(ctx, u, 10); err != nil {
		tb.Fatalf("CreateUser: %v", err)
	}
	k := opensts.AccessKey{ID: "AKIAUSERUSERUSERUSER", AccountID: acct, UserID: u.ID,
		Status: opensts.AccessKeyActive, SealedSecret: []byte("sealed\x00secret"), CreatedAt: at}
	if err := s.CreateAccessKey(ctx, k, 2); err != nil {
		tb.Fatalf("CreateAccessKey: %v", err)
	}
	p := opensts.ManagedPolicy{AccountID: acct, ID: "ANPAPOLICYPOLICYPOL1", Name: "Ops", Path: "/", CreatedAt: at, UpdatedAt: at}
	if err := s.CreatePolicy(ctx, p, `{"Version":"2012-10-17","Statement":[]}`, 10); err != nil {
		tb.Fatalf("CreatePolicy: %v", err)
	}
	if err := s.AttachPolicy(ctx, acct, opensts.Owner{Kind: opensts.OwnerUser, ID: u.ID}, p.ID, 10); err != nil {
		tb.Fatalf("AttachPolicy: %v", err)
	}
	if err := s.UpdateTokenKeys(ctx, func([]opensts.TokenKey) ([]opensts.TokenKey, error) {
		return []opensts.TokenKey{{ID: 1, Sealed: []byte{9, 9}, CreatedAt: at}}, nil
	}); err != nil {
		tb.Fatalf("UpdateTokenKeys: %v", err)
	}
	return u, k
}

// checkPopulated reads back what populate wrote.
func checkPopulated(tb testing.TB, s opensts.Store, u opensts.User, k opensts.AccessKey) {
	tb.Helper()
	ctx := context.Background()
	gotU, err := s.GetUser(ctx, acct, u.Name)
	if err != nil {
		tb.Fatalf("GetUser: %v", err)
	}
	if d := cmp.Diff(u, gotU); d != "" {
		tb.Errorf("user (-want +got):\n%s", d)
	}
	gotK, err := s.GetAccessKey(ctx, k.ID)
	if err != nil {
		tb.Fatalf("GetAccessKey: %v", err)
	}
	if d := cmp.Diff(k, gotK); d != "" {
		tb.Errorf("access key (-want +got):\n%s", d)
	}
	ip, err := s.IdentityPolicies(ctx, acct, opensts.Owner{Kind: opensts.OwnerUser, ID: u.ID})
	if err != nil || len(ip.Documents) != 1 {
		tb.Errorf("IdentityPolicies = %+v, %v; want the attached policy", ip, err)
	}
	keys, err := s.ListTokenKeys(ctx)
	if err != nil || len(keys) != 1 {
		tb.Errorf("ListTokenKeys = %v, %v; want one key", keys, err)
	}
}

func TestReopenPreservesData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "opensts.db")
	db, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	u, k := populate(t, db)
	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	checkPopulated(t, mustOpen(t, path), u, k)
}

// TestSecondHandleSeesAcknowledgedWrites writes through one *DB and reads
// through a second one opened on the same file while the first is still
// open, as a node restarting after a crash would: whatever the first
// acknowledged is in the file, not in its memory.
func TestSecondHandleSeesAcknowledgedWrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "opensts.db")
	first := mustOpen(t, path)
	u, k := populate(t, first)
	second := mustOpen(t, path)
	checkPopulated(t, second, u, k)

	// And the other way round, with both handles writing.
	ctx := t.Context()
	if err := second.UpdateAccessKey(ctx, k.ID, func(k *opensts.AccessKey) error {
		k.Status = opensts.AccessKeyInactive
		return nil
	}); err != nil {
		t.Fatalf("UpdateAccessKey through the second handle: %v", err)
	}
	got, err := first.GetAccessKey(ctx, k.ID)
	if err != nil || got.Status != opensts.AccessKeyInactive {
		t.Errorf("first handle reads %+v, %v; want the second handle's write", got, err)
	}
}

// TestTwoHandlesSerializeUpdaters runs read-modify-write updaters through
// two *DB on one file at once: the file lock (BEGIN IMMEDIATE plus the busy
// timeout) serializes them across handles as the write connection does
// within one.
func TestTwoHandlesSerializeUpdaters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "opensts.db")
	a, b := mustOpen(t, path), mustOpen(t, path)
	ctx := t.Context()
	const n = 20
	errs := make(chan error, 2*n)
	for i := range 2 * n {
		db := a
		if i%2 == 1 {
			db = b
		}
		go func() {
			errs <- db.UpdateTokenKeys(ctx, func(cur []opensts.TokenKey) ([]opensts.TokenKey, error) {
				return append(cur, opensts.TokenKey{ID: uint32(i + 1), Sealed: []byte{1}, CreatedAt: at}), nil
			})
		}()
	}
	for range 2 * n {
		if err := <-errs; err != nil {
			t.Errorf("UpdateTokenKeys: %v", err)
		}
	}
	keys, err := a.ListTokenKeys(ctx)
	if err != nil || len(keys) != 2*n {
		t.Errorf("ring has %d keys (%v), want %d", len(keys), err, 2*n)
	}
}

func schemaVersions(t *testing.T, path string) []int {
	t.Helper()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	rows, err := raw.Query(`SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var vs []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		vs = append(vs, v)
	}
	return vs
}

func TestMigrationsIdempotent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "opensts.db")
	db := mustOpen(t, path)
	u, k := populate(t, db)
	db.Close()
	want := schemaVersions(t, path)
	if len(want) == 0 || want[0] != 1 {
		t.Fatalf("schema_migrations after the first open = %v", want)
	}
	for range 3 {
		db, err := sqlite.Open(t.Context(), path)
		if err != nil {
			t.Fatalf("reopen: %v", err)
		}
		db.Close()
	}
	if got := schemaVersions(t, path); !cmp.Equal(want, got) {
		t.Errorf("schema_migrations after reopening = %v, want %v", got, want)
	}
	checkPopulated(t, mustOpen(t, path), u, k)
}

func TestFutureSchemaRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "opensts.db")
	mustOpen(t, path).Close()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future.sql', 0)`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	db, err := sqlite.Open(t.Context(), path)
	if err == nil {
		db.Close()
		t.Fatal("Open of a database with a future schema succeeded")
	}
	if !errors.Is(err, sqlite.ErrSchemaTooNew) {
		t.Errorf("Open of a database with a future schema: %v, want ErrSchemaTooNew", err)
	}
}

func TestPathWithURICharacters(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "we?ird#dir%20x")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "opensts.db")
	db := mustOpen(t, path)
	u, k := populate(t, db)
	db.Close()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database not at %s: %v", path, err)
	}
	checkPopulated(t, mustOpen(t, path), u, k)
}

func TestBackup(t *testing.T) {
	dir := t.TempDir()
	db := mustOpen(t, filepath.Join(dir, "opensts.db"))
	u, k := populate(t, db)
	backup := filepath.Join(dir, "backup.db")
	if err := db.Backup(t.Context(), backup); err != nil {
		t.Fatalf("Backup: %v", err)
	}
	// Writes after the backup are not in it.
	if err := db.DeleteAccessKey(t.Context(), k.ID); err != nil {
		t.Fatal(err)
	}
	checkPopulated(t, mustOpen(t, backup), u, k)

	if err := db.Backup(t.Context(), backup); !errors.Is(err, os.ErrExist) {
		t.Errorf("Backup onto an existing file: %v, want os.ErrExist", err)
	}
}

func TestOpenErrors(t *testing.T) {
	if _, err := sqlite.Open(t.Context(), ""); err == nil {
		t.Error("Open with an empty path succeeded")
	}
	if _, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "missing-dir", "opensts.db")); err == nil {
		t.Error("Open in a missing directory succeeded")
	}
}

// The database and the files SQLite creates beside it (-wal, -shm) and a
// backup are private to the owner, under the usual umask 022 and in a data
// dir others may read: they hold user names, tags, policies and key ids.
func TestFileModes(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "opensts.db")
	db := mustOpen(t, path)
	populate(t, db) // writes: the WAL and shared-memory files exist now
	backup := filepath.Join(dir, "backup.db")
	if err := db.Backup(t.Context(), backup); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"opensts.db", "opensts.db-wal", "opensts.db-shm", "backup.db"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %#o, want 0600", name, fi.Mode().Perm())
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if fi, err := e.Info(); err == nil && fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %#o, want 0600", e.Name(), fi.Mode().Perm())
		}
	}
	db.Close()

	// An existing database keeps its mode: OpenSTS does not change what
	// the operator set.
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	mustOpen(t, path).Close()
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o640 {
		t.Errorf("existing database: %v %v, want mode 0640 kept", fi, err)
	}
}

// A failed backup leaves no file behind.
func TestBackup_FailureLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	db := mustOpen(t, filepath.Join(dir, "opensts.db"))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	backup := filepath.Join(dir, "backup.db")
	if err := db.Backup(ctx, backup); err == nil {
		t.Fatal("Backup with a canceled context succeeded")
	}
	if _, err := os.Stat(backup); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("failed backup left %s: %v", backup, err)
	}
}

// TestUpgradeFromVersion1: a store created by the release before roles
// (schema version 1) opens with its inline policies and attachments kept
// through 0002's rebuild of their tables, and then holds roles.
func TestUpgradeFromVersion1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "opensts.db")
	init1, err := os.ReadFile("migrations/0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		string(init1),
		`CREATE TABLE schema_migrations (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`,
		`INSERT INTO schema_migrations VALUES (1, '0001_init.sql', 0)`,
		`INSERT INTO accounts (id, is_default, created_at) VALUES ('123456789012', 1, 0)`,
		`INSERT INTO users (id, account_id, name, name_lower, path, created_at) VALUES ('AIDAUSERUSERUSERUSER1', '123456789012', 'alice', 'alice', '/', 0)`,
		`INSERT INTO managed_policies (id, account_id, name, name_lower, path, default_version, next_version, created_at, updated_at)
			VALUES ('ANPAPOLICYPOLICYPOL1', '123456789012', 'P', 'p', '/', 1, 2, 0, 0)`,
		`INSERT INTO policy_versions (policy_id, version, document, created_at) VALUES ('ANPAPOLICYPOLICYPOL1', 1, '{}', 0)`,
		`INSERT INTO inline_policies VALUES ('123456789012', 'user', 'AIDAUSERUSERUSERUSER1', 'Inline', 'inline', '{"Version":"2012-10-17"}', 3)`,
		`INSERT INTO policy_attachments VALUES ('123456789012', 'user', 'AIDAUSERUSERUSERUSER1', 'ANPAPOLICYPOLICYPOL1')`,
	} {
		if _, err := raw.Exec(stmt); err != nil {
			t.Fatalf("%.60s: %v", stmt, err)
		}
	}
	raw.Close()

	db := mustOpen(t, path)
	ctx := t.Context()
	user := opensts.Owner{Kind: opensts.OwnerUser, ID: "AIDAUSERUSERUSERUSER1"}
	names, err := db.ListInlinePolicies(ctx, "123456789012", user, opensts.ListOptions{})
	if err != nil || len(names.Items) != 1 || names.Items[0] != "Inline" {
		t.Fatalf("inline policies after the upgrade: %v, %v", names.Items, err)
	}
	attached, err := db.ListAttachedPolicies(ctx, "123456789012", user, opensts.ListOptions{})
	if err != nil || len(attached.Items) != 1 || attached.Items[0].Name != "P" {
		t.Fatalf("attachments after the upgrade: %v, %v", attached.Items, err)
	}
	role := opensts.Role{AccountID: "123456789012", ID: "AROAROLEROLEROLEROLE1", Name: "Deploy", Path: "/", TrustPolicy: "{}", CreatedAt: time.Unix(1, 0).UTC()}
	if err := db.CreateRole(ctx, role, 1000); err != nil {
		t.Fatal(err)
	}
	owner := opensts.Owner{Kind: opensts.OwnerRole, ID: role.ID}
	if err := db.PutInlinePolicy(ctx, "123456789012", owner, opensts.InlinePolicy{Name: "r", Document: "{}"}, 2, 10240); err != nil {
		t.Fatalf("a role's inline policy after the upgrade: %v", err)
	}
	if err := db.AttachPolicy(ctx, "123456789012", owner, "ANPAPOLICYPOLICYPOL1", 10); err != nil {
		t.Fatalf("a role's attachment after the upgrade: %v", err)
	}
	prov := opensts.OIDCProvider{AccountID: "123456789012", ID: "OIDPPROVIDERPROVIDE1", URL: "https://oidc.example.com", CreatedAt: time.Unix(1, 0).UTC()}
	if err := db.CreateOIDCProvider(ctx, prov, opensts.MaxOIDCProviders); err != nil {
		t.Fatalf("an OIDC provider after the upgrade: %v", err)
	}
	saml := opensts.SAMLProvider{AccountID: "123456789012", ID: "SAMPPROVIDERPROVIDE1", UUID: "u", Name: "Okta", MetadataDocument: "<m/>",
		ValidUntil: time.Unix(2, 0).UTC(), CreatedAt: time.Unix(1, 0).UTC()}
	if err := db.CreateSAMLProvider(ctx, saml, opensts.MaxSAMLProviders); err != nil {
		t.Fatalf("a SAML provider after the upgrade: %v", err)
	}
	if _, err := db.SetOutboundFederation(ctx, "123456789012", true, time.Unix(3, 0)); err != nil {
		t.Fatalf("outbound federation after the upgrade: %v", err)
	}
	if err := db.UpdateSigningKeys(ctx, func([]opensts.SigningKey) ([]opensts.SigningKey, error) {
		return []opensts.SigningKey{{ID: "abcdefghijklmnop", Algorithm: "ES384", Sealed: []byte{1}, Public: []byte{2},
			CreatedAt: time.Unix(3, 0).UTC(), ActiveAt: time.Unix(3, 0).UTC()}}, nil
	}); err != nil {
		t.Fatalf("signing keys after the upgrade: %v", err)
	}
	if got := schemaVersions(t, path); !cmp.Equal(got, []int{1, 2, 3, 4, 5, 6}) {
		t.Errorf("schema versions %v", got)
	}
}
