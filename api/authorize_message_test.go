package api_test

import (
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A denial from AuthorizeRequest carries AWS's encoded authorization
// failure message; DecodeAuthorizationMessage (with
// sts:DecodeAuthorizationMessage) returns its document in AWS's shape, and
// refuses anything else, including an expired message.
func TestDecodeAuthorizationMessage(t *testing.T) {
	h := newHarness(t)
	svc := h.mustAllow("notes-service", "opensts:AuthorizeRequest")
	victim := h.mustUser("victim")
	presigned, _ := h.presignCallerIdentity(victim)
	u, err := url.Parse(presigned)
	if err != nil {
		t.Fatal(err)
	}
	r := h.do(svc, sts("AuthorizeRequest", "Method", http.MethodGet, "Url", presigned, "Service", "sts",
		"Headers.member.1.Name", "Host", "Headers.member.1.Value", u.Host,
		"ActionNames.member.1", "notes:DeleteNote", "ResourceArns.member.1", "arn:aws:notes:::note/1",
		"ContextEntries.member.1.ContextKeyName", "notes:Folder", "ContextEntries.member.1.ContextKeyValues.member.1", "inbox",
		"ContextEntries.member.1.ContextKeyType", "string"))
	encoded := between(r.body, "EncodedAuthorizationMessage")
	if r.status != http.StatusOK || encoded == "" || strings.Contains(r.body, "<Allowed>true") {
		t.Fatalf("AuthorizeRequest: %d %s", r.status, r.body)
	}

	wantError(t, h.do(victim, sts("DecodeAuthorizationMessage", "EncodedMessage", encoded)), 403, "AccessDenied", "")
	d := h.do(root, sts("DecodeAuthorizationMessage", "EncodedMessage", encoded))
	if d.status != http.StatusOK {
		t.Fatalf("%d %s", d.status, d.body)
	}
	var doc struct {
		Allowed, ExplicitDeny bool
		MatchedStatements     struct{ Items []any }
		Context               struct {
			Principal  struct{ ID, ARN string }
			Action     string
			Resource   string
			Conditions struct {
				Items []struct {
					Key    string
					Values struct{ Items []struct{ Value string } }
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(html.UnescapeString(between(d.body, "DecodedMessage"))), &doc); err != nil {
		t.Fatalf("DecodedMessage is not JSON: %v\n%s", err, d.body)
	}
	c := doc.Context
	if doc.Allowed || doc.ExplicitDeny || c.Principal.ARN != "arn:aws:iam::"+testAccount+":user/victim" || !strings.HasPrefix(c.Principal.ID, "AIDA") ||
		c.Action != "notes:DeleteNote" || c.Resource != "arn:aws:notes:::note/1" ||
		len(c.Conditions.Items) != 1 || c.Conditions.Items[0].Key != "notes:Folder" || c.Conditions.Items[0].Values.Items[0].Value != "inbox" {
		t.Fatalf("decoded %+v", doc)
	}

	for name, m := range map[string]string{
		"not base64":  "!!!",
		"tampered":    encoded[:len(encoded)-4] + "AAAA",
		"not OpenSTS": "eyJhbGxvd2VkIjpmYWxzZX0",
	} {
		t.Run("fail/"+name, func(t *testing.T) {
			wantError(t, h.do(root, sts("DecodeAuthorizationMessage", "EncodedMessage", m)), 400, "InvalidAuthorizationMessageException", "")
		})
	}
	wantError(t, h.do(root, sts("DecodeAuthorizationMessage")), 400, "ValidationError",
		"1 validation error detected: Value null at 'encodedMessage' failed to satisfy constraint: Member must not be null")
	h.clock.Advance(25 * time.Hour)
	wantError(t, h.do(root, sts("DecodeAuthorizationMessage", "EncodedMessage", encoded)), 400, "InvalidAuthorizationMessageException", "")
}

// AuthorizeRequest reads the forwarded principal's policies once, however
// many action × resource pairs it asks about, so every decision of one
// answer sees the same policies and a 100-pair check is one store read.
func TestAuthorizeRequest_ReadsPoliciesOnce(t *testing.T) {
	h := newHarness(t)
	svc := h.mustAllow("notes-service", "opensts:AuthorizeRequest")
	victim := h.mustUser("victim")
	presigned, _ := h.presignCallerIdentity(victim)
	u, err := url.Parse(presigned)
	if err != nil {
		t.Fatal(err)
	}
	f := sts("AuthorizeRequest", "Method", http.MethodGet, "Url", presigned, "Service", "sts",
		"Headers.member.1.Name", "Host", "Headers.member.1.Value", u.Host)
	for i := 1; i <= 10; i++ {
		f.Set("ActionNames.member."+strconv.Itoa(i), "notes:Action"+strconv.Itoa(i))
		f.Set("ResourceArns.member."+strconv.Itoa(i), "arn:aws:notes:::note/"+strconv.Itoa(i))
	}
	before := h.storeOps("IdentityPolicies")
	if r := h.do(svc, f); r.status != http.StatusOK || strings.Count(r.body, "<member>") < 100 {
		t.Fatalf("AuthorizeRequest: %d %s", r.status, r.body)
	}
	// One read for the caller (may it call AuthorizeRequest?), one for
	// the forwarded principal.
	if n := h.storeOps("IdentityPolicies") - before; n == 0 || n > 2 {
		t.Fatalf("%d IdentityPolicies reads for one 100-pair AuthorizeRequest, want at most 2", n)
	}
}

// storeOps is how many store operations named op the node has run.
func (h *harness) storeOps(op string) uint64 {
	h.t.Helper()
	mfs, err := h.node.Registry.Gather()
	if err != nil {
		h.t.Fatal(err)
	}
	var n uint64
	for _, mf := range mfs {
		if mf.GetName() != "opensts_store_operation_duration_seconds" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "operation" && l.GetValue() == op {
					n += m.GetHistogram().GetSampleCount()
				}
			}
		}
	}
	return n
}
