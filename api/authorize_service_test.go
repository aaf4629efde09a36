package api_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// presignCallerIdentity returns a presigned STS GetCallerIdentity URL signed
// by c at the harness clock, as aws sts presigning (Vault, EKS tokens) does.
func (h *harness) presignCallerIdentity(c creds) (string, http.Header) {
	h.t.Helper()
	r, err := http.NewRequest(http.MethodGet, h.srv.URL+"/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Expires=900", nil)
	if err != nil {
		h.t.Fatal(err)
	}
	empty := sha256.Sum256(nil)
	u, header, err := v4.NewSigner().PresignHTTP(context.Background(), aws.Credentials{AccessKeyID: c.id, SecretAccessKey: c.secret, SessionToken: c.token},
		r, hex.EncodeToString(empty[:]), "sts", "us-east-1", h.clock.Now())
	if err != nil {
		h.t.Fatal(err)
	}
	return u, header
}

// A victim hands out a presigned GetCallerIdentity URL to prove who it is
// (to Vault, say). Replayed to a service guarded by AuthorizeRequest, that
// URL must not pass as the victim: Service is required, and a signature
// scoped to sts does not satisfy another service.
func TestAuthorizeRequest_Service(t *testing.T) {
	h := newHarness(t)
	svc := h.mustAllow("notes-service", "opensts:AuthorizeRequest")
	victim := h.mustUser("victim")
	presigned, header := h.presignCallerIdentity(victim)
	if r := h.roundTrip(mustGet(t, presigned, header)); r.status != http.StatusOK || !strings.Contains(r.body, "user/victim") {
		t.Fatalf("the presigned URL itself does not work: %d %s", r.status, r.body)
	}
	u, err := url.Parse(presigned)
	if err != nil {
		t.Fatal(err)
	}
	forward := func(kv ...string) url.Values {
		f := sts("AuthorizeRequest", "Method", http.MethodGet, "Url", presigned,
			"Headers.member.1.Name", "Host", "Headers.member.1.Value", u.Host,
			"ActionNames.member.1", "notes:DeleteNote", "ResourceArns.member.1", "arn:aws:notes:::note/1")
		for i := 0; i+1 < len(kv); i += 2 {
			f.Set(kv[i], kv[i+1])
		}
		return f
	}

	t.Run("fail/another service", func(t *testing.T) {
		r := h.do(svc, forward("Service", "notes"))
		if r.status != http.StatusOK || between(r.body, "Authenticated") != "false" || between(r.body, "Allowed") != "false" ||
			between(r.body, "ErrorCode") != "SignatureDoesNotMatch" || !strings.Contains(r.body, "Credential should be scoped to correct service: 'notes'") {
			t.Fatalf("a signature for sts authorized a notes request: %d %s", r.status, r.body)
		}
	})
	t.Run("fail/no service", func(t *testing.T) {
		wantError(t, h.do(svc, forward()), http.StatusBadRequest, "ValidationError",
			"1 validation error detected: Value null at 'service' failed to satisfy constraint: Member must not be null")
	})
	t.Run("ok/sts, named explicitly", func(t *testing.T) {
		// A service that verifies presigned STS requests on purpose asks
		// for sts, and gets the signer.
		r := h.do(svc, forward("Service", "sts"))
		if r.status != http.StatusOK || between(r.body, "Authenticated") != "true" || !strings.Contains(between(r.body, "Arn"), "user/victim") {
			t.Fatalf("%d %s", r.status, r.body)
		}
	})
}

func mustGet(t *testing.T, u string, header http.Header) *http.Request {
	t.Helper()
	r, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range header {
		r.Header[k] = vs
	}
	return r
}

// Names are unique without regard to case, so SimulatePrincipalPolicy finds
// user/vip when asked for user/VIP: it must then authorize against vip's own
// ARN, where the Deny is.
func TestSimulatePrincipalPolicy_AuthorizesStoredARN(t *testing.T) {
	h := newHarness(t)
	const acct = "arn:aws:iam::" + testAccount + ":"
	for _, f := range []url.Values{
		iamForm("CreateUser", "UserName", "vip"),
		iamForm("CreateUser", "UserName", "bob"),
		iamForm("CreateGroup", "GroupName", "admins"),
		iamForm("CreateGroup", "GroupName", "devs"),
	} {
		if r := h.do(root, f); r.status != http.StatusOK {
			t.Fatalf("%s: %s", f.Get("Action"), r.body)
		}
	}
	auditor := h.mustUser("auditor")
	policy := `{"Version":"2012-10-17","Statement":[
	  {"Effect":"Allow","Action":"iam:SimulatePrincipalPolicy","Resource":"*"},
	  {"Effect":"Deny","Action":"iam:SimulatePrincipalPolicy","Resource":["` + acct + `user/vip","` + acct + `group/admins"]}]}`
	if r := h.do(root, iamForm("PutUserPolicy", "UserName", "auditor", "PolicyName", "audit", "PolicyDocument", policy)); r.status != http.StatusOK {
		t.Fatal(r.body)
	}
	tests := []struct {
		arn  string
		want int
	}{
		{acct + "user/vip", http.StatusForbidden},
		{acct + "user/VIP", http.StatusForbidden},
		{acct + "user/Vip", http.StatusForbidden},
		{acct + "group/admins", http.StatusForbidden},
		{acct + "group/ADMINS", http.StatusForbidden},
		{acct + "user/bob", http.StatusOK},
		{acct + "user/BOB", http.StatusOK},
		{acct + "group/Devs", http.StatusOK},
	}
	for _, tc := range tests {
		t.Run(tc.arn, func(t *testing.T) {
			r := h.do(auditor, iamForm("SimulatePrincipalPolicy", "PolicySourceArn", tc.arn, "ActionNames.member.1", "s3:GetObject"))
			if tc.want == http.StatusOK {
				if r.status != http.StatusOK {
					t.Fatalf("%d %s", r.status, r.body)
				}
				return
			}
			stored := strings.ToLower(tc.arn[len(acct):])
			wantError(t, r, http.StatusForbidden, "AccessDenied",
				"User: "+acct+"user/auditor is not authorized to perform: iam:SimulatePrincipalPolicy on resource: "+acct+stored+
					" with an explicit deny in an identity-based policy")
		})
	}
}
