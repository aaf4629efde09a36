package e2e

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// opensts server with no --data-dir and no --store, as a newcomer first
// runs it: the default ./opensts-data is relative, and the store opens in
// it (a sqlite:// URL must be absolute, but the data dir need not be).
func TestCLI12_DefaultDataDirStarts(t *testing.T) {
	wd := t.TempDir()
	cmd := exec.Command(opensts(t), "server", "--listen", "127.0.0.1:0")
	cmd.Dir = wd
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "OPENSTS_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	served := make(chan bool, 1)
	var log strings.Builder
	go func() {
		sc := bufio.NewScanner(stderr)
		ok := false
		for sc.Scan() {
			log.WriteString(sc.Text() + "\n")
			if !ok && strings.Contains(sc.Text(), "msg=serving") {
				ok = true
				served <- true
			}
		}
		if !ok {
			served <- false
		}
	}()
	select {
	case ok := <-served:
		if !ok {
			cmd.Wait()
			t.Fatalf("opensts server with the default data dir did not serve:\n%s", log.String())
		}
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatal("opensts server did not start")
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if _, err := os.Stat(filepath.Join(wd, "opensts-data", "opensts.db")); err != nil {
		t.Fatal(err)
	}
}
