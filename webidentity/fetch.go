package webidentity

import (
	"context"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/opensts/opensts"
)

// Bounds on what an identity provider may send.
const (
	maxResponse  = 1 << 20 // bytes of a discovery document or JWKS
	maxKeys      = 100     // keys in a JWKS (AWS refuses more, roles-spec §3.4 4c)
	maxRedirects = 3
	minRSABits   = 2048
)

// LoadRoots returns the system roots plus the certificates of a PEM bundle,
// for Config.RootCAs. A non-empty bundle without a certificate is an error.
func LoadRoots(pemBytes []byte) (*x509.CertPool, error) {
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if len(strings.TrimSpace(string(pemBytes))) > 0 && !pool.AppendCertsFromPEM(pemBytes) {
		return nil, errors.New("webidentity: no certificate in the PEM bundle")
	}
	return pool, nil
}

// errThumbprint: the IdP's certificate chains to no trusted root and
// matches none of the provider's thumbprints.
var errThumbprint = errors.New("certificate not trusted and no thumbprint matches")

// errRefusedURL: a discovery, JWKS or redirect URL that is not https (or
// loopback http when allowed).
var errRefusedURL = errors.New("refused URL")

// fetchKeys reads the issuer's discovery document and its JWKS, returning
// the keys usable for verification.
func (v *Verifier) fetchKeys(ctx context.Context, issuer string, thumbprints []string) ([]jose.JSONWebKey, error) {
	ctx, cancel := context.WithTimeout(ctx, v.cfg.Timeout)
	defer cancel()
	dialer := &net.Dialer{Timeout: v.cfg.Timeout}
	tr := &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if to, ok := v.cfg.Resolve[addr]; ok {
				addr = to
			}
			return dialer.DialContext(ctx, network, addr)
		},
		TLSClientConfig:        v.tlsConfig(thumbprints),
		TLSHandshakeTimeout:    v.cfg.Timeout,
		ResponseHeaderTimeout:  v.cfg.Timeout,
		MaxResponseHeaderBytes: 64 << 10,
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{
		Transport: tr,
		Timeout:   v.cfg.Timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= maxRedirects {
				return fmt.Errorf("%w: more than %d redirects", errRefusedURL, maxRedirects)
			}
			return v.checkURL(req.URL)
		},
	}

	var disc struct {
		JWKSURI string `json:"jwks_uri"`
	}
	discovery := strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration"
	if u, ok := v.cfg.DiscoveryURLs[issuer]; ok {
		discovery = u
	}
	err := v.getJSON(ctx, client, discovery, &disc)
	v.cfg.OnFetch(issuer, err)
	if err != nil {
		return nil, err
	}
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	err = v.getJSON(ctx, client, disc.JWKSURI, &set)
	if err == nil && len(set.Keys) > maxKeys {
		err = keyErr(fmt.Errorf("JWKS has %d keys, more than %d", len(set.Keys), maxKeys))
	}
	v.cfg.OnFetch(issuer, err)
	if err != nil {
		return nil, err
	}
	var keys []jose.JSONWebKey
	for _, raw := range set.Keys {
		var k jose.JSONWebKey
		if k.UnmarshalJSON(raw) != nil || !usable(&k) {
			continue // a key OpenSTS cannot use does not spoil the others
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// usable: a public RSA (≥ 2048 bits) or ECDSA key for signatures.
func usable(k *jose.JSONWebKey) bool {
	if k.Use != "" && k.Use != "sig" {
		return false
	}
	if k.Algorithm != "" && !allowed(jose.SignatureAlgorithm(k.Algorithm)) {
		return false
	}
	switch pk := k.Key.(type) {
	case *rsa.PublicKey:
		return pk.N.BitLen() >= minRSABits
	case *ecdsa.PublicKey:
		return true
	}
	return false
}

// fits: a usable key may verify a token signed with alg.
func fits(k *jose.JSONWebKey, alg jose.SignatureAlgorithm) bool {
	if k.Algorithm != "" && k.Algorithm != string(alg) {
		return false
	}
	switch pk := k.Key.(type) {
	case *rsa.PublicKey:
		return alg == jose.RS256 || alg == jose.RS384 || alg == jose.RS512
	case *ecdsa.PublicKey:
		bits := pk.Curve.Params().BitSize
		return alg == jose.ES256 && bits == 256 || alg == jose.ES384 && bits == 384 || alg == jose.ES512 && bits == 521
	}
	return false
}

// getJSON GETs u into v: 200 and at most maxResponse bytes of JSON, or an
// error already classified (keyErr, thumbprint, communication).
func (v *Verifier) getJSON(ctx context.Context, client *http.Client, u string, out any) error {
	pu, err := url.Parse(u)
	if err != nil || u == "" {
		return keyErr(fmt.Errorf("bad URL %q", u))
	}
	if err := v.checkURL(pu); err != nil {
		return keyErr(err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return keyErr(err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		if errors.Is(err, errThumbprint) {
			return &opensts.Error{Kind: opensts.ErrInvalidIdentityToken, Message: msgThumbprint, Err: err}
		}
		var ce *tls.CertificateVerificationError
		if errors.As(err, &ce) || errors.Is(err, errRefusedURL) {
			return keyErr(err)
		}
		return idpErr(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests {
		return idpErr(fmt.Errorf("GET %s: %s", u, resp.Status))
	}
	if resp.StatusCode != http.StatusOK {
		return keyErr(fmt.Errorf("GET %s: %s", u, resp.Status))
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	if err != nil {
		return idpErr(err)
	}
	if len(body) > maxResponse {
		return keyErr(fmt.Errorf("GET %s: response larger than %d bytes", u, maxResponse))
	}
	if err := json.Unmarshal(body, out); err != nil {
		return keyErr(fmt.Errorf("GET %s: %w", u, err))
	}
	return nil
}

func keyErr(err error) error {
	return &opensts.Error{Kind: opensts.ErrInvalidIdentityToken, Message: msgNoKey, Err: err}
}

// checkURL allows https, and http to a loopback host when configured.
func (v *Verifier) checkURL(u *url.URL) error {
	switch {
	case u.Scheme == "https" && u.Host != "":
		return nil
	case u.Scheme == "http" && v.cfg.AllowHTTPLoopback && loopback(u.Hostname()):
		return nil
	}
	return fmt.Errorf("%w %s", errRefusedURL, u.Redacted())
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// tlsConfig verifies the server's chain against the roots; failing that,
// it accepts a chain one of whose certificates has a SHA-1 fingerprint in
// thumbprints, provided the leaf chains to that certificate and names the
// host (roles-spec §3.3, §3.10: the thumbprint is consulted only for a
// certificate that is not otherwise trusted).
func (v *Verifier) tlsConfig(thumbprints []string) *tls.Config {
	roots := v.cfg.RootCAs
	return &tls.Config{
		MinVersion:         tls.VersionTLS12,
		InsecureSkipVerify: true, // verified below, in VerifyConnection
		VerifyConnection: func(cs tls.ConnectionState) error {
			certs := cs.PeerCertificates
			if len(certs) == 0 {
				return errThumbprint
			}
			inter := x509.NewCertPool()
			for _, c := range certs[1:] {
				inter.AddCert(c)
			}
			opts := x509.VerifyOptions{Roots: roots, Intermediates: inter, DNSName: cs.ServerName}
			_, err := certs[0].Verify(opts)
			if err == nil {
				return nil
			}
			for _, c := range certs {
				sum := sha1.Sum(c.Raw)
				if !containsFold(thumbprints, hex.EncodeToString(sum[:])) {
					continue
				}
				pinned := x509.NewCertPool()
				pinned.AddCert(c)
				opts.Roots = pinned
				if _, perr := certs[0].Verify(opts); perr == nil {
					return nil
				}
			}
			if len(thumbprints) == 0 {
				return &tls.CertificateVerificationError{UnverifiedCertificates: certs, Err: err}
			}
			return fmt.Errorf("%w: %v", errThumbprint, err)
		},
	}
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// cacheKey: keys fetched under one provider's thumbprints are not served
// to a provider of the same URL (another account's) with others.
func cacheKey(p opensts.OIDCProvider) string {
	t := make([]string, len(p.Thumbprints))
	for i, s := range p.Thumbprints {
		t[i] = strings.ToLower(s)
	}
	sort.Strings(t)
	return p.URL + "\x00" + strings.Join(t, ",")
}
