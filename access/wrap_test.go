package access

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opensts/opensts/atrest"
	"github.com/opensts/opensts/sqlite"
)

// A store failure is reported with its context once: the store's error
// already names the key ("get access key X: …"), so the authenticator does
// not repeat it.
func TestCredentials_StoreErrorNamedOnce(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "opensts.db"))
	if err != nil {
		t.Fatal(err)
	}
	db.Close() // every read now fails
	box, err := atrest.New(atrest.GenerateKey())
	if err != nil {
		t.Fatal(err)
	}
	a, err := NewAuthenticator(AuthenticatorConfig{Store: db, Box: box, Keys: nopKeys{}, CacheTTL: -1})
	if err != nil {
		t.Fatal(err)
	}
	const id = "AKIAEXAMPLEFAILING01"
	_, err = a.credentials(ctx, id)
	if err == nil {
		t.Fatal("no error from a closed store")
	}
	if n := strings.Count(err.Error(), "get access key"); n != 1 || !strings.Contains(err.Error(), id) {
		t.Errorf("error %q names the lookup %d times, want once with the key id", err, n)
	}
}

type nopKeys struct{ Keys }
