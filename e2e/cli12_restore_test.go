package e2e

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// opensts store restore refuses while a server runs on the store, and
// restores once it is stopped; a database file replaced by hand under a
// running server makes it log the fact and fail /readyz, instead of the
// restore silently doing nothing.
func TestCLI12_RestoreWhileServing(t *testing.T) {
	dir := t.TempDir()
	p := startServer(t, procRootEnv("111122223333"), "--data-dir", dir)
	e := procEnv(t, p, procRoot)
	ctx := context.Background()
	e.mustUser("alice")
	backup := filepath.Join(t.TempDir(), "backup.db")
	if out, err := exec.Command(opensts(t), "store", "backup", "--data-dir", dir, backup).CombinedOutput(); err != nil {
		t.Fatalf("store backup: %v\n%s", err, out)
	}
	e.mustUser("bob") // after the backup

	out, err := exec.Command(opensts(t), "store", "restore", "--data-dir", dir, backup).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "a server is running on this store") || !strings.Contains(string(out), "stop every server") {
		t.Fatalf("store restore while serving: %v\n%s", err, out)
	}
	if _, err := e.iam(procRoot).GetUser(ctx, &iam.GetUserInput{UserName: aws.String("bob")}); err != nil {
		t.Fatalf("bob after the refused restore: %v", err)
	}

	// By hand, as a newcomer might: the server notices.
	ready := func() int {
		resp, err := http.Get(p.url + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := ready(); code != 200 {
		t.Fatalf("/readyz = %d before the replacement", code)
	}
	b, err := os.ReadFile(backup)
	if err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(dir, "copy.db")
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, "opensts.db")); err != nil {
		t.Fatal(err)
	}
	if code := ready(); code != http.StatusServiceUnavailable {
		t.Errorf("/readyz = %d after the database file was replaced, want 503", code)
	}
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(p.log(), "database file was replaced"); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Errorf("no error logged for the replaced file:\n%s", p.log())
			break
		}
	}
	if err := p.stop(t); err != nil {
		t.Fatal(err)
	}

	// A backup the configured master key cannot open is refused.
	cmd := exec.Command(opensts(t), "store", "restore", "--data-dir", dir, backup)
	cmd.Env = append(os.Environ(), "OPENSTS_MASTER_KEY=c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI=")
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "master key") {
		t.Fatalf("restore under another master key: %v\n%s", err, out)
	}
	if out, err := exec.Command(opensts(t), "store", "restore", "--data-dir", dir, backup).CombinedOutput(); err != nil {
		t.Fatalf("store restore with the server stopped: %v\n%s", err, out)
	}
	for _, name := range []string{"opensts.db.restoring", "opensts.db-wal", "opensts.db-shm"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			t.Errorf("%s left after the restore", name)
		}
	}
	wantPrivate(t, dir)

	q := startServer(t, procRootEnv("111122223333"), "--data-dir", dir)
	e = procEnv(t, q, procRoot)
	if _, err := e.iam(procRoot).GetUser(ctx, &iam.GetUserInput{UserName: aws.String("alice")}); err != nil {
		t.Fatalf("alice after the restore: %v", err)
	}
	_, err = e.iam(procRoot).GetUser(ctx, &iam.GetUserInput{UserName: aws.String("bob")})
	wantAPIError(t, err, "NoSuchEntity", "")
}
