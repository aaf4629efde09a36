package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/internal/backend"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

var _ opensts.Store = (*DB)(nil)

// ErrSchemaTooNew is returned by Open for a database migrated by a newer
// OpenSTS: this binary does not know that schema and must not write to it.
var ErrSchemaTooNew = errors.New("database schema is newer than this binary supports")

//go:embed migrations/*.sql
var migrationFS embed.FS

// busyTimeout is how long a connection waits for another process's write
// lock before failing with SQLITE_BUSY. Writers of one *DB never wait on
// each other here: they queue on the single write connection.
const busyTimeout = 10 * time.Second

// DB is an opensts.Store in one SQLite database file. It is safe for
// concurrent use. Writes go through a single connection, so SQLite's one
// writer is never contended inside a process; reads use a pool and, in WAL
// mode, never wait for writers.
type DB struct {
	path string
	w    *sql.DB // exactly one connection; BEGIN IMMEDIATE
	r    *sql.DB // read-only pool

	getAccessKey *sql.Stmt

	// stmts caches statements prepared on the read pool, by query text.
	// database/sql prepares each on a pool connection the first time it
	// runs there (also inside read transactions, via Tx.StmtContext), so
	// hot reads skip SQLite's parser and planner.
	stmtMu sync.RWMutex
	stmts  map[string]*sql.Stmt
}

// Open opens (creating if needed) the database at path and brings its schema
// up to date. It refuses, with ErrSchemaTooNew, a database whose schema is
// newer than this binary.
func Open(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("open sqlite store: empty path")
	}
	if err := createPrivate(path); err != nil {
		return nil, fmt.Errorf("open sqlite store %s: %w", path, err)
	}
	db := &DB{path: path}
	var err error
	// The writer opens first so that it is the connection that switches a
	// new file to WAL.
	if db.w, err = sql.Open("sqlite", dsn(path, false)); err != nil {
		return nil, fmt.Errorf("open sqlite store %s: %w", path, err)
	}
	db.w.SetMaxOpenConns(1)
	db.w.SetMaxIdleConns(1)
	db.w.SetConnMaxLifetime(0)
	db.w.SetConnMaxIdleTime(0)
	if err := db.migrate(ctx); err != nil {
		db.w.Close()
		return nil, fmt.Errorf("open sqlite store %s: %w", path, err)
	}

	if db.r, err = sql.Open("sqlite", dsn(path, true)); err != nil {
		db.w.Close()
		return nil, fmt.Errorf("open sqlite store %s: %w", path, err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	db.r.SetMaxOpenConns(n)
	db.r.SetMaxIdleConns(n)
	db.r.SetConnMaxLifetime(0)
	db.r.SetConnMaxIdleTime(0)

	if db.getAccessKey, err = db.prepared(ctx, `SELECT `+accessKeyCols+` FROM access_keys WHERE id = ?`); err != nil {
		db.Close()
		return nil, fmt.Errorf("open sqlite store %s: %w", path, err)
	}
	return db, nil
}

// createPrivate creates path as an empty file of mode 0600 unless it
// exists. SQLite takes an empty file for a new database and creates its
// -wal and -shm files with the mode of the database file, so the whole
// store is readable by its owner only, whatever the umask, with no window
// in which it is not: the database holds user names, tags, policies and key
// ids. An existing file keeps its mode.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	// A umask may have taken the owner's bits too; SQLite needs them.
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// dsn builds the connection string. Every connection gets:
//   - journal_mode=WAL: readers never block the writer and vice versa;
//   - synchronous=FULL: the WAL is synced on every commit, so a write that
//     was acknowledged survives power loss, not just a process crash
//     (NORMAL could lose the last commits). Nothing acknowledged is ever lost;
//   - foreign_keys=ON, which SQLite leaves off by default;
//   - busy_timeout, for writers in other processes;
//   - _txlock=immediate: write transactions take the write lock at BEGIN, so
//     a read-modify-write never fails upgrading a read lock (SQLITE_BUSY
//     without waiting). Read-only transactions stay deferred.
//
// Read connections are additionally query_only.
func dsn(path string, readOnly bool) string {
	q := []string{
		"_pragma=busy_timeout(" + strconv.FormatInt(busyTimeout.Milliseconds(), 10) + ")",
		"_pragma=journal_mode(WAL)",
		"_pragma=synchronous(FULL)",
		"_pragma=foreign_keys(1)",
		"_txlock=immediate",
	}
	if readOnly {
		q = append(q, "_pragma=query_only(1)")
	}
	// In a file: URI, '%', '?' and '#' in the path must be escaped.
	p := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	return "file:" + p + "?" + strings.Join(q, "&")
}

// Close closes the database.
func (db *DB) Close() error {
	var errs []error
	db.stmtMu.Lock()
	for _, st := range db.stmts {
		errs = append(errs, st.Close())
	}
	db.stmts = nil
	db.stmtMu.Unlock()
	if db.r != nil {
		errs = append(errs, db.r.Close())
	}
	if db.w != nil {
		errs = append(errs, db.w.Close())
	}
	return errors.Join(errs...)
}

// Ping reports whether the database file can be read.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	if err := db.r.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
		return fmt.Errorf("ping sqlite store: %w", err)
	}
	return nil
}

// migrate applies the pending migrations in order, all in one immediate
// transaction, so concurrent openers of a new file apply them exactly once
// and a failure leaves the schema as it was.
func (db *DB) migrate(ctx context.Context) error {
	ms, err := backend.Migrations(migrationFS)
	if err != nil {
		return err
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    INTEGER NOT NULL PRIMARY KEY,
			name       TEXT    NOT NULL,
			applied_at INTEGER NOT NULL
		)`); err != nil {
			return fmt.Errorf("create schema_migrations: %w", err)
		}
		var current int
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
			return fmt.Errorf("read schema version: %w", err)
		}
		if latest := len(ms); current > latest {
			return fmt.Errorf("%w: database is at version %d, this binary knows up to %d", ErrSchemaTooNew, current, latest)
		}
		for _, m := range ms[current:] {
			if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
				return fmt.Errorf("apply migration %s: %w", m.Name, err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
				m.Version, m.Name, time.Now().UnixMicro()); err != nil {
				return fmt.Errorf("record migration %s: %w", m.Name, err)
			}
		}
		return nil
	})
}

// prepared returns query prepared on the read pool, preparing it once.
func (db *DB) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	db.stmtMu.RLock()
	st, ok := db.stmts[query]
	db.stmtMu.RUnlock()
	if ok {
		return st, nil
	}
	db.stmtMu.Lock()
	defer db.stmtMu.Unlock()
	if st, ok := db.stmts[query]; ok {
		return st, nil
	}
	st, err := db.r.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if db.stmts == nil {
		db.stmts = make(map[string]*sql.Stmt)
	}
	db.stmts[query] = st
	return st, nil
}

// cachedTx runs the statements of a read transaction through the read
// pool's statement cache.
type cachedTx struct {
	db *DB
	tx *sql.Tx
}

func (c cachedTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return c.tx.ExecContext(ctx, query, args...)
}

func (c cachedTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := c.db.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	return c.tx.StmtContext(ctx, st).QueryContext(ctx, args...)
}

func (c cachedTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := c.db.prepared(ctx, query)
	if err != nil {
		// Let the uncached path report the error through Row.Scan.
		return c.tx.QueryRowContext(ctx, query, args...)
	}
	return c.tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
}

// cachedDB runs single statements on the read pool through the statement
// cache.
type cachedDB struct{ db *DB }

func (c cachedDB) ExecContext(context.Context, string, ...any) (sql.Result, error) {
	return nil, errors.New("write on the read pool")
}

func (c cachedDB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := c.db.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

func (c cachedDB) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := c.db.prepared(ctx, query)
	if err != nil {
		return c.db.r.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// reader is the querier for single-statement reads.
func (db *DB) reader() querier { return cachedDB{db} }

// querier is what both *sql.DB and *sql.Tx offer.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// scanner is a row of a query: *sql.Row or *sql.Rows.
type scanner interface{ Scan(...any) error }

// write runs fn in a write transaction on the single write connection and
// commits when fn returns nil. fn must not call back into db.
func (db *DB) write(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return classify(err)
	}
	defer func() {
		if p := recover(); p != nil {
			tx.Rollback()
			panic(p)
		}
		if err != nil {
			tx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	return classify(tx.Commit())
}

// read runs fn in a read-only transaction: every statement in it sees the
// same snapshot of the database. Statements go through the statement cache.
func (db *DB) read(ctx context.Context, fn func(q querier) error) (err error) {
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return classify(err)
	}
	defer tx.Rollback()
	return fn(cachedTx{db: db, tx: tx})
}

// classify turns driver errors into the store's sentinels, keeping the
// driver error in the chain: unique and primary-key violations become
// opensts.ErrAlreadyExists and sql.ErrNoRows becomes opensts.ErrNotFound.
func classify(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: %w", opensts.ErrNotFound, err)
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("%w: %w", opensts.ErrAlreadyExists, err)
		}
	}
	return err
}

// exists runs a SELECT EXISTS(...) query.
func exists(ctx context.Context, q querier, query string, args ...any) (bool, error) {
	var ok bool
	if err := q.QueryRowContext(ctx, query, args...).Scan(&ok); err != nil {
		return false, err
	}
	return ok, nil
}

// count runs a SELECT count(*) query.
func count(ctx context.Context, q querier, query string, args ...any) (int, error) {
	var n int
	if err := q.QueryRowContext(ctx, query, args...).Scan(&n); err != nil {
		return 0, err
	}
	return n, nil
}

// Times are stored as integer microseconds since the Unix epoch, UTC; finer
// precision is truncated. Optional times store the zero time as NULL.

func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

func nullMicros(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMicro()
}

func fromNullMicros(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return fromMicros(n.Int64)
}

// blob never hands the driver nil, which it would store as NULL.
func blob(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// lower is the case-folding every name comparison uses.
func lower(s string) string { return strings.ToLower(s) }

// Markers are the base64url encoding of the last sort key of a page, so the
// next page starts strictly after it.
//
// pageQuery appends the path-prefix and marker conditions and the order and
// limit clauses of a listing sorted by keyCol. It asks for one row more than
// the page holds, to learn whether the listing is truncated.
func pageQuery(query string, args []any, pathCol, keyCol string, opt opensts.ListOptions) (string, []any, error) {
	if opt.PathPrefix != "" && pathCol != "" {
		// substr, not LIKE: paths may contain % and _.
		query += ` AND substr(` + pathCol + `, 1, length(?)) = ?`
		args = append(args, opt.PathPrefix, opt.PathPrefix)
	}
	if opt.Marker != "" {
		after, err := backend.DecodeMarker(opt.Marker)
		if err != nil {
			return "", nil, err
		}
		query += ` AND ` + keyCol + ` > ?`
		args = append(args, after)
	}
	query += ` ORDER BY ` + keyCol + ` LIMIT ?`
	args = append(args, opt.Limit()+1)
	return query, args, nil
}

// queryPage runs a listing built with pageQuery and scans each row into an
// item and its sort key.
func queryPage[T any](ctx context.Context, q querier, query string, args []any, opt opensts.ListOptions, scan func(scanner) (T, string, error)) (opensts.Page[T], error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return opensts.Page[T]{}, err
	}
	defer rows.Close()
	var (
		items []T
		keys  []string
	)
	for rows.Next() {
		item, key, err := scan(rows)
		if err != nil {
			return opensts.Page[T]{}, err
		}
		items, keys = append(items, item), append(keys, key)
	}
	if err := rows.Err(); err != nil {
		return opensts.Page[T]{}, err
	}
	return backend.Page(items, keys, opt), nil
}
