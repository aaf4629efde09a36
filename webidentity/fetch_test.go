package webidentity_test

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/webidentity"
)

func TestFetch_thumbprint(t *testing.T) {
	is := newIssuer(t, true)
	raw := sign(t, jose.RS256, rsaKey, "rsa1", is.claims())
	untrusted := func(cfg *webidentity.Config) { cfg.RootCAs = x509.NewCertPool() }
	tests := map[string]struct {
		mod         func(*webidentity.Config)
		thumbprints []string
		kind        error
		msg         string
	}{
		"ok/trusted root, thumbprints ignored": {thumbprints: []string{strings.Repeat("0", 40)}},
		"ok/untrusted, thumbprint matches":     {mod: untrusted, thumbprints: []string{strings.Repeat("0", 40), is.thumbprint()}},
		"ok/untrusted, thumbprint upper case":  {mod: untrusted, thumbprints: []string{strings.ToUpper(is.thumbprint())}},
		"fail/untrusted, other thumbprint": {
			mod: untrusted, thumbprints: []string{strings.Repeat("0", 40)}, kind: opensts.ErrInvalidIdentityToken, msg: msgThumbprint,
		},
		"fail/untrusted, no thumbprint": {mod: untrusted, kind: opensts.ErrInvalidIdentityToken, msg: msgNoKey},
		"fail/system roots only":        {mod: func(cfg *webidentity.Config) { cfg.RootCAs = nil }, kind: opensts.ErrInvalidIdentityToken, msg: msgNoKey},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			c := &clock{now: t0}
			mods := []func(*webidentity.Config){}
			if tc.mod != nil {
				mods = append(mods, tc.mod)
			}
			v := verifier(is, c, mods...)
			p := is.provider()
			p.Thumbprints = tc.thumbprints
			_, err := verify(t, v, raw, p)
			if tc.kind == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantErr(t, err, tc.kind, tc.msg)
		})
	}
}

// The keys fetched under one provider's thumbprints are not served to
// another provider of the same URL (another account) without them.
func TestFetch_cachePerThumbprints(t *testing.T) {
	is := newIssuer(t, true)
	c := &clock{now: t0}
	v := verifier(is, c, func(cfg *webidentity.Config) { cfg.RootCAs = x509.NewCertPool() })
	raw := sign(t, jose.RS256, rsaKey, "rsa1", is.claims())
	pinned := is.provider()
	pinned.Thumbprints = []string{is.thumbprint()}
	if _, err := verify(t, v, raw, pinned); err != nil {
		t.Fatal(err)
	}
	_, err := verify(t, v, raw, is.provider())
	wantErr(t, err, opensts.ErrInvalidIdentityToken, msgNoKey)
}

func TestFetch_refreshRate(t *testing.T) {
	is := newIssuer(t, true)
	c := &clock{now: t0}
	var fetches atomic.Int64
	v := verifier(is, c, func(cfg *webidentity.Config) {
		cfg.OnFetch = func(issuer string, err error) {
			if issuer != is.URL() || err != nil {
				t.Errorf("OnFetch(%q, %v)", issuer, err)
			}
			fetches.Add(1)
		}
	})
	p := is.provider()
	if _, err := verify(t, v, sign(t, jose.RS256, rsaKey, "rsa1", is.claims()), p); err != nil {
		t.Fatal(err)
	}
	if got := is.jwksHits.Load(); got != 1 {
		t.Fatalf("JWKS fetched %d times for the first token, want 1", got)
	}
	if got := fetches.Load(); got != 2 {
		t.Fatalf("OnFetch called %d times, want 2 (discovery, JWKS)", got)
	}
	attack := func(n int) {
		for i := range n {
			_, err := verify(t, v, sign(t, jose.ES256, ecKey, fmt.Sprintf("random-%d-%d", c.Now().Unix(), i), is.claims()), p)
			wantErr(t, err, opensts.ErrInvalidIdentityToken, msgNoKey)
		}
	}
	attack(50)
	if got := is.jwksHits.Load(); got != 1 {
		t.Fatalf("random kids within RefreshInterval of the first fetch: %d JWKS fetches, want 1", got)
	}
	for round := 1; round <= 3; round++ {
		c.Advance(time.Minute)
		attack(50)
		if got := is.jwksHits.Load(); got != int64(1+round) {
			t.Fatalf("round %d: %d JWKS fetches, want %d (one per RefreshInterval)", round, got, 1+round)
		}
		c.Advance(30 * time.Second)
		attack(10)
		if got := is.jwksHits.Load(); got != int64(1+round) {
			t.Fatalf("round %d, half an interval later: %d JWKS fetches, want %d", round, got, 1+round)
		}
		c.Advance(-30 * time.Second)
	}

	// A rotated-in key is found by the refresh its unknown kid triggers.
	is.addKey("rsa-new", &rsaKey2.PublicKey, "RS256")
	c.Advance(time.Minute)
	if _, err := verify(t, v, sign(t, jose.RS256, rsaKey2, "rsa-new", is.claims()), p); err != nil {
		t.Fatalf("rotated key: %v", err)
	}
}

func TestFetch_keyTTL(t *testing.T) {
	is := newIssuer(t, true)
	c := &clock{now: t0}
	v := verifier(is, c)
	raw := sign(t, jose.RS256, rsaKey, "rsa1", with(is.claims(), "exp", t0.Unix()+10*3600))
	for range 3 {
		if _, err := verify(t, v, raw, is.provider()); err != nil {
			t.Fatal(err)
		}
	}
	if got := is.jwksHits.Load(); got != 1 {
		t.Fatalf("%d JWKS fetches within KeyTTL, want 1", got)
	}
	c.Advance(time.Hour)
	if _, err := verify(t, v, raw, is.provider()); err != nil {
		t.Fatal(err)
	}
	if got := is.jwksHits.Load(); got != 2 {
		t.Fatalf("%d JWKS fetches after KeyTTL, want 2", got)
	}
	// A key removed from the JWKS stops verifying once the cache expires.
	is.mu.Lock()
	is.keys = is.keys[1:]
	is.mu.Unlock()
	c.Advance(time.Hour)
	_, err := verify(t, v, raw, is.provider())
	wantErr(t, err, opensts.ErrInvalidIdentityToken, msgNoKey)
}

func TestFetch_idpDown(t *testing.T) {
	t.Run("fail/5xx, remembered for RetryInterval", func(t *testing.T) {
		is := newIssuer(t, true)
		is.setStatus(http.StatusServiceUnavailable)
		c := &clock{now: t0}
		var failures atomic.Int64
		v := verifier(is, c, func(cfg *webidentity.Config) {
			cfg.OnFetch = func(_ string, err error) {
				if err != nil {
					failures.Add(1)
				}
			}
		})
		raw := sign(t, jose.RS256, rsaKey, "rsa1", is.claims())
		for range 5 {
			_, err := verify(t, v, raw, is.provider())
			wantErr(t, err, opensts.ErrIDPCommunication, "")
		}
		if got := is.discHits.Load(); got != 1 {
			t.Fatalf("%d discovery fetches within RetryInterval, want 1", got)
		}
		if failures.Load() != 1 {
			t.Fatalf("OnFetch saw %d failures, want 1", failures.Load())
		}
		is.setStatus(0)
		c.Advance(5 * time.Second)
		if _, err := verify(t, v, raw, is.provider()); err != nil {
			t.Fatalf("after RetryInterval: %v", err)
		}
	})
	t.Run("fail/unreachable", func(t *testing.T) {
		is := newIssuer(t, true)
		c := &clock{now: t0}
		v := verifier(is, c)
		p := is.provider()
		is.srv.Close()
		_, err := verify(t, v, sign(t, jose.RS256, rsaKey, "rsa1", is.claims()), p)
		wantErr(t, err, opensts.ErrIDPCommunication, "")
		if strings.Contains(err.(*opensts.Error).Message, "127.0.0.1") {
			t.Errorf("message %q shows internal details", err.(*opensts.Error).Message)
		}
	})
	t.Run("fail/timeout", func(t *testing.T) {
		block := make(chan struct{})
		srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-block }))
		defer srv.Close()
		defer close(block)
		pool := x509.NewCertPool()
		pool.AddCert(srv.Certificate())
		v := webidentity.New(webidentity.Config{RootCAs: pool, Timeout: 100 * time.Millisecond, Now: func() time.Time { return t0 }})
		testKeys(t)
		claims := map[string]any{"iss": srv.URL, "sub": "s", "aud": "a", "iat": t0.Unix(), "exp": t0.Unix() + 60}
		p := opensts.OIDCProvider{URL: srv.URL, ClientIDs: []string{"a"}}
		_, err := verify(t, v, sign(t, jose.RS256, rsaKey, "rsa1", claims), p)
		wantErr(t, err, opensts.ErrIDPCommunication, "")
	})
	t.Run("fail/404 is not a communication error", func(t *testing.T) {
		is := newIssuer(t, true)
		is.setStatus(http.StatusNotFound)
		v := verifier(is, &clock{now: t0})
		_, err := verify(t, v, sign(t, jose.RS256, rsaKey, "rsa1", is.claims()), is.provider())
		wantErr(t, err, opensts.ErrInvalidIdentityToken, msgNoKey)
	})
	t.Run("fail/caller's context cancelled", func(t *testing.T) {
		is := newIssuer(t, true)
		v := verifier(is, &clock{now: t0})
		tok, err := webidentity.Parse(sign(t, jose.RS256, rsaKey, "rsa1", is.claims()))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err = v.Verify(ctx, tok, is.provider())
		wantErr(t, err, opensts.ErrIDPCommunication, "")
	})
}

func TestFetch_responses(t *testing.T) {
	tests := map[string]struct {
		jwks    string
		discURI func(is *issuer) string
		kind    error
		msg     string
	}{
		"fail/JWKS over 1 MiB":  {jwks: `{"keys":[],"pad":"` + strings.Repeat("a", 1<<20) + `"}`, kind: opensts.ErrInvalidIdentityToken, msg: msgNoKey},
		"fail/JWKS not JSON":    {jwks: `<html>`, kind: opensts.ErrInvalidIdentityToken, msg: msgNoKey},
		"fail/JWKS 101 keys":    {jwks: `{"keys":[` + strings.Repeat(`{"kty":"oct","k":"AAAA"},`, 100) + `{"kty":"oct","k":"AAAA"}]}`, kind: opensts.ErrInvalidIdentityToken, msg: msgNoKey},
		"fail/symmetric key":    {jwks: `{"keys":[{"kty":"oct","kid":"rsa1","k":"AAAA"}]}`, kind: opensts.ErrInvalidIdentityToken, msg: msgNoKey},
		"fail/http jwks_uri":    {discURI: func(is *issuer) string { return strings.Replace(is.URL(), "https", "http", 1) + "/jwks" }, kind: opensts.ErrInvalidIdentityToken, msg: msgNoKey},
		"fail/no jwks_uri":      {discURI: func(*issuer) string { return "" }, kind: opensts.ErrInvalidIdentityToken, msg: msgNoKey},
		"fail/file jwks_uri":    {discURI: func(*issuer) string { return "file:///etc/passwd" }, kind: opensts.ErrInvalidIdentityToken, msg: msgNoKey},
		"ok/bad keys skipped":   {jwks: `{"keys":[{"kty":"nope"},{"kty":"RSA","n":"AQAB","e":"AQAB","kid":"small"},KEY]}`},
		"ok/redirect to https":  {discURI: func(is *issuer) string { return is.URL() + "/moved" }},
		"fail/redirect to http": {discURI: func(is *issuer) string { return is.URL() + "/downgrade" }, kind: opensts.ErrInvalidIdentityToken, msg: msgNoKey},
	}
	testKeys(t)
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var srv *httptest.Server
			mux := http.NewServeMux()
			is := &issuer{}
			mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
				uri := srv.URL + "/jwks"
				if tc.discURI != nil {
					uri = tc.discURI(is)
				}
				fmt.Fprintf(w, `{"issuer":%q,"jwks_uri":%q}`, srv.URL, uri)
			})
			keyJSON := mustJSON(t, jose.JSONWebKey{Key: &rsaKey.PublicKey, KeyID: "rsa1", Algorithm: "RS256", Use: "sig"})
			mux.HandleFunc("/jwks", func(w http.ResponseWriter, r *http.Request) {
				if tc.jwks != "" {
					fmt.Fprint(w, strings.Replace(tc.jwks, "KEY", keyJSON, 1))
					return
				}
				fmt.Fprintf(w, `{"keys":[%s]}`, keyJSON)
			})
			mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/jwks", http.StatusFound) })
			mux.HandleFunc("/downgrade", func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, strings.Replace(srv.URL, "https", "http", 1)+"/jwks", http.StatusFound)
			})
			srv = httptest.NewTLSServer(mux)
			defer srv.Close()
			is.srv = srv
			v := verifier(is, &clock{now: t0})
			_, err := verify(t, v, sign(t, jose.RS256, rsaKey, "rsa1", is.claims()), is.provider())
			if tc.kind == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantErr(t, err, tc.kind, tc.msg)
		})
	}
}

func TestFetch_httpLoopback(t *testing.T) {
	is := newIssuer(t, false)
	raw := sign(t, jose.ES256, ecKey, "ec1", is.claims())
	_, err := verify(t, verifier(is, &clock{now: t0}), raw, is.provider())
	wantErr(t, err, opensts.ErrInvalidIdentityToken, msgNoKey)
	v := verifier(is, &clock{now: t0}, func(cfg *webidentity.Config) { cfg.AllowHTTPLoopback = true })
	if _, err := verify(t, v, raw, is.provider()); err != nil {
		t.Fatal(err)
	}
}

// An issuer whose URL is not where it is served (no port, another host) is
// reached through DiscoveryURLs; the override obeys the URL rules too.
func TestFetch_discoveryURL(t *testing.T) {
	is := newIssuer(t, true)
	claims := is.claims()
	claims["iss"] = "https://idp.example.test/id/ABC"
	raw := sign(t, jose.RS256, rsaKey, "rsa1", claims)
	p := is.provider()
	p.URL = "https://idp.example.test/id/ABC"
	// Without the override the issuer's own host is asked, and cannot answer.
	_, err := verify(t, verifier(is, &clock{now: t0}, func(cfg *webidentity.Config) { cfg.Timeout = time.Second }), raw, p)
	if !errors.Is(err, opensts.ErrIDPCommunication) && !errors.Is(err, opensts.ErrInvalidIdentityToken) {
		t.Fatalf("unreachable issuer: %v", err)
	}
	id, err := verify(t, verifier(is, &clock{now: t0}, func(cfg *webidentity.Config) {
		cfg.DiscoveryURLs = map[string]string{p.URL: is.URL() + "/.well-known/openid-configuration"}
	}), raw, p)
	if err != nil || id.Issuer != p.URL {
		t.Fatalf("through DiscoveryURLs: %+v, %v", id, err)
	}
	if is.discHits.Load() != 1 {
		t.Fatalf("discovery fetched %d times, want 1", is.discHits.Load())
	}

	// A plain-HTTP override is refused unless loopback HTTP is allowed.
	plain := newIssuer(t, false)
	claims["iss"] = "https://plain.example.test"
	raw = sign(t, jose.RS256, rsaKey, "rsa1", claims)
	p.URL = "https://plain.example.test"
	over := func(cfg *webidentity.Config) {
		cfg.DiscoveryURLs = map[string]string{p.URL: plain.URL() + "/.well-known/openid-configuration"}
	}
	_, err = verify(t, verifier(plain, &clock{now: t0}, over), raw, p)
	wantErr(t, err, opensts.ErrInvalidIdentityToken, msgNoKey)
	if _, err := verify(t, verifier(plain, &clock{now: t0}, over, func(cfg *webidentity.Config) { cfg.AllowHTTPLoopback = true }), raw, p); err != nil {
		t.Fatalf("loopback HTTP allowed: %v", err)
	}
}

// Resolve connects to another address for an issuer's host, verifying
// TLS for the host's name (the test server's certificate names
// example.com).
func TestFetch_resolve(t *testing.T) {
	is := newIssuer(t, true)
	claims := is.claims()
	claims["iss"] = "https://example.com"
	raw := sign(t, jose.RS256, rsaKey, "rsa1", claims)
	p := is.provider()
	p.URL = "https://example.com"
	addr := strings.TrimPrefix(is.URL(), "https://")
	id, err := verify(t, verifier(is, &clock{now: t0}, func(cfg *webidentity.Config) {
		cfg.Resolve = map[string]string{"example.com:443": addr}
	}), raw, p)
	if err != nil || id.Issuer != p.URL || is.discHits.Load() != 1 {
		t.Fatalf("through Resolve: %+v, %v, %d discovery fetches", id, err, is.discHits.Load())
	}
}

func TestFetch_maxIssuers(t *testing.T) {
	a, b := newIssuer(t, true), newIssuer(t, true)
	pool := x509.NewCertPool()
	pool.AddCert(a.srv.Certificate())
	pool.AddCert(b.srv.Certificate())
	v := webidentity.New(webidentity.Config{RootCAs: pool, MaxIssuers: 1, Now: func() time.Time { return t0 }})
	ra := sign(t, jose.RS256, rsaKey, "rsa1", a.claims())
	rb := sign(t, jose.RS256, rsaKey, "rsa1", b.claims())
	for _, step := range []struct {
		is  *issuer
		raw string
	}{{a, ra}, {b, rb}, {a, ra}} {
		if _, err := verify(t, v, step.raw, step.is.provider()); err != nil {
			t.Fatal(err)
		}
	}
	if a.jwksHits.Load() != 2 || b.jwksHits.Load() != 1 {
		t.Fatalf("JWKS fetches a=%d b=%d, want 2 and 1 (a evicted by b)", a.jwksHits.Load(), b.jwksHits.Load())
	}
}

// Concurrent first requests share one fetch; run with -race.
func TestFetch_concurrent(t *testing.T) {
	is := newIssuer(t, true)
	c := &clock{now: t0}
	v := verifier(is, c)
	rs := sign(t, jose.RS256, rsaKey, "rsa1", is.claims())
	es := sign(t, jose.ES256, ecKey, "ec1", is.claims())
	bad := sign(t, jose.ES256, ecKey, "unknown", is.claims())
	var wg sync.WaitGroup
	errs := make(chan error, 300)
	for i := range 300 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			switch i % 3 {
			case 0:
				_, err := verify(t, v, rs, is.provider())
				errs <- err
			case 1:
				_, err := verify(t, v, es, is.provider())
				errs <- err
			default:
				if _, err := verify(t, v, bad, is.provider()); err == nil {
					errs <- fmt.Errorf("unknown kid accepted")
				}
				c.Advance(time.Millisecond)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := is.jwksHits.Load(); got != 1 {
		t.Fatalf("%d JWKS fetches, want 1", got)
	}
}
