package e2e

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// quickStartBlocks returns the shell blocks (```sh) of the README section
// "Quick start with the AWS CLI", as written.
func quickStartBlocks(t *testing.T, readme string) []string {
	t.Helper()
	const heading = "## Quick start with the AWS CLI\n"
	i := strings.Index(readme, heading)
	if i < 0 {
		t.Fatalf("README has no %q section", strings.TrimSpace(heading))
	}
	section := readme[i+len(heading):]
	if j := strings.Index(section, "\n## "); j >= 0 {
		section = section[:j]
	}
	var blocks []string
	for _, m := range regexp.MustCompile("(?ms)^```sh\n(.*?)^```$").FindAllStringSubmatch(section, -1) {
		blocks = append(blocks, m[1])
	}
	if len(blocks) == 0 {
		t.Fatal("the README's quick start has no ```sh block")
	}
	return blocks
}

// copyCheckout copies the module at src into dst as a fresh clone would
// have it: without VCS metadata, installed npm packages, build outputs or a
// data dir.
func copyCheckout(t *testing.T, src, dst string) {
	t.Helper()
	skip := map[string]bool{".git": true, "node_modules": true, "opensts-data": true, "results": true, "bin": true}
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.IsDir() {
			if rel != "." && skip[d.Name()] {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if !d.Type().IsRegular() || strings.HasSuffix(rel, ".test") {
			return nil
		}
		in, err := os.Open(path)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.OpenFile(filepath.Join(dst, rel), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
	if err != nil {
		t.Fatalf("copy the checkout: %v", err)
	}
}

// userEnv is the environment of a user who follows the README: their PATH
// (Go, the AWS CLI, a shell), a home without any AWS configuration, their
// locale and, where the Go toolchain and a pyenv-installed CLI look for
// their own files, the same places as the test's (standing in for the
// user's own home: Go's module and build caches). No AWS_* variable: the
// README sets every one it needs.
func userEnv(t *testing.T, home string) []string {
	t.Helper()
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home}
	for _, k := range []string{"LANG", "LC_ALL", "SSL_CERT_FILE", "PYENV_ROOT", "PYENV_VERSION", "GOPROXY", "GOFLAGS", "GOTOOLCHAIN", "GONOSUMDB", "GOPRIVATE"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	out, err := exec.Command("go", "env", "GOCACHE", "GOMODCACHE", "GOPATH", "GOENV").Output()
	if err != nil {
		t.Fatalf("go env: %v", err)
	}
	vals := strings.Split(strings.TrimSpace(string(out)), "\n")
	for i, k := range []string{"GOCACHE", "GOMODCACHE", "GOPATH", "GOENV"} {
		if i < len(vals) && vals[i] != "" {
			env = append(env, k+"="+vals[i])
		}
	}
	return env
}

// TestQuickStart_README runs the README's quick start exactly as written —
// `go run ./cmd/opensts server &` on the default 127.0.0.1:7070 included —
// with sh, in a fresh copy of the repository, with the AWS CLI on PATH
// (Debian's awscli 2.9.19 in CI) and no environment beyond what a user
// has. sh runs it with -e (stop at the first failing command) and -x (show
// each command in the failure report); both change what is reported, not
// what runs.
func TestQuickStart_README(t *testing.T) {
	t.Parallel() // nothing else serves on 7070; it changes no process state
	awsCLI(t)
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh on PATH")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:7070")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("the quick start serves on 127.0.0.1:7070, which is taken: %v", err)
		}
		t.Skipf("the quick start serves on 127.0.0.1:7070, which is taken: %v", err)
	}
	ln.Close()

	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	script := strings.Join(quickStartBlocks(t, string(readme)), "\n")
	for _, banned := range []string{"AWS_REGION=", "AKIA…", "…"} {
		if strings.Contains(script, banned) {
			t.Errorf("the quick start contains %q: a user cannot run it as written", banned)
		}
	}

	repo := filepath.Join(t.TempDir(), "opensts")
	copyCheckout(t, "..", repo)
	home := t.TempDir()

	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-e", "-x", "-c", script)
	cmd.Dir = repo
	cmd.Env = userEnv(t, home)
	// Its own process group: the server it starts in the background (and
	// `go run`'s child) is stopped with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	// Files, not pipes: the background server inherits them, and Wait
	// returns when sh ends, not when the server does.
	stdoutF, err := os.Create(filepath.Join(home, "stdout"))
	if err != nil {
		t.Fatal(err)
	}
	defer stdoutF.Close()
	stderrF, err := os.Create(filepath.Join(home, "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	defer stderrF.Close()
	cmd.Stdout, cmd.Stderr = stdoutF, stderrF
	err = cmd.Run()
	// Stop what the script left running (the server), as a user would.
	stopGroup(t, cmd.Process.Pid)
	outB, _ := os.ReadFile(stdoutF.Name())
	errB, _ := os.ReadFile(stderrF.Name())
	out := string(outB)
	if err != nil {
		t.Fatalf("the README's quick start failed: %v\nstdout:\n%s\nstderr (sh -x):\n%s", err, out, errB)
	}

	account := regexp.MustCompile(`OpenSTS created account (\d{12})`).FindStringSubmatch(out)
	if account == nil {
		t.Fatalf("the first start printed no account:\n%s\n%s", out, errB)
	}
	for _, want := range []string{
		`"Arn": "arn:aws:iam::` + account[1] + `:user/alice"`,         // alice's key, then her session
		`"Arn": "arn:aws:sts::` + account[1] + `:federated-user/Bob"`, // GetFederationToken
		`"PackedPolicySize":`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the quick start's output lacks %s:\n%s", want, out)
		}
	}
	if n := strings.Count(out, `"Arn": "arn:aws:iam::`+account[1]+`:user/alice"`); n < 2 {
		t.Errorf("get-caller-identity showed alice %d times, want twice (her key and her session):\n%s", n, out)
	}
}

// stopGroup sends SIGTERM to the process group pgid, waits up to 30 seconds
// for it to be gone, then kills what is left.
func stopGroup(t *testing.T, pgid int) {
	t.Helper()
	if err := syscall.Kill(-pgid, syscall.SIGTERM); errors.Is(err, syscall.ESRCH) {
		return
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if err := syscall.Kill(-pgid, 0); errors.Is(err, syscall.ESRCH) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Errorf("the quick start's server did not stop on SIGTERM")
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
}
