package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/internal/backend"
)

var (
	_ opensts.Store       = (*DB)(nil)
	_ opensts.Snapshotter = (*DB)(nil)
)

// ErrSchemaTooNew is returned by Open for a database migrated by a newer
// OpenSTS: this binary does not know that schema and must not write to it.
var ErrSchemaTooNew = errors.New("database schema is newer than this binary supports")

//go:embed migrations/*.sql
var migrationFS embed.FS

// Pool defaults, each applied only when the DSN does not set it (pgxpool's
// pool_max_conns and friends, libpq's connect_timeout and application_name).
const (
	// DefaultMaxConns is the connection pool size of one node. N nodes use up
	// to N×DefaultMaxConns server connections, which must stay below the
	// server's max_connections (100 by default) minus its reserved slots.
	DefaultMaxConns = 10
	// DefaultConnectTimeout bounds one connection attempt, so that a node
	// whose database is unreachable answers 503 quickly instead of hanging.
	DefaultConnectTimeout = 5 * time.Second
	// DefaultMaxConnIdleTime closes connections idle this long.
	DefaultMaxConnIdleTime = 5 * time.Minute
	// DefaultMaxConnLifetime recycles connections, so that a node follows a
	// failover of the server's address within this time.
	DefaultMaxConnLifetime = 30 * time.Minute
)

// Retry bounds. Connection failures are retried while the operation is
// younger than connRetryBudget; serialization failures and deadlocks up to
// conflictAttempts times.
const (
	connRetryBudget  = time.Second
	conflictAttempts = 5
)

// DB is an opensts.Store on PostgreSQL. It is safe for concurrent use, by
// any number of nodes sharing one database.
type DB struct {
	pool *pgxpool.Pool
}

// Open connects to the database named by dsn (a postgres:// URL or a libpq
// keyword/value string), brings its schema up to date and returns the
// store. It refuses, with ErrSchemaTooNew, a database whose schema is newer
// than this binary. A server it cannot reach fails Open with an error
// matching opensts.ErrUnavailable after a brief retry.
//
// The DSN may set the pool (pool_max_conns, pool_min_conns,
// pool_max_conn_lifetime, pool_max_conn_idle_time,
// pool_health_check_period), connect_timeout, application_name and any
// server setting, e.g. search_path to keep the tables in a schema of their
// own. Errors never contain the DSN's password.
func Open(ctx context.Context, dsn string) (*DB, error) {
	db, err := open(ctx, dsn)
	if refused := refusal(err); refused != nil {
		err = refused
	}
	if err != nil {
		// pgx quotes pieces of a DSN it cannot parse (a host, a query
		// parameter), which in a malformed one may be pieces of the password.
		return nil, Scrub(fmt.Errorf("open postgres store: %w", err), dsn)
	}
	return db, nil
}

func open(ctx context.Context, dsn string) (*DB, error) {
	cfg, err := poolConfig(dsn)
	if err != nil {
		return nil, err
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	db := &DB{pool: pool}
	if err := db.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return db, nil
}

// poolConfig parses dsn and applies the pool defaults it does not override.
func poolConfig(dsn string) (*pgxpool.Config, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, parseError(err)
	}
	if !dsnSets(dsn, "pool_max_conns") {
		cfg.MaxConns = DefaultMaxConns
	}
	if !dsnSets(dsn, "pool_max_conn_idle_time") {
		cfg.MaxConnIdleTime = DefaultMaxConnIdleTime
	}
	if !dsnSets(dsn, "pool_max_conn_lifetime") {
		cfg.MaxConnLifetime = DefaultMaxConnLifetime
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = DefaultConnectTimeout
	}
	if _, ok := cfg.ConnConfig.RuntimeParams["application_name"]; !ok {
		cfg.ConnConfig.RuntimeParams["application_name"] = "opensts"
	}
	return cfg, nil
}

// dsnSets reports whether a URL or keyword/value DSN names setting key.
func dsnSets(dsn, key string) bool {
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		return u.Query().Has(key)
	}
	for _, f := range strings.Fields(dsn) {
		if k, _, ok := strings.Cut(f, "="); ok && strings.TrimSpace(k) == key {
			return true
		}
	}
	return false
}

// parseError describes a DSN that does not parse without repeating the DSN,
// which may hold a password: pgconn redacts it only on a best-effort basis
// and net/url not at all.
func parseError(err error) error {
	var pe *pgconn.ParseConfigError
	if errors.As(err, &pe) {
		err = pe.Unwrap()
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if err == nil {
		return errors.New("invalid PostgreSQL DSN")
	}
	return fmt.Errorf("invalid PostgreSQL DSN: %v", err)
}

// Close closes every connection of the pool.
func (db *DB) Close() error {
	db.pool.Close()
	return nil
}

// Ping reports whether the server answers, for readiness checks. It does not
// retry: a failure matches opensts.ErrUnavailable.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.pool.Ping(ctx); err != nil {
		return fmt.Errorf("ping postgres store: %w", unavailable(err))
	}
	return nil
}

// migrate applies the pending migrations in order, all in one transaction
// that first takes a transaction-scoped advisory lock named after the
// schema: nodes starting at once queue on the lock, the first applies the
// migrations, the others find them applied. A failure leaves the schema as
// it was.
func (db *DB) migrate(ctx context.Context) error {
	ms, err := backend.Migrations(migrationFS)
	if err != nil {
		return err
	}
	return db.write(ctx, func(tx pgx.Tx) error {
		var schema *string
		if err := tx.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
			return err
		}
		if schema == nil {
			return errors.New("no schema to create tables in: the search_path names no existing schema")
		}
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('opensts migrations ' || $1, 0))`, *schema); err != nil {
			return fmt.Errorf("lock migrations: %w", err)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    integer     NOT NULL PRIMARY KEY,
			name       text        NOT NULL,
			applied_at timestamptz NOT NULL
		)`); err != nil {
			return fmt.Errorf("create schema_migrations: %w", err)
		}
		var current int
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
			return fmt.Errorf("read schema version: %w", err)
		}
		if latest := len(ms); current > latest {
			return fmt.Errorf("%w: database is at version %d, this binary knows up to %d", ErrSchemaTooNew, current, latest)
		}
		for _, m := range ms[current:] {
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return fmt.Errorf("apply migration %s: %w", m.Name, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, now())`,
				m.Version, m.Name); err != nil {
				return fmt.Errorf("record migration %s: %w", m.Name, err)
			}
		}
		return nil
	})
}

// querier is what both *pgxpool.Pool and pgx.Tx offer.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// write runs fn in a READ COMMITTED transaction and commits when fn returns
// nil. fn takes the row locks its read-modify-write needs (SELECT … FOR
// UPDATE, LOCK TABLE) and must not call back into db. The transaction is
// run again, fn included, after a serialization failure or deadlock, and
// after a connection failure that happened before COMMIT was sent (nothing
// was written then); a connection lost during COMMIT is not retried, as
// the outcome is unknown, and is reported as opensts.ErrUnavailable.
func (db *DB) write(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return db.retry(ctx, func() (bool, error) {
		tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
		if err != nil {
			return false, err
		}
		defer tx.Rollback(context.WithoutCancel(ctx))
		if err := fn(tx); err != nil {
			return false, err
		}
		return true, tx.Commit(ctx)
	}, writeKind)
}

// read runs fn in a REPEATABLE READ read-only transaction: every statement
// sees the same snapshot. It is retried after a connection failure.
func (db *DB) read(ctx context.Context, fn func(q querier) error) error {
	return db.retry(ctx, func() (bool, error) {
		tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
		if err != nil {
			return false, err
		}
		defer tx.Rollback(context.WithoutCancel(ctx))
		if err := fn(tx); err != nil {
			return false, err
		}
		return false, tx.Commit(ctx)
	}, readKind)
}

// readOne runs fn, which reads with single statements, on the pool. It is
// retried after a connection failure.
func (db *DB) readOne(ctx context.Context, fn func(q querier) error) error {
	return db.retry(ctx, func() (bool, error) { return false, fn(db.pool) }, readKind)
}

type opKind int

const (
	readKind opKind = iota
	writeKind
)

// retry runs attempt until it succeeds, fails for good, or the retry
// bounds are spent. attempt reports whether its failure came while
// committing. The final error is classified: see classify.
func (db *DB) retry(ctx context.Context, attempt func() (committing bool, err error), kind opKind) error {
	start := time.Now()
	for n := 1; ; n++ {
		committing, err := attempt()
		if err == nil {
			return nil
		}
		var wait time.Duration
		switch {
		case ctx.Err() != nil:
		case isConflict(err) && n < conflictAttempts:
			wait = time.Duration(1+rand.IntN(20*n)) * time.Millisecond
		case isConnFailure(err) && (!committing || pgconn.SafeToRetry(err)) && time.Since(start) < connRetryBudget:
			wait = time.Duration(25*n*n) * time.Millisecond
		}
		if wait == 0 {
			return classify(err, kind)
		}
		select {
		case <-ctx.Done():
			return classify(err, kind)
		case <-time.After(wait):
		}
	}
}

// classify turns driver errors into the store's sentinels, keeping the
// driver error in the chain:
//   - unique violation (SQLSTATE 23505): opensts.ErrAlreadyExists;
//   - foreign key violation (23503), a row that a concurrent delete took:
//     opensts.ErrNotFound; so does pgx.ErrNoRows;
//   - text the database cannot hold (22021: NUL or invalid UTF-8) matches
//     nothing stored: ErrNotFound for reads, ErrInvalidInput for writes;
//   - serialization failures and deadlocks left after the retries:
//     opensts.ErrConflict;
//   - connection failures and timeouts: opensts.ErrUnavailable.
//
// Errors that already carry a store sentinel, and errors of updater funcs,
// are returned unchanged.
func classify(err error, kind opKind) error {
	if err == nil {
		return nil
	}
	for _, s := range []error{opensts.ErrNotFound, opensts.ErrAlreadyExists, opensts.ErrConflict,
		opensts.ErrUnavailable, opensts.ErrLimitExceeded, opensts.ErrDeleteConflict, opensts.ErrInvalidInput} {
		if errors.Is(err, s) {
			return err
		}
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%w: %w", opensts.ErrNotFound, err)
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return fmt.Errorf("%w: %w", opensts.ErrAlreadyExists, err)
		case "23503":
			return fmt.Errorf("%w: %w", opensts.ErrNotFound, err)
		case "22021":
			if kind == readKind {
				return fmt.Errorf("%w: %w", opensts.ErrNotFound, err)
			}
			return fmt.Errorf("%w: %w", opensts.ErrInvalidInput, err)
		}
	}
	if isConflict(err) {
		return fmt.Errorf("%w: %w", opensts.ErrConflict, err)
	}
	if isConnFailure(err) {
		return unavailable(err)
	}
	return err
}

// refusal is the error to report for a server that answered but refused
// the store URL's user, password or database (SQLSTATE class 28, 3D000):
// a mistake in the configuration, not the unavailable service the API
// calls it while serving. Nil for any other error.
func refusal(err error) error {
	var pe *pgconn.PgError
	if err == nil || !errors.As(err, &pe) || !(strings.HasPrefix(pe.Code, "28") || pe.Code == "3D000") {
		return nil
	}
	return fmt.Errorf("the database server refused the connection: %s (SQLSTATE %s); check the user, password and database name in the store URL", pe.Message, pe.Code)
}

// unavailable wraps err with opensts.ErrUnavailable unless it already is.
func unavailable(err error) error {
	if errors.Is(err, opensts.ErrUnavailable) {
		return err
	}
	return fmt.Errorf("%w: %w", opensts.ErrUnavailable, err)
}

// isConflict reports a serialization failure or a deadlock: the transaction
// was rolled back and may simply run again.
func isConflict(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// isConnFailure reports an error that says the server could not be reached
// or the connection broke, as opposed to an answer from a working server.
func isConnFailure(err error) bool {
	if errors.Is(err, context.Canceled) {
		return false
	}
	// Any failure to connect, refused authentication and a missing
	// database included: the node cannot use its database.
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return true
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case strings.HasPrefix(pe.Code, "08"), // connection exception
			pe.Code == "57P01", // admin_shutdown
			pe.Code == "57P02", // crash_shutdown
			pe.Code == "57P03", // cannot_connect_now
			pe.Code == "53300", // too_many_connections
			pe.Code == "25006": // read_only_sql_transaction: a standby after failover
			return true
		}
		return false
	}
	var ne net.Error
	switch {
	case errors.As(err, &ne), pgconn.SafeToRetry(err), pgconn.Timeout(err),
		errors.Is(err, pgconn.ErrConnClosed), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.EPIPE),
		errors.Is(err, context.DeadlineExceeded):
		return true
	}
	return false
}

// exists runs a SELECT EXISTS(...) query.
func exists(ctx context.Context, q querier, query string, args ...any) (bool, error) {
	var ok bool
	if err := q.QueryRow(ctx, query, args...).Scan(&ok); err != nil {
		return false, err
	}
	return ok, nil
}

// count runs a SELECT count(*) (or sum) query.
func count(ctx context.Context, q querier, query string, args ...any) (int, error) {
	var n int64
	if err := q.QueryRow(ctx, query, args...).Scan(&n); err != nil {
		return 0, err
	}
	return int(n), nil
}

// locked runs a SELECT … FOR … that locks one row and reports ErrNotFound,
// naming what, when there is no such row.
func locked(ctx context.Context, q querier, what, query string, args ...any) error {
	var one int
	err := q.QueryRow(ctx, query, args...).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return backend.NotFound(what)
	}
	return err
}

// Times are timestamptz: microseconds, UTC on the way out; finer precision
// is truncated on the way in (as SQLite's integer microseconds). Optional
// times store the zero time as NULL.

func utc(t time.Time) time.Time { return t.UTC() }

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

func fromNullTime(t pgtype.Timestamptz) time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return t.Time.UTC()
}

// truncate is what a stored time reads back as.
func truncate(t time.Time) time.Time { return t.Truncate(time.Microsecond).UTC() }

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
// next page starts strictly after it: the same markers as package sqlite.

// stmt builds a statement with numbered parameters.
type stmt struct {
	sql  strings.Builder
	args []any
}

func newStmt(sql string, args ...any) *stmt {
	s := &stmt{args: args}
	s.sql.WriteString(sql)
	return s
}

// arg adds a parameter and returns its placeholder.
func (s *stmt) arg(v any) string {
	s.args = append(s.args, v)
	return "$" + strconv.Itoa(len(s.args))
}

// add appends SQL text.
func (s *stmt) add(sql string) *stmt {
	s.sql.WriteString(sql)
	return s
}

// page appends the path-prefix and marker conditions and the order and
// limit clauses of a listing sorted by keyCol (a COLLATE "C" column, so
// byte order). It asks for one row more than the page holds, to learn
// whether the listing is truncated.
func (s *stmt) page(pathCol, keyCol string, opt opensts.ListOptions) error {
	if opt.PathPrefix != "" && pathCol != "" {
		// starts_with, not LIKE: paths may contain % and _.
		s.add(` AND starts_with(` + pathCol + `, ` + s.arg(opt.PathPrefix) + `)`)
	}
	if opt.Marker != "" {
		after, err := backend.DecodeMarker(opt.Marker)
		if err != nil {
			return err
		}
		s.add(` AND ` + keyCol + ` > ` + s.arg(after))
	}
	s.add(` ORDER BY ` + keyCol + ` LIMIT ` + s.arg(opt.Limit()+1))
	return nil
}

// queryPage runs a listing built with page and scans each row into an item
// and its sort key.
func queryPage[T any](ctx context.Context, q querier, s *stmt, opt opensts.ListOptions, scan func(pgx.Row) (T, string, error)) (opensts.Page[T], error) {
	rows, err := q.Query(ctx, s.sql.String(), s.args...)
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
