package node

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/atrest"
	"github.com/opensts/opensts/iam"
	"github.com/opensts/opensts/keyring"
)

func TestRedactDSN(t *testing.T) {
	cases := map[string]string{
		"postgres://opensts:hunter2@db:5432/x?sslmode=require": "postgres://opensts:xxxxx@db:5432/x?sslmode=require",
		"postgres://opensts@db/x":                              "postgres://opensts@db/x",
		"sqlite:///var/lib/opensts.db":                         "sqlite:///var/lib/opensts.db",
		"postgres://u:p%40ss@db/x":                             "postgres://u:xxxxx@db/x",
		"postgres://u@db/x?password=hunter2&sslmode=disable":   "postgres://u@db/x?password=xxxxx&sslmode=disable",
	}
	for in, want := range cases {
		if got := RedactDSN(in); got != want {
			t.Errorf("RedactDSN(%q) = %q, want %q", in, got, want)
		}
	}
}

func mustStore(tb testing.TB, dataDir string) opensts.Store {
	tb.Helper()
	st, err := OpenStore(context.Background(), "", dataDir)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

func TestMasterKey(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st := mustStore(t, dir)
	if _, err := MasterKey(ctx, st, dir, "", false); err == nil {
		t.Fatal("no key file and create=false succeeded")
	}
	a, err := MasterKey(ctx, st, dir, "", true)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, "master.key"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi, err)
	}
	b, err := MasterKey(ctx, st, dir, "", false)
	if err != nil || a.KeyID() != b.KeyID() {
		t.Fatalf("second load: %v, ids %s %s", err, a.KeyID(), b.KeyID())
	}
	env := base64.StdEncoding.EncodeToString(atrest.GenerateKey())
	c, err := MasterKey(ctx, st, dir, env, true)
	if err != nil || c.KeyID() == a.KeyID() {
		t.Fatalf("OPENSTS_MASTER_KEY was not preferred: %v", err)
	}
	if _, err := MasterKey(ctx, st, dir, "not base64!", true); err == nil || strings.Contains(err.Error(), "not base64!") {
		t.Fatalf("bad key: %v", err)
	}
}

// Once the store holds sealed secrets, a missing key file is never replaced
// by a new key: MasterKey refuses, naming the file, OPENSTS_MASTER_KEY and
// the id of the key the store needs, and a key that is not the store's is
// refused too.
func TestMasterKey_StoreHoldsSecrets(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		seal func(t *testing.T, st opensts.Store, box *atrest.Box)
	}{
		{"token key ring", func(t *testing.T, st opensts.Store, box *atrest.Box) {
			if _, err := keyring.Open(ctx, keyring.Config{Store: st, Box: box}); err != nil {
				t.Fatal(err)
			}
		}},
		{"root access key only", func(t *testing.T, st opensts.Store, box *atrest.Box) {
			if _, _, err := iam.Bootstrap(ctx, st, box, iam.RootCredentials{}, time.Now()); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			st := mustStore(t, dir)
			box, err := MasterKey(ctx, st, dir, "", true)
			if err != nil {
				t.Fatal(err)
			}
			tc.seal(t, st, box)
			keyFile := filepath.Join(dir, "master.key")
			good, err := os.ReadFile(keyFile)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Remove(keyFile); err != nil {
				t.Fatal(err)
			}

			_, err = MasterKey(ctx, st, dir, "", true)
			if !errors.Is(err, ErrMasterKeyMissing) {
				t.Fatalf("missing key file: %v, want ErrMasterKeyMissing", err)
			}
			for _, want := range []string{keyFile, "OPENSTS_MASTER_KEY", box.KeyID()} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not name %q", err, want)
				}
			}
			if _, err := os.Stat(keyFile); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("a master key file was left behind: %v", err)
			}

			other := base64.StdEncoding.EncodeToString(atrest.GenerateKey())
			if _, err := MasterKey(ctx, st, dir, other, true); !errors.Is(err, ErrMasterKeyMismatch) || !strings.Contains(err.Error(), box.KeyID()) {
				t.Errorf("another OPENSTS_MASTER_KEY: %v, want ErrMasterKeyMismatch naming %s", err, box.KeyID())
			}
			if err := os.WriteFile(keyFile, []byte(other+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := MasterKey(ctx, st, dir, "", true); !errors.Is(err, ErrMasterKeyMismatch) || !strings.Contains(err.Error(), keyFile) {
				t.Errorf("another key file: %v, want ErrMasterKeyMismatch naming the file", err)
			}

			if _, err := MasterKey(ctx, st, dir, strings.TrimSpace(string(good)), false); err != nil {
				t.Errorf("the store's key from OPENSTS_MASTER_KEY: %v", err)
			}
			if err := os.WriteFile(keyFile, good, 0o600); err != nil {
				t.Fatal(err)
			}
			if got, err := MasterKey(ctx, st, dir, "", false); err != nil || got.KeyID() != box.KeyID() {
				t.Errorf("the store's key file restored: %v", err)
			}
		})
	}
}

// The whole start: a node refuses to start on its store without the master
// key it was created with, and creates no key file.
func TestOpen_MissingMasterKey(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	n, err := Open(ctx, Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	id := n.Box.KeyID()
	n.Close()
	keyFile := filepath.Join(dir, "master.key")
	if err := os.Remove(keyFile); err != nil {
		t.Fatal(err)
	}
	if n, err := Open(ctx, Config{DataDir: dir}); !errors.Is(err, ErrMasterKeyMissing) || !strings.Contains(err.Error(), id) {
		if err == nil {
			n.Close()
		}
		t.Fatalf("start without the key: %v, want ErrMasterKeyMissing naming key id %s", err, id)
	}
	if _, err := os.Stat(keyFile); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a master key file was left behind: %v", err)
	}
}

// Files OpenSTS creates in its data dir are private to the owner whatever
// the umask; a data dir it creates is 0700; a data dir that others may enter
// is reported at start (not refused).
func TestOpen_DataDirModes(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	ctx := context.Background()

	created := filepath.Join(t.TempDir(), "new", "data")
	var logs bytes.Buffer
	n, err := Open(ctx, Config{DataDir: created, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	n.Close()
	if fi, err := os.Stat(created); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("data dir OpenSTS created: %v %v, want 0700", fi, err)
	}
	if strings.Contains(logs.String(), "level=WARN") {
		t.Errorf("warning about a 0700 data dir:\n%s", logs.String())
	}

	shared := t.TempDir()
	if err := os.Chmod(shared, 0o755); err != nil {
		t.Fatal(err)
	}
	logs.Reset()
	n, err = Open(ctx, Config{DataDir: shared, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	for _, want := range []string{"level=WARN", "dir=" + shared, "mode=0755", `fix="chmod 700 ` + shared + `"`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
	// Open has written (the default account, the key ring): the database,
	// its WAL and shared-memory files and the master key exist.
	for _, name := range []string{"opensts.db", "opensts.db-wal", "opensts.db-shm", "master.key"} {
		if _, err := os.Stat(filepath.Join(shared, name)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	entries, err := os.ReadDir(shared)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		fi, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %#o, want 0600", e.Name(), fi.Mode().Perm())
		}
	}
}

func TestOpenStore(t *testing.T) {
	if _, err := OpenStore(context.Background(), "mysql://u:secret@db/x", t.TempDir()); err == nil || !strings.Contains(err.Error(), "unknown store") || strings.Contains(err.Error(), "secret") {
		t.Fatalf("unknown scheme: %v", err)
	}
	dir := t.TempDir()
	st, err := OpenStore(context.Background(), "", dir)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	if _, err := os.Stat(filepath.Join(dir, "opensts.db")); err != nil {
		t.Fatalf("default store not in the data dir: %v", err)
	}
}

func TestSQLitePath(t *testing.T) {
	for dsn, want := range map[string]string{
		"sqlite:///var/lib/opensts/opensts.db": "/var/lib/opensts/opensts.db",
		"sqlite:///tmp/x.db":                   "/tmp/x.db",
	} {
		if got, err := SQLitePath(dsn); err != nil || got != want {
			t.Errorf("SQLitePath(%q) = %q, %v; want %q", dsn, got, err, want)
		}
	}
	for _, dsn := range []string{"sqlite://opensts.db", "sqlite://data/opensts.db", "sqlite://", "postgres://h/db"} {
		if _, err := SQLitePath(dsn); err == nil {
			t.Errorf("SQLitePath(%q) accepted", dsn)
		}
	}
	if _, err := OpenStore(context.Background(), "sqlite://relative.db", t.TempDir()); err == nil || !strings.Contains(err.Error(), "three slashes") {
		t.Errorf("OpenStore of a relative SQLite path: %v", err)
	}
	if _, err := os.Stat("relative.db"); !os.IsNotExist(err) {
		t.Errorf("a relative store file was created: %v", err)
	}
}
