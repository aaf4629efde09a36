package e2e

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/opensts/opensts/internal/oidctest"
	"github.com/opensts/opensts/node"
)

// testIdP is an OpenID Connect identity provider serving discovery and a
// JWKS over TLS (internal/oidctest), for one test.
type testIdP struct{ *oidctest.IdP }

func newTestIdP(t *testing.T, issuer string) *testIdP {
	t.Helper()
	p, err := oidctest.Start(issuer)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return &testIdP{p}
}

// configure points a node at the IdP.
func (p *testIdP) configure(c *node.Config) { p.Configure(&c.WebIdentity) }

func (p *testIdP) claims(sub, aud string) map[string]any { return p.Claims(sub, aud) }

func (p *testIdP) sign(t *testing.T, claims map[string]any, ec bool) string {
	t.Helper()
	tok, err := p.Sign(claims, ec)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// tokenFile writes a token where AWS_WEB_IDENTITY_TOKEN_FILE can name it,
// with the trailing newline files usually have.
func tokenFile(t *testing.T, tok string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(path, []byte(tok+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
