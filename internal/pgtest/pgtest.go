// Package pgtest gives tests a real PostgreSQL: the server named by
// OPENSTS_TEST_POSTGRES (a DSN) when it is set, otherwise a throwaway
// cluster it starts itself, once per test binary, from the initdb and
// postgres programs found on PATH or in the newest
// /usr/lib/postgresql/*/bin (Debian's postgresql package).
//
// The throwaway cluster lives in a temporary directory, listens on a free
// port on 127.0.0.1 only (its Unix socket is in the same directory),
// requires a password generated per run, and runs with fsync off: it is
// for tests only. PostgreSQL refuses to run as root, so when the tests run
// as root the cluster runs as the postgres system user (which Debian's
// package creates) and the directory is handed to that user. The server
// process gets SIGINT if the test binary dies, and Run stops it and
// removes the directory at the end.
//
// Without PostgreSQL, DSN skips the test, unless the CI environment
// variable is set: in CI a skip is a failure (DESIGN.md decision 6).
//
// Test binaries that use DSN call Run from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Run(m)) }
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// EnvDSN names the environment variable holding the DSN of a server to
// test against instead of a throwaway cluster.
const EnvDSN = "OPENSTS_TEST_POSTGRES"

// errNotInstalled means there is no PostgreSQL to start.
var errNotInstalled = errors.New("PostgreSQL is not installed")

var (
	mu      sync.Mutex
	started *cluster // the throwaway cluster, once started
	base    string   // the DSN schemas are created in
	admin   *pgxpool.Pool
	setup   error // the first failure to provide a server, kept
	setUp   bool
)

// Run runs the tests and then stops the throwaway cluster, if one was
// started. Its result is the exit code for os.Exit.
func Run(m *testing.M) int {
	code := m.Run()
	mu.Lock()
	defer mu.Unlock()
	if admin != nil {
		admin.Close()
	}
	if started != nil {
		if err := started.stop(); err != nil {
			fmt.Fprintln(os.Stderr, "pgtest:", err)
		}
	}
	return code
}

// DSN returns the DSN of a fresh, empty schema (in the DSN's search_path),
// dropped with everything in it when the test ends. It has the form of
// the base DSN: a postgres:// URL for the throwaway cluster, and whatever
// form OPENSTS_TEST_POSTGRES has otherwise. DSN never logs the DSN, which
// holds a password.
func DSN(tb testing.TB) string {
	tb.Helper()
	pool, dsn, err := server()
	if errors.Is(err, errNotInstalled) {
		if os.Getenv("CI") != "" {
			tb.Fatalf("PostgreSQL tests must run in CI: %v (set %s, or install the postgresql package)", err, EnvDSN)
		}
		tb.Skipf("skipping PostgreSQL test: %v (set %s, or install the postgresql package)", err, EnvDSN)
	}
	if err != nil {
		tb.Fatalf("PostgreSQL for tests: %v", err)
	}
	schema := "opensts_test_" + randomHex(8)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := pool.Exec(ctx, `CREATE SCHEMA `+schema); err != nil {
		tb.Fatalf("create schema %s: %v", schema, err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := pool.Exec(ctx, `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return WithParam(dsn, "search_path", schema)
}

// server returns the admin pool and base DSN, starting the cluster on
// first use.
func server() (*pgxpool.Pool, string, error) {
	mu.Lock()
	defer mu.Unlock()
	if setUp {
		return admin, base, setup
	}
	setUp = true
	dsn := os.Getenv(EnvDSN)
	if dsn == "" {
		c, err := start()
		if err != nil {
			setup = err
			return nil, "", err
		}
		started, dsn = c, c.dsn
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pool, err := pgxpool.New(ctx, dsn)
	if err == nil {
		err = pool.Ping(ctx)
	}
	if err != nil {
		setup = fmt.Errorf("connect to the test server: %w", err)
		return nil, "", setup
	}
	admin, base = pool, dsn
	return admin, base, nil
}

// cluster is a running throwaway PostgreSQL.
type cluster struct {
	dir  string
	cmd  *exec.Cmd
	done chan struct{} // closed when the server exits
	dsn  string
	log  string // the server's log file
}

// binDir finds the directory with initdb, pg_ctl and postgres: the one
// initdb on PATH lives in (following symlinks), else the newest
// /usr/lib/postgresql/N/bin.
func binDir() (string, error) {
	has := func(dir string) bool {
		for _, p := range []string{"initdb", "postgres"} {
			if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
				return false
			}
		}
		return true
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil && has(filepath.Dir(real)) {
			return filepath.Dir(real), nil
		}
		if has(filepath.Dir(p)) {
			return filepath.Dir(p), nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	version := func(dir string) float64 {
		v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(dir)), 64)
		return v
	}
	slices.SortFunc(dirs, func(a, b string) int {
		switch va, vb := version(a), version(b); {
		case va > vb:
			return -1
		case va < vb:
			return 1
		}
		return 0
	})
	for _, d := range dirs {
		if has(d) {
			return d, nil
		}
	}
	return "", fmt.Errorf("%w: no initdb on PATH or in /usr/lib/postgresql/*/bin", errNotInstalled)
}

// runAs says which user the cluster's programs run as: nil for the
// current user, the postgres system user's credentials when running as
// root.
func runAs() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("%w: running as root needs the postgres system user, as PostgreSQL refuses to run as root: %v", errNotInstalled, err)
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err := errors.Join(err1, err2); err != nil {
		return nil, fmt.Errorf("postgres user: %w", err)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// start creates and starts a throwaway cluster.
func start() (c *cluster, err error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	cred, err := runAs()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "opensts-pg-")
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(dir)
		}
	}()
	if cred != nil {
		// The cluster's user must own the directory; /tmp lets it in.
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return nil, err
		}
	}
	password := randomHex(16)
	pwfile := filepath.Join(dir, "pwfile")
	if err := os.WriteFile(pwfile, []byte(password+"\n"), 0o600); err != nil {
		return nil, err
	}
	if cred != nil {
		if err := os.Chown(pwfile, int(cred.Uid), int(cred.Gid)); err != nil {
			return nil, err
		}
	}
	data := filepath.Join(dir, "data")
	initdb := func(extra ...string) ([]byte, error) {
		args := append([]string{"-D", data, "-U", "postgres", "--pwfile", pwfile, "--auth", "scram-sha-256",
			"-E", "UTF8", "--no-sync", "--no-instructions"}, extra...)
		cmd := exec.Command(filepath.Join(bin, "initdb"), args...)
		cmd.Env = append(os.Environ(), "LC_ALL=C")
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		out, err := cmd.CombinedOutput()
		if err != nil {
			os.RemoveAll(data)
		}
		return out, err
	}
	// An ICU default collation (PostgreSQL 15+) orders text unlike byte
	// order, so listings that forget COLLATE "C" fail; plain C otherwise.
	if _, err := initdb("--locale-provider=icu", "--icu-locale=en-US", "--locale=C"); err != nil {
		if out, err := initdb("--locale=C"); err != nil {
			return nil, fmt.Errorf("initdb: %v\n%s", err, out)
		}
	}
	os.Remove(pwfile)

	for attempt := 0; ; attempt++ {
		c, err := launch(bin, dir, data, cred, password)
		if err == nil || attempt == 2 {
			return c, err
		}
	}
}

// launch runs the server on a free port and waits until it accepts
// connections.
func launch(bin, dir, data string, cred *syscall.Credential, password string) (*cluster, error) {
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	logPath := filepath.Join(dir, "postgres.log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	cmd := exec.Command(filepath.Join(bin, "postgres"), "-D", data, "-p", strconv.Itoa(port),
		"-c", "listen_addresses=127.0.0.1",
		"-c", "unix_socket_directories="+dir,
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		"-c", "max_connections=300", "-c", "shared_buffers=64MB",
		"-c", "log_min_messages=warning", "-c", "log_min_error_statement=panic")
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// Pdeathsig stops the server when the thread that started it dies, so
	// that thread stays locked and alive, waiting, for as long as the
	// server runs.
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGINT, Setpgid: true}
	c := &cluster{dir: dir, cmd: cmd, done: make(chan struct{}), log: logPath,
		dsn: (&url.URL{Scheme: "postgres", User: url.UserPassword("postgres", password),
			Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), Path: "/postgres", RawQuery: "sslmode=disable"}).String()}
	startErr := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		defer close(c.done)
		if err := cmd.Start(); err != nil {
			startErr <- err
			return
		}
		startErr <- nil
		cmd.Wait()
	}()
	if err := <-startErr; err != nil {
		return nil, fmt.Errorf("start postgres: %w", err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		conn, err := pgx.Connect(ctx, c.dsn)
		cancel()
		if err == nil {
			conn.Close(context.Background())
			return c, nil
		}
		select {
		case <-c.done:
			return nil, fmt.Errorf("postgres exited: %s", c.tail())
		default:
		}
		if time.Now().After(deadline) {
			c.stop()
			return nil, fmt.Errorf("postgres did not start: %v\n%s", err, c.tail())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// tail is the end of the server's log.
func (c *cluster) tail() string {
	b, _ := os.ReadFile(c.log)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// stop shuts the server down (fast shutdown, then kill) and removes its
// directory.
func (c *cluster) stop() error {
	_ = c.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-c.done:
	case <-time.After(15 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.done
	}
	return os.RemoveAll(c.dir)
}

// FreePort returns a TCP port on 127.0.0.1 that nothing listens on.
func FreePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// isURL reports whether dsn is a postgres:// URL rather than libpq
// keyword/value settings.
func isURL(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// WithParam returns dsn with the setting key set to value, in either DSN
// form.
func WithParam(dsn, key, value string) string {
	if isURL(dsn) {
		u, err := url.Parse(dsn)
		if err != nil {
			return dsn
		}
		q := u.Query()
		q.Set(key, value)
		// pgx reads "+" literally, so spaces are written as %20.
		u.RawQuery = strings.ReplaceAll(q.Encode(), "+", "%20")
		return u.String()
	}
	// In keyword/value form a later setting overrides an earlier one.
	return dsn + " " + key + "='" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(value) + "'"
}

// WithHostPort returns dsn pointing at host:port instead.
func WithHostPort(dsn, host string, port int) string {
	if isURL(dsn) {
		u, err := url.Parse(dsn)
		if err != nil {
			return dsn
		}
		u.Host = net.JoinHostPort(host, strconv.Itoa(port))
		return u.String()
	}
	return WithParam(WithParam(dsn, "host", host), "port", strconv.Itoa(port))
}

// Password returns the password in dsn, if any, so tests can check that
// it appears in no output.
func Password(dsn string) string {
	if isURL(dsn) {
		u, err := url.Parse(dsn)
		if err != nil {
			return ""
		}
		if p, ok := u.User.Password(); ok {
			return p
		}
		return u.Query().Get("password")
	}
	m := regexp.MustCompile(`(?:^|\s)password\s*=\s*(?:'((?:[^'\\]|\\.)*)'|(\S+))`).FindStringSubmatch(dsn)
	if m == nil {
		return ""
	}
	if m[2] != "" {
		return m[2]
	}
	return regexp.MustCompile(`\\(.)`).ReplaceAllString(m[1], "$1")
}
