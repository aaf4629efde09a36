package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opensts/opensts/audit"
)

// opensts keys rotate and opensts mfa import-hardware change the store
// without a server; each leaves a CloudTrail-shaped record in the server's
// audit trail (written beside the running server's own records), found by
// opensts audit --event.
func TestCLI12_OfflineAdministrationAudited(t *testing.T) {
	dir := t.TempDir()
	p := startServer(t, procRootEnv("111122223333"), "--data-dir", dir)
	e := procEnv(t, p, procRoot)
	e.mustUser("alice") // a server record before and after the offline ones

	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(opensts(t), args...)
		cmd.Env = append(os.Environ(), "OPENSTS_DATA_DIR="+dir)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("opensts %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	run("keys", "rotate")
	seeds := filepath.Join(t.TempDir(), "seeds.csv")
	if err := os.WriteFile(seeds, []byte("GAHT12345678,3132333435363738393031323334353637383930\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	run("mfa", "import-hardware", "--file", seeds)
	e.mustUser("bob")
	// A failed import is recorded too, as refused.
	cmd := exec.Command(opensts(t), "mfa", "import-hardware", "--file", seeds, "--data-dir", dir)
	if out, err := cmd.CombinedOutput(); err == nil {
		t.Fatalf("importing the same serial again succeeded:\n%s", out)
	}

	records := map[string][]audit.Record{}
	for _, line := range strings.Split(strings.TrimSpace(run("audit", "--json")), "\n") {
		var r audit.Record
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		records[r.EventName] = append(records[r.EventName], r)
	}
	if len(records["CreateUser"]) != 2 {
		t.Errorf("the server's records: %d CreateUser, want 2", len(records["CreateUser"]))
	}
	rot := records["RotateTokenKey"]
	if len(rot) != 1 {
		t.Fatalf("RotateTokenKey records: %+v", rot)
	}
	r := rot[0]
	if r.EventSource != "opensts.cli" || r.EventVersion != "1.08" || r.UserIdentity.Type != "Operator" ||
		!strings.HasPrefix(r.UserIdentity.PrincipalID, "opensts-cli:") || r.UserIdentity.AccountID != "111122223333" ||
		r.ErrorCode != "" || r.ResponseElements["tokenKeyId"] == nil || r.RequestParameters["dataDir"] != dir ||
		!strings.Contains(r.UserAgent, "(keys rotate)") || r.ReadOnly || r.EventID == "" {
		t.Errorf("RotateTokenKey record: %+v", r)
	}
	imp := records["ImportHardwareMFADevices"]
	if len(imp) != 2 {
		t.Fatalf("ImportHardwareMFADevices records: %+v", imp)
	}
	if imp[0].ErrorCode != "" || imp[0].ResponseElements["imported"] != json.Number("1") && imp[0].ResponseElements["imported"] != float64(1) {
		t.Errorf("first import: %+v", imp[0])
	}
	if sn, _ := imp[0].RequestParameters["serialNumbers"].([]any); len(sn) != 1 || sn[0] != "GAHT12345678" {
		t.Errorf("first import's serial numbers: %+v", imp[0].RequestParameters)
	}
	if imp[1].ErrorCode == "" || !strings.Contains(imp[1].ErrorMessage, "already registered") {
		t.Errorf("failed import: %+v", imp[1])
	}
	// No seed reaches the trail.
	b, err := os.ReadFile(filepath.Join(dir, "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "3132333435") {
		t.Error("the audit trail holds a seed")
	}
	// The table names the operator as the caller.
	if out := run("audit", "--event", "RotateTokenKey"); !strings.Contains(out, "opensts-cli:") {
		t.Errorf("opensts audit --event RotateTokenKey:\n%s", out)
	}
}
