package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Backup writes a consistent copy of the database to path with VACUUM INTO,
// while the store stays online: the copy is one read snapshot, so writes
// that commit during the backup are either wholly in it or wholly absent,
// and writers are not blocked. path must not exist yet. The copy is synced
// to disk before Backup returns, and opens with Open.
func (db *DB) Backup(ctx context.Context, path string) error {
	if path == "" {
		return errors.New("backup sqlite store: empty path")
	}
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("backup sqlite store to %s: %w", path, os.ErrExist)
	}
	// VACUUM INTO writes a file, which the query_only read pool refuses,
	// and would hold the write connection for its whole run; a connection of
	// its own only reads the database, in one read transaction.
	conn, err := sql.Open("sqlite", dsn(db.path, false))
	if err != nil {
		return fmt.Errorf("backup sqlite store to %s: %w", path, err)
	}
	defer conn.Close()
	conn.SetMaxOpenConns(1)
	if _, err := conn.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		return fmt.Errorf("backup sqlite store to %s: %w", path, err)
	}
	if err := conn.Close(); err != nil {
		return fmt.Errorf("backup sqlite store to %s: %w", path, err)
	}
	if err := syncFile(path); err != nil {
		return fmt.Errorf("backup sqlite store to %s: %w", path, err)
	}
	// Make the new directory entry durable too.
	if err := syncFile(filepath.Dir(path)); err != nil {
		return fmt.Errorf("backup sqlite store to %s: %w", path, err)
	}
	return nil
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
