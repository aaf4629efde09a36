package sqlite

import (
	"database/sql"
	"path/filepath"
	"testing"
)

// TestPragmas checks the settings every connection of both pools runs with.
func TestPragmas(t *testing.T) {
	db, err := Open(t.Context(), filepath.Join(t.TempDir(), "opensts.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, tc := range []struct {
		pool      string
		db        *sql.DB
		queryOnly int
	}{
		{"write", db.w, 0},
		{"read", db.r, 1},
	} {
		for pragma, want := range map[string]any{
			"journal_mode": "wal",
			"synchronous":  int64(2), // FULL
			"foreign_keys": int64(1),
			"busy_timeout": busyTimeout.Milliseconds(),
			"query_only":   int64(tc.queryOnly),
		} {
			var got any
			if err := tc.db.QueryRowContext(t.Context(), "PRAGMA "+pragma).Scan(&got); err != nil {
				t.Fatalf("%s pool: PRAGMA %s: %v", tc.pool, pragma, err)
			}
			if s, ok := got.(string); ok {
				got = s
			}
			if got != want {
				t.Errorf("%s pool: PRAGMA %s = %v (%T), want %v", tc.pool, pragma, got, got, want)
			}
		}
	}
}
