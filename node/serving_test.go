package node

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Servers share the lock of an embedded store; a restore takes it alone,
// refused while any server holds it, and a server does not start during a
// restore.
func TestServingLock(t *testing.T) {
	db := filepath.Join(t.TempDir(), "opensts.db")
	a, err := lockServing(db)
	if err != nil {
		t.Fatal(err)
	}
	b, err := lockServing(db)
	if err != nil {
		t.Fatalf("a second server on the store: %v", err)
	}
	if _, err := LockForRestore(db); !errors.Is(err, ErrServing) || !strings.Contains(err.Error(), "stop every server") {
		t.Fatalf("restore while two servers run: %v", err)
	}
	a.Close()
	if _, err := LockForRestore(db); !errors.Is(err, ErrServing) {
		t.Fatalf("restore while one server runs: %v", err)
	}
	b.Close()
	r, err := LockForRestore(db)
	if err != nil {
		t.Fatalf("restore with no server: %v", err)
	}
	if _, err := lockServing(db); err == nil || !strings.Contains(err.Error(), "being restored") {
		t.Fatalf("server start during a restore: %v", err)
	}
	r.Close()
	if c, err := lockServing(db); err != nil {
		t.Fatalf("server start after the restore: %v", err)
	} else {
		c.Close()
	}
}

func TestSQLiteDBPath(t *testing.T) {
	for _, c := range []struct{ dsn, dir, want string }{
		{"", "/var/lib/opensts", "/var/lib/opensts/opensts.db"},
		{"sqlite:///srv/o.db", "/d", "/srv/o.db"},
		{"sqlite://relative.db", "/d", ""},
		{"postgres://u@h/db", "/d", ""},
	} {
		if got := sqliteDBPath(c.dsn, c.dir); got != c.want {
			t.Errorf("sqliteDBPath(%q, %q) = %q, want %q", c.dsn, c.dir, got, c.want)
		}
	}
}

// The default store is SQLite in the data dir, which may be relative (the
// default ./opensts-data): it opens there, though a sqlite:// URL must be
// absolute.
func TestOpenStoreRelativeDataDir(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.Mkdir("opensts-data", 0o700); err != nil {
		t.Fatal(err)
	}
	st, err := OpenStore(t.Context(), "", "./opensts-data")
	if err != nil {
		t.Fatalf("OpenStore with a relative data dir: %v", err)
	}
	st.Close()
	if _, err := os.Stat(filepath.Join(dir, "opensts-data", "opensts.db")); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenStore(t.Context(), "sqlite://opensts.db", ""); err == nil || !strings.Contains(err.Error(), "must be absolute") {
		t.Fatalf("a relative sqlite:// URL: %v", err)
	}
}
