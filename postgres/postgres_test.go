package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/internal/pgtest"
	"github.com/opensts/opensts/postgres"
	"github.com/opensts/opensts/sqlite"
	"github.com/opensts/opensts/storetest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Run(m)) }

// Every subtest gets a fresh schema, migrated by Open and dropped at the
// end.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) opensts.Store { return mustOpen(t, pgtest.DSN(t)) })
}

func TestSnapshot(t *testing.T) {
	storetest.RunSnapshot(t, func(t *testing.T) opensts.Store { return mustOpen(t, pgtest.DSN(t)) })
}

func mustOpen(tb testing.TB, dsn string) *postgres.DB {
	tb.Helper()
	db, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// sql runs statements on the schema of dsn outside the store.
func sql(tb testing.TB, dsn, query string, args ...any) pgx.Rows {
	tb.Helper()
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { conn.Close(context.Background()) })
	rows, err := conn.Query(context.Background(), query, args...)
	if err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
	return rows
}

func schemaVersions(tb testing.TB, dsn string) []int {
	tb.Helper()
	vs, err := pgx.CollectRows(sql(tb, dsn, `SELECT version FROM schema_migrations ORDER BY version`), pgx.RowTo[int])
	if err != nil {
		tb.Fatal(err)
	}
	return vs
}

const acct = "123456789012"

var at = time.Date(2024, 3, 1, 12, 0, 0, 123456000, time.UTC)

func initAccount(tb testing.TB, s opensts.Store) opensts.AccessKey {
	tb.Helper()
	root := opensts.AccessKey{ID: "AKIAROOTROOTROOTROOT", AccountID: acct, UserID: acct,
		Status: opensts.AccessKeyActive, SealedSecret: []byte{0, 1, 2, 0xff}, CreatedAt: at}
	if _, _, err := s.InitDefaultAccount(context.Background(), opensts.Account{ID: acct, CreatedAt: at}, root); err != nil {
		tb.Fatalf("InitDefaultAccount: %v", err)
	}
	return root
}

// Several nodes starting at once on an empty database: every Open
// succeeds and the migrations are applied exactly once (a second run of
// 0001 would fail on its CREATE TABLEs).
func TestConcurrentOpenMigratesOnce(t *testing.T) {
	dsn := pgtest.DSN(t)
	const n = 8
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			db, err := postgres.Open(context.Background(), dsn)
			if err == nil {
				db.Close()
			}
			errs[i] = err
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Open #%d: %v", i, err)
		}
	}
	entries, err := os.ReadDir("migrations")
	if err != nil {
		t.Fatal(err)
	}
	var want []int
	for i := range entries {
		want = append(want, i+1)
	}
	if got := schemaVersions(t, dsn); !slices.Equal(got, want) {
		t.Errorf("schema_migrations = %v, want %v", got, want)
	}
	// And the store works.
	initAccount(t, mustOpen(t, dsn))
}

func TestMigrationsIdempotent(t *testing.T) {
	dsn := pgtest.DSN(t)
	db := mustOpen(t, dsn)
	root := initAccount(t, db)
	db.Close()
	want := schemaVersions(t, dsn)
	for range 2 {
		mustOpen(t, dsn).Close()
	}
	if got := schemaVersions(t, dsn); !slices.Equal(got, want) {
		t.Errorf("schema_migrations after reopening = %v, want %v", got, want)
	}
	if _, err := mustOpen(t, dsn).GetAccessKey(t.Context(), root.ID); err != nil {
		t.Errorf("data after reopening: %v", err)
	}
}

func TestFutureSchemaRefused(t *testing.T) {
	dsn := pgtest.DSN(t)
	mustOpen(t, dsn).Close()
	sql(t, dsn, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future.sql', now())`).Close()
	db, err := postgres.Open(t.Context(), dsn)
	if err == nil {
		db.Close()
		t.Fatal("Open of a database with a future schema succeeded")
	}
	if !errors.Is(err, postgres.ErrSchemaTooNew) {
		t.Errorf("Open of a database with a future schema: %v, want ErrSchemaTooNew", err)
	}
}

// A search_path that names no schema leaves nowhere to create tables.
func TestMissingSchemaRefused(t *testing.T) {
	dsn := pgtest.WithParam(pgtest.DSN(t), "search_path", "opensts_test_does_not_exist")
	db, err := postgres.Open(t.Context(), dsn)
	if err == nil {
		db.Close()
		t.Fatal("Open with a search_path naming no schema succeeded")
	}
	if !strings.Contains(err.Error(), "search_path") {
		t.Errorf("error %q does not say what is wrong", err)
	}
}

// Open on a port where nothing listens fails fast, as unavailable, and
// without the password.
func TestOpenUnreachable(t *testing.T) {
	port, err := pgtest.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	const password = "s3cr3t-never-printed"
	dsn := fmt.Sprintf("postgres://opensts:%s@127.0.0.1:%d/opensts?sslmode=disable", password, port)
	start := time.Now()
	db, err := postgres.Open(t.Context(), dsn)
	if err == nil {
		db.Close()
		t.Fatal("Open of an unreachable server succeeded")
	}
	if !errors.Is(err, opensts.ErrUnavailable) {
		t.Errorf("Open of an unreachable server: %v, want ErrUnavailable", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Open of an unreachable server took %s", d)
	}
	if strings.Contains(err.Error(), password) {
		t.Errorf("error shows the password: %v", err)
	}
}

// A wrong password is reported without the password, as the
// configuration mistake it is: not as an unavailable service.
func TestOpenWrongPassword(t *testing.T) {
	dsn := pgtest.DSN(t)
	if pgtest.Password(dsn) == "" {
		t.Skip("the test server takes no password")
	}
	const wrong = "wrong-password-never-printed"
	bad := pgtest.WithParam(dsn, "password", wrong)
	if strings.HasPrefix(dsn, "postgres") {
		bad = strings.Replace(dsn, ":"+pgtest.Password(dsn)+"@", ":"+wrong+"@", 1)
	}
	db, err := postgres.Open(t.Context(), bad)
	if err == nil {
		db.Close()
		t.Fatal("Open with a wrong password succeeded")
	}
	if errors.Is(err, opensts.ErrUnavailable) || !strings.Contains(err.Error(), "SQLSTATE 28P01") ||
		!strings.Contains(err.Error(), "check the user, password and database name") {
		t.Errorf("Open with a wrong password: %v, want the refusal named as such", err)
	}
	if strings.Contains(err.Error(), wrong) || strings.Contains(err.Error(), pgtest.Password(dsn)) {
		t.Errorf("error shows a password: %v", err)
	}
}

// So is a database that does not exist.
func TestOpenMissingDatabase(t *testing.T) {
	dsn := pgtest.DSN(t)
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme != "postgres" {
		t.Skipf("not a URL DSN: %v", err)
	}
	u.Path = "/opensts_no_such_database"
	db, err := postgres.Open(t.Context(), u.String())
	if err == nil {
		db.Close()
		t.Fatal("Open of a missing database succeeded")
	}
	if errors.Is(err, opensts.ErrUnavailable) || !strings.Contains(err.Error(), "SQLSTATE 3D000") {
		t.Errorf("Open of a missing database: %v, want the refusal named as such", err)
	}
}

func TestBadDSN(t *testing.T) {
	for _, dsn := range []string{
		"postgres://u:topsecret@127.0.0.1:notaport/db",
		"postgres://u:topsecret@127.0.0.1/db?pool_max_conns=many",
		"host=127.0.0.1 password=topsecret pool_max_conns=0",
	} {
		_, err := postgres.Open(t.Context(), dsn)
		if err == nil {
			t.Errorf("Open(%q) succeeded", dsn)
			continue
		}
		if strings.Contains(err.Error(), "topsecret") {
			t.Errorf("Open of a bad DSN shows the password: %v", err)
		}
	}
}

// A store whose server goes away mid-life answers ErrUnavailable, for
// reads, writes and Ping, and recovers by itself when the server is back.
func TestServerGoesAway(t *testing.T) {
	proxy, dsn := pgtest.NewProxy(t, pgtest.DSN(t))
	db := mustOpen(t, dsn)
	ctx := t.Context()
	root := initAccount(t, db)

	proxy.Down()
	start := time.Now()
	_, err := db.GetAccessKey(ctx, root.ID)
	if !errors.Is(err, opensts.ErrUnavailable) {
		t.Errorf("GetAccessKey with the server gone: %v, want ErrUnavailable", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("GetAccessKey with the server gone took %s", d)
	}
	err = db.CreateUser(ctx, opensts.User{AccountID: acct, ID: "AIDAUSERUSERUSERUSER1", Name: "alice", Path: "/", CreatedAt: at}, 10)
	if !errors.Is(err, opensts.ErrUnavailable) {
		t.Errorf("CreateUser with the server gone: %v, want ErrUnavailable", err)
	}
	if err := db.Ping(ctx); !errors.Is(err, opensts.ErrUnavailable) {
		t.Errorf("Ping with the server gone: %v, want ErrUnavailable", err)
	}
	_, err = db.IdentityPolicies(ctx, acct, opensts.Owner{Kind: opensts.OwnerUser, ID: "AIDAUSERUSERUSERUSER1"})
	if !errors.Is(err, opensts.ErrUnavailable) {
		t.Errorf("IdentityPolicies with the server gone: %v, want ErrUnavailable", err)
	}

	proxy.Up()
	if err := db.Ping(ctx); err != nil {
		t.Errorf("Ping with the server back: %v", err)
	}
	if _, err := db.GetAccessKey(ctx, root.ID); err != nil {
		t.Errorf("GetAccessKey with the server back: %v", err)
	}
	if _, err := db.ListUsers(ctx, acct, opensts.ListOptions{}); err != nil {
		t.Errorf("ListUsers with the server back: %v", err)
	}
}

// A connection that breaks between requests (the server restarted, a
// proxy dropped it) is replaced without the caller seeing an error.
func TestBrokenConnectionRetried(t *testing.T) {
	proxy, dsn := pgtest.NewProxy(t, pgtest.WithParam(pgtest.DSN(t), "pool_max_conns", "2"))
	db := mustOpen(t, dsn)
	root := initAccount(t, db)
	for range 3 {
		proxy.Down()
		proxy.Up()
		if _, err := db.GetAccessKey(t.Context(), root.ID); err != nil {
			t.Errorf("GetAccessKey after the connections broke: %v", err)
		}
		if err := db.UpdateAccessKey(t.Context(), root.ID, func(*opensts.AccessKey) error { return nil }); err != nil {
			t.Errorf("UpdateAccessKey after the connections broke: %v", err)
		}
	}
}

// Names and ids the database cannot hold (NUL, invalid UTF-8), as an
// Authorization header may carry, are simply not found.
func TestUnstorableLookups(t *testing.T) {
	db := mustOpen(t, pgtest.DSN(t))
	initAccount(t, db)
	for _, id := range []string{"AKIA\x00", "AKIA\xff\xfe"} {
		if _, err := db.GetAccessKey(t.Context(), id); !errors.Is(err, opensts.ErrNotFound) {
			t.Errorf("GetAccessKey(%q): %v, want ErrNotFound", id, err)
		}
		if _, err := db.GetUser(t.Context(), acct, id); !errors.Is(err, opensts.ErrNotFound) {
			t.Errorf("GetUser(%q): %v, want ErrNotFound", id, err)
		}
	}
}

// Listings are in byte order of the case-folded names whatever the
// database's default collation; the test cluster uses an ICU collation
// where these names sort differently.
func TestListingByteOrder(t *testing.T) {
	db := mustOpen(t, pgtest.DSN(t))
	initAccount(t, db)
	names := []string{"a_b", "ab", "a-b", "a.b", "a1", "aB2", "_z", "Z9", "b", "a+b", "a=b", "a@b", "a,b"}
	for i, n := range names {
		u := opensts.User{AccountID: acct, ID: fmt.Sprintf("AIDA%017d", i), Name: n, Path: "/", CreatedAt: at}
		if err := db.CreateUser(t.Context(), u, 100); err != nil {
			t.Fatal(err)
		}
	}
	want := slices.Clone(names)
	slices.SortFunc(want, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	var got []string
	opt := opensts.ListOptions{MaxItems: 4}
	for {
		p, err := db.ListUsers(t.Context(), acct, opt)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range p.Items {
			got = append(got, u.Name)
		}
		if p.Marker == "" {
			break
		}
		opt.Marker = p.Marker
	}
	if !slices.Equal(got, want) {
		t.Errorf("ListUsers order = %q, want %q", got, want)
	}
}

// Copies between the embedded store and PostgreSQL, both ways, keep
// everything, in the same order.
func TestCopyBetweenBackends(t *testing.T) {
	newSQLite := func(t *testing.T) opensts.Store {
		db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "opensts.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	newPostgres := func(t *testing.T) opensts.Store { return mustOpen(t, pgtest.DSN(t)) }
	t.Run("SQLiteToPostgres", func(t *testing.T) { storetest.RunCopy(t, newSQLite, newPostgres) })
	t.Run("PostgresToSQLite", func(t *testing.T) { storetest.RunCopy(t, newPostgres, newSQLite) })
}

// warm opens n connections in db's pool, so that concurrent callers run
// at once instead of queueing for connections.
func warm(tb testing.TB, db *postgres.DB, n int) {
	tb.Helper()
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			if _, err := db.ListTokenKeys(context.Background()); err != nil {
				tb.Error(err)
			}
		})
	}
	wg.Wait()
}

// Two nodes on one database serialize read-modify-writes as one node does:
// updater funcs that stay inside their transaction a while (so that the
// transactions surely overlap) still see each other's results.
func TestTwoNodesSerialize(t *testing.T) {
	dsn := pgtest.DSN(t)
	a, b := mustOpen(t, dsn), mustOpen(t, dsn)
	warm(t, a, 8)
	warm(t, b, 8)
	nodes := []*postgres.DB{a, b}
	root := initAccount(t, a)
	ctx := t.Context()
	run := func(n int, f func(i int, db *postgres.DB) error) []error {
		errs := make([]error, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				<-start
				errs[i] = f(i, nodes[i%2])
			})
		}
		close(start)
		wg.Wait()
		return errs
	}

	t.Run("MFAStep", func(t *testing.T) {
		const step = 57_000_000
		d := opensts.MFADevice{AccountID: acct, SerialNumber: "GAHT00000042", Kind: opensts.MFAHardware,
			SealedSeed: []byte{1}, CreatedAt: at, LastUsedStep: step}
		if err := a.CreateMFADevice(ctx, d, 10); err != nil {
			t.Fatal(err)
		}
		errReplay := errors.New("replayed")
		errs := run(12, func(_ int, db *postgres.DB) error {
			return db.UpdateMFADevice(ctx, acct, d.SerialNumber, func(cur *opensts.MFADevice) error {
				if cur.LastUsedStep != step {
					return errReplay
				}
				time.Sleep(20 * time.Millisecond)
				cur.LastUsedStep = step + 1
				return nil
			})
		})
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, errReplay):
				t.Errorf("UpdateMFADevice: %v", err)
			}
		}
		if won != 1 {
			t.Errorf("%d callers on two nodes consumed one time step, want 1", won)
		}
	})

	t.Run("KeyRing", func(t *testing.T) {
		// A ring to start from: every updater rewrites it.
		if err := a.UpdateTokenKeys(ctx, func([]opensts.TokenKey) ([]opensts.TokenKey, error) {
			return []opensts.TokenKey{{ID: 100, Sealed: []byte{1}, CreatedAt: at}}, nil
		}); err != nil {
			t.Fatal(err)
		}
		errs := run(10, func(i int, db *postgres.DB) error {
			return db.UpdateTokenKeys(ctx, func(cur []opensts.TokenKey) ([]opensts.TokenKey, error) {
				time.Sleep(5 * time.Millisecond)
				return append(cur, opensts.TokenKey{ID: uint32(i + 1), Sealed: []byte{1}, CreatedAt: at}), nil
			})
		})
		for _, err := range errs {
			if err != nil {
				t.Errorf("UpdateTokenKeys: %v", err)
			}
		}
		keys, err := b.ListTokenKeys(ctx)
		if err != nil || len(keys) != 11 || keys[0].ID != 100 {
			t.Errorf("ring = %v (%v), want the first key and all 10 appends", keys, err)
		}
	})

	t.Run("AccessKeyQuota", func(t *testing.T) {
		errs := run(12, func(i int, db *postgres.DB) error {
			return db.CreateAccessKey(ctx, opensts.AccessKey{ID: fmt.Sprintf("AKIAQUOTA%011d", i), AccountID: acct, UserID: acct,
				Status: opensts.AccessKeyActive, SealedSecret: []byte{1}, CreatedAt: at}, 3)
		})
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, opensts.ErrLimitExceeded):
				t.Errorf("CreateAccessKey: %v", err)
			}
		}
		// The root key from initAccount is one of the 3.
		if won != 2 {
			t.Errorf("%d root keys created on two nodes against a quota of 3 with 1 taken, want 2", won)
		}
		keys, err := a.ListAccessKeys(ctx, acct, acct)
		if err != nil || len(keys) != 3 || !slices.ContainsFunc(keys, func(k opensts.AccessKey) bool { return k.ID == root.ID }) {
			t.Errorf("root keys = %v (%v), want 3", keys, err)
		}
	})
}
