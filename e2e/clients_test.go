package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// missingClient ends a test whose client (an SDK in another language, a
// tool) is not installed: a skip locally, a failure in CI (CI set, as
// .ci/run does), where .ci/run installs every client and a skip would report
// untested behaviour as passing. The same convention as awsCLI.
func missingClient(t *testing.T, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") != "" {
		t.Fatalf("required in CI: %s", msg)
	}
	t.Skip(msg)
}

// clientHome is an isolated home for a client process: empty shared
// config and credentials files the test may fill, and the environment that
// points the client at them and at nothing else (no keys, no profile, no
// endpoint, no instance metadata).
type clientHome struct {
	dir, config, credentials string
}

func newClientHome(t *testing.T) *clientHome {
	t.Helper()
	dir := t.TempDir()
	h := &clientHome{dir: dir, config: filepath.Join(dir, "config"), credentials: filepath.Join(dir, "credentials")}
	for _, f := range []string{h.config, h.credentials} {
		if err := os.WriteFile(f, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return h
}

// write replaces the shared config (name "config") or credentials file.
func (h *clientHome) write(t *testing.T, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(h.dir, name), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// env is the process environment: the home's files, then extra
// ("KEY=value").
func (h *clientHome) env(extra ...string) []string {
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + h.dir,
		"AWS_CONFIG_FILE=" + h.config,
		"AWS_SHARED_CREDENTIALS_FILE=" + h.credentials,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_MAX_ATTEMPTS=1",
	}
	for _, k := range []string{"LANG", "SSL_CERT_FILE", "TMPDIR"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return append(env, extra...)
}

// runJSON runs a helper script that reads one JSON request on stdin and
// prints one JSON answer on stdout, and decodes the answer into out. The
// request goes on stdin so that keys stay out of the process list.
func runJSON(t *testing.T, cmd *exec.Cmd, req, out any) {
	t.Helper()
	in, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdin = bytes.NewReader(in)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\nstdout: %s\nstderr: %s", filepath.Base(cmd.Args[len(cmd.Args)-1]), err, stdout.Bytes(), stderr.Bytes())
	}
	if err := json.Unmarshal(stdout.Bytes(), out); err != nil {
		t.Fatalf("%s: the answer is not JSON: %v\nstdout: %s\nstderr: %s", filepath.Base(cmd.Args[len(cmd.Args)-1]), err, stdout.Bytes(), stderr.Bytes())
	}
}
