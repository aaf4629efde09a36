package api_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opensts/opensts/internal/oidctest"
	"github.com/opensts/opensts/node"
)

const (
	wiIssuer   = "https://idp.example.test"
	wiProvider = "arn:aws:iam::" + testAccount + ":oidc-provider/idp.example.test"
	wiTrust    = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + wiProvider + `"},` +
		`"Action":["sts:AssumeRoleWithWebIdentity","sts:TagSession","sts:SetSourceIdentity"],"Condition":{"StringEquals":{"idp.example.test:aud":"sts.amazonaws.com"}}}]}`
)

// webIdentityHarness is a harness with the audit trail on, an OIDC
// provider for a test IdP and a role CI that trusts it.
func webIdentityHarness(t *testing.T) (*harness, *oidctest.IdP) {
	t.Helper()
	idp, err := oidctest.Start(wiIssuer)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(idp.Close)
	h := newHarness(t, withAudit, func(c *node.Config) { idp.Configure(&c.WebIdentity) })
	for _, form := range []map[string]string{
		{"Action": "CreateOpenIDConnectProvider", "Url": wiIssuer, "ClientIDList.member.1": "sts.amazonaws.com"},
		{"Action": "CreateRole", "RoleName": "CI", "AssumeRolePolicyDocument": wiTrust},
	} {
		f := iamForm(form["Action"])
		for k, v := range form {
			f.Set(k, v)
		}
		if r := h.do(root, f); r.status != http.StatusOK {
			t.Fatalf("setup %s: %s", form["Action"], r.body)
		}
	}
	return h, idp
}

// idToken is a token of idp for sub, valid from the harness's clock.
func idToken(t *testing.T, h *harness, idp *oidctest.IdP, sub string, extra map[string]any) string {
	t.Helper()
	c := idp.Claims(sub, "sts.amazonaws.com")
	c["iat"], c["exp"] = h.clock.Now().Unix(), h.clock.Now().Unix()+3600
	for k, v := range extra {
		c[k] = v
	}
	tok, err := idp.Sign(c, false)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestGolden_AssumeRoleWithWebIdentity pins the response's shape (roles-spec
// §3.7): unsigned, and with the session tags and source identity the token
// carries.
func TestGolden_AssumeRoleWithWebIdentity(t *testing.T) {
	h, idp := webIdentityHarness(t)
	tok := idToken(t, h, idp, "repo:octo/app:ref:refs/heads/main", map[string]any{
		"https://aws.amazon.com/tags":            map[string]any{"principal_tags": map[string]any{"team": []string{"blue"}}},
		"https://aws.amazon.com/source_identity": "octocat",
	})
	r := h.do(creds{}, sts("AssumeRoleWithWebIdentity", "RoleArn", "arn:aws:iam::"+testAccount+":role/CI", "RoleSessionName", "run-1",
		"WebIdentityToken", tok, "DurationSeconds", "900"))
	if r.status != http.StatusOK {
		t.Fatalf("AssumeRoleWithWebIdentity: %d %s", r.status, r.body)
	}
	checkGolden(t, "AssumeRoleWithWebIdentity.xml", r)

	r = h.do(creds{}, sts("AssumeRoleWithWebIdentity", "RoleArn", "arn:aws:iam::"+testAccount+":role/CI", "RoleSessionName", "run-2",
		"WebIdentityToken", "eyJ.not-a.jwt"))
	if r.status != http.StatusBadRequest {
		t.Fatalf("a malformed token: %d %s", r.status, r.body)
	}
	checkGolden(t, "AssumeRoleWithWebIdentity-InvalidIdentityToken.xml", r)

	// The token never reaches the audit trail, whether the request was
	// granted or refused; the granted one names the web identity user.
	if err := h.node.Audit.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(h.node.DataDir(), "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), tok[:40]) || strings.Contains(string(data), "not-a.jwt") || strings.Contains(string(data), `"webIdentityToken"`) {
		t.Fatalf("a web identity token reached the audit trail:\n%s", data)
	}
	var granted struct {
		UserIdentity map[string]string `json:"userIdentity"`
		EventName    string            `json:"eventName"`
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-2]), &granted); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"type": "WebIdentityUser", "principalId": wiProvider + ":sts.amazonaws.com:repo:octo/app:ref:refs/heads/main",
		"userName": "repo:octo/app:ref:refs/heads/main", "identityProvider": wiProvider}
	for k, v := range want {
		if granted.EventName != "AssumeRoleWithWebIdentity" || granted.UserIdentity[k] != v {
			t.Fatalf("audit record %s: userIdentity %v, want %s=%s", granted.EventName, granted.UserIdentity, k, v)
		}
	}
}

// A web identity token longer than AWS's bound is refused by the model,
// without its value in the message.
func TestAssumeRoleWithWebIdentity_ValidationHidesToken(t *testing.T) {
	h, _ := webIdentityHarness(t)
	r := h.do(creds{}, sts("AssumeRoleWithWebIdentity", "RoleArn", "arn:aws:iam::"+testAccount+":role/CI", "RoleSessionName", "s",
		"WebIdentityToken", strings.Repeat("A", 20001)))
	if r.status != http.StatusBadRequest || !strings.Contains(r.body, "Value at 'webIdentityToken' failed to satisfy constraint: Member must have length less than or equal to 20000") ||
		strings.Contains(r.body, "AAAA") {
		t.Fatalf("%d %s", r.status, r.body)
	}
}

// TestGolden_GetWebIdentityToken pins the response's shape and keeps the
// token out of the audit trail.
func TestGolden_GetWebIdentityToken(t *testing.T) {
	h := newHarness(t, withAudit, func(c *node.Config) { c.IssuerURL = "https://sts.example.test" })
	if r := h.do(root, iamForm("EnableOutboundWebIdentityFederation")); r.status != http.StatusOK {
		t.Fatalf("enable: %s", r.body)
	}
	checkGolden(t, "GetOutboundWebIdentityFederationInfo.xml", h.do(root, iamForm("GetOutboundWebIdentityFederationInfo")))
	r := h.do(root, sts("GetWebIdentityToken", "Audience.member.1", "https://api.example.test", "SigningAlgorithm", "ES384"))
	if r.status != http.StatusOK {
		t.Fatalf("GetWebIdentityToken: %d %s", r.status, r.body)
	}
	tok := r.body[strings.Index(r.body, "<WebIdentityToken>")+len("<WebIdentityToken>") : strings.Index(r.body, "</WebIdentityToken>")]
	if strings.Count(tok, ".") != 2 {
		t.Fatalf("not a compact JWS: %q", tok)
	}
	checkGolden(t, "GetWebIdentityToken.xml", response{status: r.status, body: strings.Replace(r.body, tok, "JWT", 1)})
	if err := h.node.Audit.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(h.node.DataDir(), "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), tok[len(tok)-40:]) || !strings.Contains(string(data), `"eventName":"GetWebIdentityToken"`) {
		t.Fatalf("audit trail:\n%s", data)
	}
}
