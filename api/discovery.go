package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/opensts/opensts"
)

// Discovery serves the OpenID Connect discovery document and key set of
// each account's web identity token issuer (GetWebIdentityToken, roles-spec
// §6.4): <issuer>/.well-known/openid-configuration and
// <issuer>/.well-known/jwks.json, <issuer> being IssuerURL/<account id>.
// An account that never enabled outbound web identity federation has
// neither (404); one that disabled it keeps both, so the tokens it issued
// stay verifiable until they expire.
type Discovery struct {
	IssuerURL string
	Outbound  interface {
		GetOutboundFederation(ctx context.Context, accountID string) (opensts.OutboundFederation, error)
	}
	// JWKS is the published key set ({"keys":[…]}), jwtkeys.Manager.JWKS.
	JWKS func() []byte
	Now  func() time.Time

	mu    sync.Mutex
	known map[string]knownIssuer // account id → whether it has an issuer, read at
}

type knownIssuer struct {
	has  bool
	read time.Time
}

// Discovery answers are cached this long per account (they are public and
// unauthenticated: a flood of them costs one store read per account per
// interval), in at most discoveryCacheSize entries.
const (
	discoveryTTL       = 30 * time.Second
	discoveryCacheSize = 10_000
)

// Register adds the discovery routes to mux, under the path of IssuerURL.
func (d *Discovery) Register(mux *http.ServeMux) error {
	u, err := url.Parse(d.IssuerURL)
	if err != nil {
		return err
	}
	prefix := strings.TrimSuffix(u.Path, "/")
	mux.HandleFunc("GET "+prefix+"/{account}/.well-known/openid-configuration", d.configuration)
	mux.HandleFunc("GET "+prefix+"/{account}/.well-known/jwks.json", d.keys)
	return nil
}

func (d *Discovery) configuration(w http.ResponseWriter, r *http.Request) {
	acct := r.PathValue("account")
	if !d.hasIssuer(r.Context(), acct) {
		http.NotFound(w, r)
		return
	}
	issuer := opensts.OutboundIssuer(d.IssuerURL, acct)
	doc, _ := json.Marshal(map[string]any{
		"issuer":                                issuer,
		"jwks_uri":                              issuer + "/.well-known/jwks.json",
		"response_types_supported":              []string{"id_token"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256", "ES384"},
		"claims_supported":                      []string{"iss", "sub", "aud", "iat", "exp", "jti"},
	})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Write(doc)
}

func (d *Discovery) keys(w http.ResponseWriter, r *http.Request) {
	if !d.hasIssuer(r.Context(), r.PathValue("account")) {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Write(d.JWKS())
}

// hasIssuer reports whether the account ever enabled outbound web
// identity federation, through the cache.
func (d *Discovery) hasIssuer(ctx context.Context, acct string) bool {
	if len(acct) != 12 || strings.Trim(acct, "0123456789") != "" {
		return false
	}
	now := d.Now()
	d.mu.Lock()
	k, ok := d.known[acct]
	d.mu.Unlock()
	if ok && now.Sub(k.read) < discoveryTTL {
		return k.has
	}
	st, err := d.Outbound.GetOutboundFederation(ctx, acct)
	if err != nil {
		return false // not cached: the next request asks again
	}
	has := st.Enabled || !st.ChangedAt.IsZero()
	d.mu.Lock()
	if d.known == nil || len(d.known) >= discoveryCacheSize {
		d.known = make(map[string]knownIssuer)
	}
	d.known[acct] = knownIssuer{has: has, read: now}
	d.mu.Unlock()
	return has
}
