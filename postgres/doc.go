// Package postgres is OpenSTS's store for running several nodes:
// opensts.Store and opensts.Snapshotter on one PostgreSQL database that
// any number of stateless `opensts server` processes share (DESIGN.md
// decision 5), through pgx v5 and its connection pool.
//
// It owns the PostgreSQL schema (migrations/NNNN_name.sql, numbered as
// package sqlite's and with the same meaning, embedded and applied in
// order in one transaction on Open, recorded in schema_migrations) and the
// translation of driver errors into the root package's sentinels.
//
// Schema and migrations: tables are created in the first schema of the
// connection's search_path, so a DSN may give OpenSTS a schema of its own
// (…?search_path=opensts). Open takes a transaction-scoped advisory lock
// named after that schema before it looks at schema_migrations, so nodes
// starting at once on an empty database apply each migration exactly once
// and the others wait for it. A database migrated by a newer binary is
// refused with ErrSchemaTooNew. Identifiers, names and sort keys are
// COLLATE "C": listings come in byte order, exactly as from SQLite,
// whatever the database's default collation. Times are timestamptz
// (microseconds, read back in UTC), sealed secrets bytea, tags JSON text.
//
// Concurrency: writes run in READ COMMITTED transactions that lock what
// their read-modify-write depends on before reading it: the account row
// for account-wide quotas (users, roles, groups, policies, MFA devices),
// the owning user, group or role for per-owner quotas and against
// deletion, the entity itself for updater funcs (SELECT … FOR NO KEY
// UPDATE), and the whole token_keys table (LOCK TABLE … EXCLUSIVE) for
// key-ring updates, which readers never wait for. Updaters on different
// nodes therefore queue exactly as on one node, and updater funcs must not
// call back into the store. Reads that must be one snapshot
// (IdentityPolicies, listings with an existence check, Snapshot) use a
// REPEATABLE READ read-only transaction; single lookups run as one
// statement, prepared once per connection by pgx's statement cache.
//
// Failures: a unique violation (SQLSTATE 23505) is opensts.ErrAlreadyExists,
// a missing row opensts.ErrNotFound. Serialization failures (40001) and
// deadlocks (40P01) run the transaction again, a few times, then give
// opensts.ErrConflict. A lost or refused connection (dial errors, broken
// connections, admin shutdown 57P01, too many connections, a read-only
// standby after failover) is retried for about a second when that is safe
// — reads, and writes whose COMMIT was not yet sent — and otherwise
// returned wrapped with opensts.ErrUnavailable, which the API answers with
// AWS's ServiceUnavailable (503). Ping does not retry; /readyz uses it.
//
// Pool: DefaultMaxConns (10) connections per node unless the DSN sets
// pool_max_conns; connections idle for 5 minutes are closed and every
// connection is replaced after 30 minutes (pool_max_conn_idle_time,
// pool_max_conn_lifetime); a connection attempt gives up after 5 seconds
// (connect_timeout). See docs/multi-node.md for sizing. No error of this
// package contains the DSN or its password.
//
// It imports the root package and pgx only; it must not import the domain
// packages above it (iam, issuer, access, api).
package postgres
