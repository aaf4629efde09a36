package node

import (
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opensts/opensts/atrest"
)

func TestRedactDSN(t *testing.T) {
	cases := map[string]string{
		"postgres://opensts:hunter2@db:5432/x?sslmode=require": "postgres://opensts:xxxxx@db:5432/x?sslmode=require",
		"postgres://opensts@db/x":                              "postgres://opensts@db/x",
		"sqlite:///var/lib/opensts.db":                         "sqlite:///var/lib/opensts.db",
		"postgres://u:p%40ss@db/x":                             "postgres://u:xxxxx@db/x",
		"postgres://u@db/x?password=hunter2&sslmode=disable":   "postgres://u@db/x?password=xxxxx&sslmode=disable",
	}
	for in, want := range cases {
		if got := RedactDSN(in); got != want {
			t.Errorf("RedactDSN(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMasterKey(t *testing.T) {
	dir := t.TempDir()
	if _, err := MasterKey(dir, "", false); err == nil {
		t.Fatal("no key file and create=false succeeded")
	}
	a, err := MasterKey(dir, "", true)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, "master.key"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi, err)
	}
	b, err := MasterKey(dir, "", false)
	if err != nil || a.KeyID() != b.KeyID() {
		t.Fatalf("second load: %v, ids %s %s", err, a.KeyID(), b.KeyID())
	}
	env := base64.StdEncoding.EncodeToString(atrest.GenerateKey())
	c, err := MasterKey(dir, env, true)
	if err != nil || c.KeyID() == a.KeyID() {
		t.Fatalf("OPENSTS_MASTER_KEY was not preferred: %v", err)
	}
	if _, err := MasterKey(dir, "not base64!", true); err == nil || strings.Contains(err.Error(), "not base64!") {
		t.Fatalf("bad key: %v", err)
	}
}

func TestOpenStore(t *testing.T) {
	if _, err := OpenStore(context.Background(), "mysql://u:secret@db/x", t.TempDir()); err == nil || !strings.Contains(err.Error(), "unknown store") || strings.Contains(err.Error(), "secret") {
		t.Fatalf("unknown scheme: %v", err)
	}
	dir := t.TempDir()
	st, err := OpenStore(context.Background(), "", dir)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	if _, err := os.Stat(filepath.Join(dir, "opensts.db")); err != nil {
		t.Fatalf("default store not in the data dir: %v", err)
	}
}
