package audit

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opensts/opensts"
)

// Append writes one record as a Log would, secrets scrubbed, after what
// is already in the file; Scan reads it back.
func TestAppend(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l, err := Open(Config{Path: path, Sync: true})
	if err != nil {
		t.Fatal(err)
	}
	l.Record(context.Background(), opensts.Event{Name: "GetUser", Source: "iam.amazonaws.com", Time: time.Now()})
	if err := Append(context.Background(), path, opensts.Event{
		Name: "RotateTokenKey", Source: "opensts.cli", Time: time.Now(),
		Identity:          opensts.EventIdentity{Type: "Operator", PrincipalID: "opensts-cli:root@host"},
		RequestParameters: map[string]any{"dataDir": "/var/lib/opensts", "secretAccessKey": "never"},
	}); err != nil {
		t.Fatal(err)
	}
	l.Record(context.Background(), opensts.Event{Name: "ListUsers", Source: "iam.amazonaws.com", Time: time.Now()})
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	var names []string
	err = Scan(path, Filter{}, func(r Record) error {
		names = append(names, r.EventName)
		if r.EventName == "RotateTokenKey" {
			if r.EventID == "" || r.UserIdentity.PrincipalID != "opensts-cli:root@host" || r.RequestParameters["dataDir"] != "/var/lib/opensts" {
				t.Errorf("appended record: %+v", r)
			}
			if _, ok := r.RequestParameters["secretAccessKey"]; ok {
				t.Error("a secret was written")
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(names, ",") != "GetUser,RotateTokenKey,ListUsers" {
		t.Errorf("records %v", names)
	}
}
