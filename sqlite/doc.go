// Package sqlite is OpenSTS's embedded default store: opensts.Store on one
// SQLite database file, through the pure-Go driver modernc.org/sqlite (no
// cgo).
//
// It owns the SQLite schema (migrations/NNNN_name.sql, embedded and applied
// in order in one transaction on Open, recorded in schema_migrations; a
// database from a newer binary is refused with ErrSchemaTooNew) and the
// translation of driver errors into the root package's sentinels. The
// migration numbering is shared with package postgres, which mirrors the
// schema table for table.
//
// Durability and concurrency: WAL journal, synchronous=FULL (an
// acknowledged write survives power loss), foreign keys on, a busy timeout
// for other processes. Every write runs in a BEGIN IMMEDIATE transaction on
// a single write connection, so read-modify-write updaters are serialized
// and never fail upgrading a lock; reads use a pool of read-only
// connections and never wait for the writer. Updater funcs run inside the
// write transaction and must not call back into the store.
//
// Times are integer microseconds since the Unix epoch, UTC; the zero time
// of an optional field is NULL. Listing markers are the base64url of the
// last sort key returned.
//
// It imports the root package and the driver only; it must not import the
// domain packages above it (iam, issuer, access, api).
package sqlite
