package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/storetest"
)

func TestSnapshot(t *testing.T) {
	storetest.RunSnapshot(t, func(t *testing.T) opensts.Store {
		return mustOpen(t, filepath.Join(t.TempDir(), "opensts.db"))
	})
}
