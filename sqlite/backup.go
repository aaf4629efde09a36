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
// and writers are not blocked. path must not exist yet; it is created with
// mode 0600, like the database, and removed again if the backup fails. The
// copy is synced to disk before Backup returns, and opens with Open.
func (db *DB) Backup(ctx context.Context, path string) (err error) {
	if path == "" {
		return errors.New("backup sqlite store: empty path")
	}
	defer func() {
		if err != nil {
			err = fmt.Errorf("backup sqlite store to %s: %w", path, err)
		}
	}()
	// VACUUM INTO writes into an empty file as into a new one, and keeps
	// its mode; creating it here, exclusively, also refuses an existing
	// file without a gap between the check and the write.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.Remove(path)
		}
	}()
	err = f.Chmod(0o600) // whatever the umask
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	// VACUUM INTO writes a file, which the query_only read pool refuses,
	// and would hold the write connection for its whole run; a connection of
	// its own only reads the database, in one read transaction.
	conn, err := sql.Open("sqlite", dsn(db.path, false))
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.SetMaxOpenConns(1)
	if _, err := conn.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		return err
	}
	if err := conn.Close(); err != nil {
		return err
	}
	if err := syncFile(path); err != nil {
		return err
	}
	// Make the new directory entry durable too.
	return syncFile(filepath.Dir(path))
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
