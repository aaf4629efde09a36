package api_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opensts/opensts/internal/samltest"
)

// TestGolden_AssumeRoleWithSAML pins the response's shape (roles-spec
// §4.5), unsigned, and keeps the assertion out of the audit trail.
func TestGolden_AssumeRoleWithSAML(t *testing.T) {
	idp, err := samltest.New("https://idp.example.test/saml/metadata")
	if err != nil {
		t.Fatal(err)
	}
	md, err := idp.Metadata()
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, withAudit)
	provider := "arn:aws:iam::" + testAccount + ":saml-provider/CorpIdP"
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + provider + `"},` +
		`"Action":["sts:AssumeRoleWithSAML","sts:SetSourceIdentity"],"Condition":{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"}}}]}`
	for _, f := range []map[string]string{
		{"Action": "CreateSAMLProvider", "Name": "CorpIdP", "SAMLMetadataDocument": md},
		{"Action": "CreateRole", "RoleName": "SAMLAdmin", "AssumeRolePolicyDocument": trust},
	} {
		form := iamForm(f["Action"])
		for k, v := range f {
			form.Set(k, v)
		}
		if r := h.do(root, form); r.status != http.StatusOK {
			t.Fatalf("setup %s: %s", f["Action"], r.body)
		}
	}
	role := "arn:aws:iam::" + testAccount + ":role/SAMLAdmin"
	assertion, err := idp.Response(samltest.Assertion{Subject: "alice", SessionName: "alice@example.test", IssuedAt: h.clock.Now(),
		Roles: []string{role + "," + provider}, Attributes: map[string][]string{samltest.AttrSourceIdentity: {"alice"}}})
	if err != nil {
		t.Fatal(err)
	}
	r := h.do(creds{}, sts("AssumeRoleWithSAML", "RoleArn", role, "PrincipalArn", provider, "SAMLAssertion", assertion))
	if r.status != http.StatusOK {
		t.Fatalf("AssumeRoleWithSAML: %d %s", r.status, r.body)
	}
	checkGolden(t, "AssumeRoleWithSAML.xml", r)

	r = h.do(creds{}, sts("AssumeRoleWithSAML", "RoleArn", provider, "PrincipalArn", role, "SAMLAssertion", assertion))
	if r.status != http.StatusBadRequest {
		t.Fatalf("ARNs swapped: %d %s", r.status, r.body)
	}
	checkGolden(t, "AssumeRoleWithSAML-RequestARN.xml", r)

	if err := h.node.Audit.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(h.node.DataDir(), "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), assertion[:64]) || strings.Contains(string(data), `"sAMLAssertion"`) || !strings.Contains(string(data), `"type":"SAMLUser"`) {
		t.Fatalf("audit trail:\n%s", data)
	}
}
