package node

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// A server on an embedded SQLite store holds a shared lock (flock) on the
// file <database>.lock while it runs; several servers on one file each hold
// one. opensts store restore takes it exclusively, so it refuses while any
// server runs on the database (a file replaced under a running server is
// not read by it: it keeps the old one open, and what it writes is lost),
// and a server does not start in the middle of a restore.

// fileWatchInterval is how often a node checks its database file.
const fileWatchInterval = 5 * time.Second

// ErrServing is returned by LockForRestore while a server runs on the
// database.
var ErrServing = errors.New("a server is running on this store")

// servingLockPath is the lock file of the SQLite database at dbPath.
func servingLockPath(dbPath string) string { return dbPath + ".lock" }

// lockServing takes the shared lock of a server on dbPath.
func lockServing(dbPath string) (*os.File, error) {
	f, err := flock(servingLockPath(dbPath), syscall.LOCK_SH)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return nil, fmt.Errorf("store %s is being restored (opensts store restore holds %s); start the server when it has finished", dbPath, servingLockPath(dbPath))
	}
	return f, err
}

// LockForRestore takes the exclusive lock of the SQLite database at dbPath,
// failing with ErrServing while a server holds it. Closing the file
// releases it.
func LockForRestore(dbPath string) (*os.File, error) {
	f, err := flock(servingLockPath(dbPath), syscall.LOCK_EX)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return nil, fmt.Errorf("%w (it holds %s): stop every server on %s first, then restore", ErrServing, servingLockPath(dbPath), dbPath)
	}
	return f, err
}

func flock(path string, how int) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, err
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return f, nil
}

// sqliteDBPath is the database file of a --store value on dataDir, or ""
// for a store that is not SQLite.
func sqliteDBPath(dsn, dataDir string) string {
	if dsn == "" {
		return filepath.Join(dataDir, "opensts.db")
	}
	if strings.HasPrefix(dsn, "sqlite://") {
		if p, err := SQLitePath(dsn); err == nil {
			return p
		}
	}
	return ""
}

// fileWatch notices when the database file a server opened is replaced (a
// restore by hand while it runs: mv, or rm and cp): the server keeps
// reading and writing the old file, so it logs an error and /readyz fails
// until it is restarted.
type fileWatch struct {
	path     string
	opened   os.FileInfo
	replaced atomic.Bool
}

func newFileWatch(path string) *fileWatch {
	fi, err := os.Stat(path)
	if err != nil {
		return nil
	}
	return &fileWatch{path: path, opened: fi}
}

// check reports whether the file was replaced, logging it the first time.
func (w *fileWatch) check(logger *slog.Logger) bool {
	if w == nil {
		return false
	}
	if w.replaced.Load() {
		return true
	}
	fi, err := os.Stat(w.path)
	if err == nil && os.SameFile(fi, w.opened) {
		return false
	}
	if w.replaced.CompareAndSwap(false, true) {
		logger.Error("the store's database file was replaced or removed while this server runs; the server still uses the file it opened, "+
			"and a restored copy is not read until it restarts. Restart it (restore with opensts store restore, which refuses while servers run)",
			"path", w.path)
	}
	return true
}

// run checks every interval until stop is closed.
func (w *fileWatch) run(stop <-chan struct{}, every time.Duration, logger *slog.Logger) {
	if w == nil {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			if w.check(logger) {
				return
			}
		}
	}
}
