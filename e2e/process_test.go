package e2e

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// opensts builds the opensts binary once per test run.
func opensts(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "opensts-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "opensts")
		out, err := exec.Command("go", "build", "-o", binPath, "../cmd/opensts").CombinedOutput()
		if err != nil {
			buildErr = &buildError{out: string(out), err: err}
		}
	})
	if buildErr != nil {
		t.Fatalf("build opensts: %v", buildErr)
	}
	return binPath
}

type buildError struct {
	out string
	err error
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + e.out }

// process is a running `opensts server`.
type process struct {
	cmd    *exec.Cmd
	url    string
	stdout strings.Builder
	mu     sync.Mutex
	logs   []string
	done   chan error
}

var servingRE = regexp.MustCompile(`msg=serving address=(\S+) scheme=(\w+)`)

// startServer runs `opensts server` on a free loopback port with extra
// arguments and environment, and waits until it serves.
func startServer(t *testing.T, env []string, args ...string) *process {
	t.Helper()
	cmd := exec.Command(opensts(t), append([]string{"server", "--listen", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	p := &process{cmd: cmd, done: make(chan error, 1)}
	cmd.Stdout = &lockedWriter{mu: &p.mu, w: &p.stdout}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	addr := make(chan string, 1) // scheme://host:port
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			p.mu.Lock()
			p.logs = append(p.logs, line)
			p.mu.Unlock()
			if m := servingRE.FindStringSubmatch(line); m != nil {
				select {
				case addr <- m[2] + "://" + m[1]:
				default:
				}
			}
		}
	}()
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() { p.stop(t) })
	select {
	case a := <-addr:
		p.url = a
	case err := <-p.done:
		t.Fatalf("opensts server exited: %v\n%s", err, p.log())
	case <-time.After(60 * time.Second):
		t.Fatalf("opensts server did not start:\n%s", p.log())
	}
	return p
}

func (p *process) log() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.logs, "\n")
}

func (p *process) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stdout.String()
}

// stop sends SIGTERM and waits for a clean exit.
func (p *process) stop(t *testing.T) error {
	if p.cmd.ProcessState != nil {
		return nil
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		p.done <- err
		return err
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
		t.Errorf("opensts server did not stop on SIGTERM:\n%s", p.log())
		return <-p.done
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// procEnv is an env whose root credentials are fixed and whose URL is a
// real server process.
func procEnv(t *testing.T, p *process, root creds) *env {
	return &env{t: t, url: p.url, clock: nil, root: root}
}

// Fixed root credentials for server processes.
var procRoot = creds{AccessKeyID: "AKIAOPENSTSPROCESS01", SecretAccessKey: "processTestRootSecret/0123456789abcdefghij"}

func procRootEnv(account string) []string {
	return []string{
		"OPENSTS_ROOT_ACCESS_KEY_ID=" + procRoot.AccessKeyID,
		"OPENSTS_ROOT_SECRET_ACCESS_KEY=" + procRoot.SecretAccessKey,
		"OPENSTS_ACCOUNT_ID=" + account,
		"OPENSTS_LOG_FORMAT=text",
	}
}
