// Package oidctest is an OpenID Connect identity provider for tests and the
// load tool: it serves discovery and a JWKS over TLS and signs ID tokens
// with go-jose, with an RSA key (RS256) and an EC key (ES384).
//
// Its issuer URL is whatever the caller names, typically one without a
// port, as IAM requires of a provider URL; Configure tells a node where the
// issuer's discovery document really is.
package oidctest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/opensts/opensts/webidentity"
)

// IdP is a running identity provider.
type IdP struct {
	Issuer string
	srv    *httptest.Server
	rsaKey *rsa.PrivateKey
	ecKey  *ecdsa.PrivateKey
	// KeyFetches counts the JWKS fetches served.
	KeyFetches atomic.Int64
}

// Start serves an identity provider for issuer on a loopback port.
func Start(issuer string) (*IdP, error) {
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	ek, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		return nil, err
	}
	p := &IdP{Issuer: issuer, rsaKey: rk, ecKey: ek}
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{
			"issuer": p.Issuer, "jwks_uri": p.srv.URL + "/keys",
			"id_token_signing_alg_values_supported": []string{"RS256", "ES384"},
		})
	})
	mux.HandleFunc("/keys", func(w http.ResponseWriter, r *http.Request) {
		p.KeyFetches.Add(1)
		json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
			{Key: &rk.PublicKey, KeyID: "rsa-1", Algorithm: "RS256", Use: "sig"},
			{Key: &ek.PublicKey, KeyID: "ec-1", Algorithm: "ES384", Use: "sig"},
		}})
	})
	p.srv = httptest.NewTLSServer(mux)
	return p, nil
}

// Close stops the provider.
func (p *IdP) Close() { p.srv.Close() }

// Configure makes a verifier trust the provider's TLS certificate and
// fetch its discovery document from where it is served.
func (p *IdP) Configure(c *webidentity.Config) {
	if c.RootCAs == nil {
		c.RootCAs = x509.NewCertPool()
	}
	c.RootCAs.AddCert(p.srv.Certificate())
	if c.DiscoveryURLs == nil {
		c.DiscoveryURLs = map[string]string{}
	}
	c.DiscoveryURLs[p.Issuer] = p.srv.URL + "/.well-known/openid-configuration"
}

// Claims are an ID token's standard claims for sub and aud, valid for an
// hour from now; callers add or override members.
func (p *IdP) Claims(sub, aud string) map[string]any {
	now := time.Now()
	return map[string]any{"iss": p.Issuer, "sub": sub, "aud": aud, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
}

// Sign returns claims as a compact JWS signed with the RSA key (RS256), or
// with the EC key (ES384) when ec is set.
func (p *IdP) Sign(claims map[string]any, ec bool) (string, error) {
	if ec {
		return p.sign(claims, jose.SigningKey{Algorithm: jose.ES384, Key: jose.JSONWebKey{Key: p.ecKey, KeyID: "ec-1"}})
	}
	return p.SignWithKid(claims, "rsa-1")
}

// SignWithKid signs claims with the RSA key (RS256) under key id kid,
// which need not be one the JWKS lists.
func (p *IdP) SignWithKid(claims map[string]any, kid string) (string, error) {
	return p.sign(claims, jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: p.rsaKey, KeyID: kid}})
}

func (p *IdP) sign(claims map[string]any, key jose.SigningKey) (string, error) {
	signer, err := jose.NewSigner(key, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("sign: %w", err)
	}
	return jws.CompactSerialize()
}
