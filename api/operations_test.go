package api

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/opensts/opensts/access"
	"github.com/opensts/opensts/iam"
	"github.com/opensts/opensts/issuer"
)

// The operation table's facts hold together: every action is named once,
// has a handler, is audited unless it only reads, and credential issuers
// are audited and never read-only.
func TestOperations_Table(t *testing.T) {
	for _, svc := range []*service{stsService, iamService} {
		seen := map[string]bool{}
		for _, op := range append(append([]*operation{}, stsOperations...), iamOperations...) {
			if svc.ops[op.name] != op {
				continue
			}
			if seen[op.name] {
				t.Errorf("%s:%s listed twice", svc.name, op.name)
			}
			seen[op.name] = true
			if op.handle == nil {
				t.Errorf("%s:%s has no handler", svc.name, op.name)
			}
			if op.issues && (op.reads || !op.audited()) {
				t.Errorf("%s:%s issues credentials but is not audited", svc.name, op.name)
			}
			reads := strings.HasPrefix(op.name, "Get") || strings.HasPrefix(op.name, "List") || strings.HasPrefix(op.name, "Simulate")
			if reads && !op.issues && !op.reads {
				t.Errorf("%s:%s looks like a read but is audited as a change", svc.name, op.name)
			}
			if svc == iamService && op.sessions != access.IAMSessions {
				t.Errorf("iam:%s does not follow IAM's session rule", op.name)
			}
		}
		if len(seen) != len(svc.ops) {
			t.Errorf("%s: %d operations in the map, %d in the table", svc.name, len(svc.ops), len(seen))
		}
	}
	gst := stsService.ops["GetSessionToken"]
	for name, want := range map[string]bool{
		"TokenCode": true, "WebIdentityToken": true, "SAMLAssertion": true, "X-Amz-Security-Token": true,
		"SerialNumber": false, "DurationSeconds": false,
	} {
		if gst.isSecret(name) != want {
			t.Errorf("GetSessionToken: isSecret(%s) = %v", name, !want)
		}
	}
	if p := requestParameters(params{"WebIdentityToken": {"eyJ…"}, "RoleArn": {"arn"}}, stsService.ops["GetCallerIdentity"]); p["webIdentityToken"] != nil || p["roleArn"] != "arn" {
		t.Errorf("audited parameters %v", p)
	}
}

// An operation marked unsigned runs without authentication; the caller is
// then nil. (The AssumeRoleWith* calls are such operations.)
func TestOperations_Unsigned(t *testing.T) {
	// Zero-value dependencies: any use of the authenticator would fail.
	s, err := New(Config{Authenticator: &access.Authenticator{}, Authorizer: &access.Authorizer{}, Issuer: &issuer.Issuer{}, IAM: &iam.Service{}})
	if err != nil {
		t.Fatal(err)
	}
	ran := false
	op := &operation{name: "TestUnsigned", unsigned: true, reads: true, handle: func(_ *Server, _ context.Context, c *call) (*node, error) {
		ran = c.caller == nil
		return el("", leaf("Ok", "true")), nil
	}}
	stsService.ops[op.name] = op
	defer delete(stsService.ops, op.name)
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("Action=TestUnsigned&Version=2011-06-15"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	if w.Code != http.StatusOK || !ran || !strings.Contains(w.Body.String(), "<Ok>true</Ok>") {
		t.Fatalf("%d %s (ran unauthenticated: %v)", w.Code, w.Body.String(), ran)
	}
}
