package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opensts/opensts/internal/pgtest"
)

// opensts keys rotate on a PostgreSQL store without its master key says
// to set OPENSTS_MASTER_KEY (there is no key file to look for on another
// host), and does not mistake the refusal for an unavailable service.
func TestCLI12_KeysRotateNeedsMasterKey(t *testing.T) {
	dsn := pgtest.DSN(t)
	key := mnMasterKey(t)
	startServer(t, append(procRootEnv("111122223333"), "OPENSTS_MASTER_KEY="+key), "--data-dir", t.TempDir(), "--store", dsn)

	env := []string{}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "OPENSTS_MASTER_KEY=") {
			env = append(env, kv)
		}
	}
	for _, args := range [][]string{
		{"keys", "rotate", "--store", dsn},                            // the default data dir, which does not exist here
		{"keys", "rotate", "--store", dsn, "--data-dir", t.TempDir()}, // a data dir without master.key
		{"keys", "rotate", "--store", dsn, "--data-dir", filepath.Join(t.TempDir(), "none")},
	} {
		cmd := exec.Command(opensts(t), args...)
		cmd.Env, cmd.Dir = env, t.TempDir()
		out, err := cmd.CombinedOutput()
		mnCheckNoPassword(t, "keys rotate output", string(out), dsn)
		if err == nil || !strings.Contains(string(out), "OPENSTS_MASTER_KEY") || strings.Contains(string(out), "service unavailable") {
			t.Errorf("opensts %v without the master key: %v\n%s", args[:2], err, out)
		}
	}
	cmd := exec.Command(opensts(t), "keys", "rotate", "--store", dsn, "--data-dir", t.TempDir())
	cmd.Env = append(env, "OPENSTS_MASTER_KEY="+key)
	if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "is now active") {
		t.Errorf("keys rotate with the master key: %v\n%s", err, out)
	}
}

// A wrong password in the store URL is reported by the commands as the
// refused login it is, never as an unavailable service, and without the
// password.
func TestCLI12_WrongPostgresPassword(t *testing.T) {
	dsn := pgtest.DSN(t)
	pw := pgtest.Password(dsn)
	if pw == "" {
		t.Skip("the test server takes no password")
	}
	const wrong = "wrong-password-never-printed"
	bad := strings.Replace(dsn, ":"+pw+"@", ":"+wrong+"@", 1)
	if bad == dsn {
		t.Skip("not a URL DSN")
	}
	for _, args := range [][]string{
		{"server", "--listen", "127.0.0.1:0", "--data-dir", t.TempDir(), "--store", bad},
		{"keys", "rotate", "--data-dir", t.TempDir(), "--store", bad},
	} {
		cmd := exec.Command(opensts(t), args...)
		cmd.Env = append(os.Environ(), "OPENSTS_MASTER_KEY="+mnMasterKey(t))
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), "refused the connection") || !strings.Contains(string(out), "check the user, password and database name") ||
			strings.Contains(strings.ToLower(string(out)), "service unavailable") || strings.Contains(string(out), wrong) {
			t.Errorf("opensts %s with a wrong password: %v\n%s", args[0], err, out)
		}
	}
}
