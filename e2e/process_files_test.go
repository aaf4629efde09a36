package e2e

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/opensts/opensts/atrest"
)

// withUmask runs the rest of the test, and the processes it starts, under
// umask.
func withUmask(t *testing.T, umask int) {
	old := syscall.Umask(umask)
	t.Cleanup(func() { syscall.Umask(old) })
}

// In a data dir that already exists with mode 0755, under umask 022, every
// file the server creates (the database with its -wal and -shm files, the
// master key, the audit trail) and a `store backup` copy are 0600, and the
// server warns that the directory is open to others, saying how to fix it.
func TestProcess_FileModes(t *testing.T) {
	// Serial: the umask is the whole test process's.
	withUmask(t, 0o022)
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := startServer(t, procRootEnv("111122223333"), "--data-dir", dir)
	procEnv(t, p, procRoot).mustUser("alice") // a write after start

	for _, want := range []string{"level=WARN", "dir=" + dir, "mode=0755", "chmod 700 " + dir} {
		if !strings.Contains(p.log(), want) {
			t.Errorf("start log lacks %q:\n%s", want, p.log())
		}
	}
	// While the server runs: the WAL and shared-memory files exist.
	for _, name := range []string{"opensts.db", "opensts.db-wal", "opensts.db-shm", "master.key", "audit.jsonl"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	wantPrivate(t, dir)

	backup := filepath.Join(dir, "opensts-backup.db")
	if out, err := exec.Command(opensts(t), "store", "backup", "--data-dir", dir, backup).CombinedOutput(); err != nil {
		t.Fatalf("store backup: %v\n%s", err, out)
	}
	if fi, err := os.Stat(backup); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("store backup output: %v %v, want mode 0600", fi, err)
	}
}

// A data dir the server creates itself is 0700, and nothing is warned about.
func TestProcess_CreatedDataDir(t *testing.T) {
	// Serial: the umask is the whole test process's.
	withUmask(t, 0o022)
	dir := filepath.Join(t.TempDir(), "var", "opensts")
	p := startServer(t, procRootEnv("111122223333"), "--data-dir", dir)
	procEnv(t, p, procRoot).mustUser("alice")
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("created data dir: %v %v, want mode 0700", fi, err)
	}
	if strings.Contains(p.log(), "level=WARN") {
		t.Errorf("warning for a 0700 data dir:\n%s", p.log())
	}
	wantPrivate(t, dir)
}

// wantPrivate fails for any file in dir that is not mode 0600.
func wantPrivate(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
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

// A PostgreSQL password never appears in what a command prints, whatever
// the store URL's syntax: URLs whose password holds a character that breaks
// URL parsing, and libpq keyword/value strings.
func TestProcess_StorePasswordNeverPrinted(t *testing.T) {
	t.Parallel()
	// Each password holds both halves; neither may be printed.
	halves := []string{"S3crA", "Qz9xB"}
	stores := []string{
		"postgres://u:S3crA%zzQz9xB@127.0.0.1:1/db",
		"postgres://u:S3crA#Qz9xB@127.0.0.1:1/db",
		"postgres://u:S3crA/Qz9xB@127.0.0.1:1/db",
		// pgx reads localhost:1 as host and port and "Qz9xB@…" as the
		// database name, which its connection errors print.
		"postgres://localhost:1/S3crAQz9xB@127.0.0.1:1/db",
		"postgresql://u:S3crA?Qz9xB@127.0.0.1:1/db?sslmode=disable",
		"postgres://u@127.0.0.1:1/db?password=S3crA&Qz9xB&sslmode=disable",
		"host=127.0.0.1 port=1 user=u password=S3crAQz9xB dbname=d",
		"host=127.0.0.1 user=u password='S3crA Qz9xB' dbname=d",
	}

	// A real store to copy from, so that the copy reaches its target.
	src := t.TempDir()
	startServer(t, procRootEnv("111122223333"), "--data-dir", src).stop(t)
	srcURL := "sqlite://" + filepath.Join(src, "opensts.db")

	run := func(t *testing.T, env []string, args ...string) {
		t.Helper()
		cmd := exec.Command(opensts(t), args...)
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.CombinedOutput()
		for _, h := range halves {
			if strings.Contains(string(out), h) {
				t.Errorf("opensts %s prints the password (%q):\n%s", strings.Join(args, " "), h, out)
			}
		}
		if len(out) == 0 {
			t.Errorf("opensts %s printed nothing (err %v): the test checks nothing", strings.Join(args, " "), err)
		}
	}
	for i, store := range stores {
		// Not named after the store: test names end up in temporary paths,
		// which the commands print.
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			dir := t.TempDir()
			run(t, nil, "server", "--listen", "127.0.0.1:0", "--data-dir", dir, "--store", store)
			run(t, []string{"OPENSTS_STORE=" + store}, "server", "--listen", "127.0.0.1:0", "--data-dir", dir)
			run(t, nil, "server", "--print-config", "--store", store)
			run(t, nil, "keys", "rotate", "--data-dir", dir, "--store", store)
			run(t, nil, "store", "copy", "--from", store, "--to", "sqlite://"+filepath.Join(dir, "copy.db"))
			run(t, nil, "store", "copy", "--from", srcURL, "--to", store)
			run(t, nil, "store", "backup", "--store", store, filepath.Join(dir, "backup.db"))
		})
	}
}

// A missing master.key beside a store that holds secrets is never replaced
// by a new key: the server refuses to start, names the file, the variable
// and the id of the key the store needs, and creates no key file. With the
// key back it starts.
func TestProcess_MissingMasterKey(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	startServer(t, procRootEnv("111122223333"), "--data-dir", dir).stop(t)
	keyFile := filepath.Join(dir, "master.key")
	key, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	k, err := atrest.ParseKey(string(key))
	if err != nil {
		t.Fatal(err)
	}
	box, err := atrest.New(k)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(keyFile); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(opensts(t), "server", "--listen", "127.0.0.1:0", "--data-dir", dir)
	cmd.Env = append(os.Environ(), procRootEnv("111122223333")...)
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("server started without its master key:\n%s", out)
	}
	for _, want := range []string{keyFile, "OPENSTS_MASTER_KEY", box.KeyID()} {
		if !strings.Contains(string(out), want) {
			t.Errorf("refusal does not name %q:\n%s", want, out)
		}
	}
	if _, err := os.Stat(keyFile); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a new master key file was left behind: %v", err)
	}

	if err := os.WriteFile(keyFile, key, 0o600); err != nil {
		t.Fatal(err)
	}
	p := startServer(t, procRootEnv("111122223333"), "--data-dir", dir)
	if _, err := procEnv(t, p, procRoot).sts(procRoot).GetCallerIdentity(context.Background(), nil); err != nil {
		t.Fatalf("with the key restored: %v", err)
	}
}

// A first start whose port is taken fails before it creates anything: no
// account, no root credentials printed or written, no store.
func TestProcess_PortTakenCreatesNothing(t *testing.T) {
	t.Parallel()
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	dir := filepath.Join(t.TempDir(), "data")
	cmd := exec.Command(opensts(t), "server", "--listen", taken.Addr().String(), "--data-dir", dir)
	cmd.Env = os.Environ()
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("server started on a taken port:\n%s", out)
	}
	if !strings.Contains(string(out), "--listen") || !strings.Contains(string(out), "address already in use") {
		t.Errorf("refusal does not say the address is in use:\n%s", out)
	}
	if strings.Contains(string(out), "AKIA") {
		t.Errorf("root credentials printed by a server that never served:\n%s", out)
	}
	for _, f := range []string{"opensts.db", "root-credentials", "master.key"} {
		if _, err := os.Stat(filepath.Join(dir, f)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s created by a failed start: %v", f, err)
		}
	}
}
