package e2e

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/opensts/opensts/internal/pgtest"
)

// TestMain runs the tests with a throwaway PostgreSQL cluster available to
// the ones that need it (started on first use), then removes it and the
// opensts binary the process tests built.
func TestMain(m *testing.M) {
	code := pgtest.Run(m)
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}
