package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// First start without OPENSTS_ROOT_*: credentials are generated, printed
// once and written to a 0600 file; they work; a restart keeps them and does
// not print them again.
func TestProcess_FirstStartGeneratesRoot(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := startServer(t, []string{"OPENSTS_LOG_FORMAT=text"}, "--data-dir", dir)
	// Standard output is copied from a pipe by its own goroutine: what the
	// server printed before it logged "serving" may still be on its way.
	out := p.output()
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(out, "AWS_SECRET_ACCESS_KEY=") && time.Now().Before(deadline); out = p.output() {
		time.Sleep(10 * time.Millisecond)
	}
	id := regexp.MustCompile(`AWS_ACCESS_KEY_ID=(AKIA[A-Z2-7]{16})`).FindStringSubmatch(out)
	secret := regexp.MustCompile(`AWS_SECRET_ACCESS_KEY=(\S{40})`).FindStringSubmatch(out)
	if id == nil || secret == nil {
		t.Fatalf("first start did not print root credentials:\n%s", out)
	}
	root := creds{AccessKeyID: id[1], SecretAccessKey: secret[1]}
	info, err := os.Stat(filepath.Join(dir, "root-credentials"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("root-credentials file: %v %v", info, err)
	}
	if key, err := os.Stat(filepath.Join(dir, "master.key")); err != nil || key.Mode().Perm() != 0o600 {
		t.Fatalf("master.key: %v %v", key, err)
	}
	if strings.Contains(p.log(), secret[1]) {
		t.Fatal("the root secret appears in the logs")
	}
	e := procEnv(t, p, root)
	if _, err := e.sts(root).GetCallerIdentity(context.Background(), nil); err != nil {
		t.Fatalf("printed credentials do not work: %v", err)
	}
	if err := p.stop(t); err != nil {
		t.Fatalf("SIGTERM exit: %v", err)
	}

	q := startServer(t, []string{"OPENSTS_LOG_FORMAT=text"}, "--data-dir", dir)
	if strings.Contains(q.output(), "AWS_SECRET_ACCESS_KEY") {
		t.Fatal("a restart printed root credentials again")
	}
	if _, err := procEnv(t, q, root).sts(root).GetCallerIdentity(context.Background(), nil); err != nil {
		t.Fatalf("root credentials after restart: %v", err)
	}
}

// A restart with different OPENSTS_ROOT_* is refused, not silently ignored.
func TestProcess_RootCredentialsAreFixed(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := startServer(t, procRootEnv("111122223333"), "--data-dir", dir)
	p.stop(t)
	cmd := exec.Command(opensts(t), "server", "--listen", "127.0.0.1:0", "--data-dir", dir)
	cmd.Env = append(os.Environ(), "OPENSTS_ROOT_ACCESS_KEY_ID="+procRoot.AccessKeyID, "OPENSTS_ROOT_SECRET_ACCESS_KEY=someOtherSecretValue0123456789")
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "does not match the stored secret") {
		t.Fatalf("restart with another secret: %v\n%s", err, out)
	}
	if strings.Contains(string(out), "someOtherSecretValue0123456789") || strings.Contains(string(out), procRoot.SecretAccessKey) {
		t.Fatal("a secret appears in the error output")
	}
}

// Acknowledged writes survive kill -9; a session token issued before the
// crash still verifies after it.
func TestProcess_SurvivesKill9(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := startServer(t, procRootEnv("111122223333"), "--data-dir", dir)
	e := procEnv(t, p, procRoot)
	ctx := context.Background()
	alice := e.mustUser("alice")
	out, err := e.sts(alice).GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	temp := fromSTS(out.Credentials.AccessKeyId, out.Credentials.SecretAccessKey, out.Credentials.SessionToken)
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-p.done
	p.done <- nil

	q := startServer(t, procRootEnv("111122223333"), "--data-dir", dir)
	e = procEnv(t, q, procRoot)
	if _, err := e.iam(procRoot).GetUser(ctx, &iam.GetUserInput{UserName: aws.String("alice")}); err != nil {
		t.Fatalf("user lost after kill -9: %v", err)
	}
	id, err := e.sts(temp).GetCallerIdentity(ctx, nil)
	if err != nil || !strings.HasSuffix(*id.Arn, ":user/alice") {
		t.Fatalf("session after kill -9: %v %v", id, err)
	}
}

// SIGTERM lets a request in flight finish, then the process exits 0.
func TestProcess_GracefulShutdown(t *testing.T) {
	// Not parallel: it asserts how long the shutdown takes.
	p := startServer(t, procRootEnv("111122223333"), "--data-dir", t.TempDir(), "--shutdown-grace", "10s")
	e := procEnv(t, p, procRoot)
	if _, err := e.sts(procRoot).GetCallerIdentity(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := p.stop(t); err != nil {
		t.Fatalf("exit after SIGTERM: %v\n%s", err, p.log())
	}
	if time.Since(start) > 10*time.Second {
		t.Fatal("shutdown took longer than the grace period")
	}
	if !strings.Contains(p.log(), "stopped") {
		t.Fatalf("no clean stop in the log:\n%s", p.log())
	}
}

// `opensts store backup` copies the embedded store while the server runs;
// restoring it as the README says brings back everything acknowledged before
// the backup, and the same master key opens its secrets.
func TestProcess_BackupAndRestore(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := startServer(t, procRootEnv("111122223333"), "--data-dir", dir)
	e := procEnv(t, p, procRoot)
	ctx := context.Background()
	alice := e.mustUser("alice")
	backup := filepath.Join(t.TempDir(), "opensts-backup.db")
	out, err := exec.Command(opensts(t), "store", "backup", "--data-dir", dir, backup).CombinedOutput()
	if err != nil {
		t.Fatalf("store backup while serving: %v\n%s", err, out)
	}
	e.mustUser("bob") // after the backup: not in it
	if err := p.stop(t); err != nil {
		t.Fatal(err)
	}
	// Restore: replace the database, drop its WAL and shared-memory files.
	b, err := os.ReadFile(backup)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "opensts.db"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(dir, "opensts.db-wal"))
	os.Remove(filepath.Join(dir, "opensts.db-shm"))

	q := startServer(t, procRootEnv("111122223333"), "--data-dir", dir)
	e = procEnv(t, q, procRoot)
	if _, err := e.sts(alice).GetCallerIdentity(ctx, nil); err != nil {
		t.Fatalf("alice's key after restore: %v", err)
	}
	_, err = e.iam(procRoot).GetUser(ctx, &iam.GetUserInput{UserName: aws.String("bob")})
	wantAPIError(t, err, "NoSuchEntity", "")
}
