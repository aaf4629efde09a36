package webidentity_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/webidentity"
)

// Keys are generated once: RSA generation is slow.
var (
	keysOnce sync.Once
	rsaKey   *rsa.PrivateKey
	rsaKey2  *rsa.PrivateKey
	ecKey    *ecdsa.PrivateKey
	ec384Key *ecdsa.PrivateKey
)

func testKeys(tb testing.TB) {
	tb.Helper()
	keysOnce.Do(func() {
		var err error
		if rsaKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
		if rsaKey2, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
		if ecKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
			panic(err)
		}
		if ec384Key, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader); err != nil {
			panic(err)
		}
	})
}

// t0 is the fake clock's start; tokens are issued relative to it.
var t0 = time.Unix(1_800_000_000, 0)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// issuer is a real OIDC issuer: an HTTPS server with discovery and JWKS.
type issuer struct {
	srv       *httptest.Server
	mu        sync.Mutex
	keys      []jose.JSONWebKey
	status    int // when non-zero, every response has this status
	jwksHits  atomic.Int64
	discHits  atomic.Int64
	jwksExtra string // overrides the JWKS body when set
}

func newIssuer(tb testing.TB, tlsOn bool) *issuer {
	tb.Helper()
	testKeys(tb)
	is := &issuer{}
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		is.discHits.Add(1)
		if st := is.statusCode(); st != 0 {
			w.WriteHeader(st)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]string{"issuer": is.URL(), "jwks_uri": is.URL() + "/jwks"})
	})
	mux.HandleFunc("/jwks", func(w http.ResponseWriter, r *http.Request) {
		is.jwksHits.Add(1)
		if st := is.statusCode(); st != 0 {
			w.WriteHeader(st)
			return
		}
		is.mu.Lock()
		defer is.mu.Unlock()
		if is.jwksExtra != "" {
			_, _ = w.Write([]byte(is.jwksExtra))
			return
		}
		_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: is.keys})
	})
	is.srv = httptest.NewUnstartedServer(mux)
	is.srv.Config.ErrorLog = log.New(io.Discard, "", 0) // handshakes the tests make fail
	if tlsOn {
		is.srv.StartTLS()
	} else {
		is.srv.Start()
	}
	tb.Cleanup(is.srv.Close)
	is.addKey("rsa1", &rsaKey.PublicKey, "RS256")
	is.addKey("ec1", &ecKey.PublicKey, "ES256")
	is.addKey("ec384", &ec384Key.PublicKey, "")
	return is
}

func (is *issuer) URL() string { return is.srv.URL }

func (is *issuer) statusCode() int { is.mu.Lock(); defer is.mu.Unlock(); return is.status }

func (is *issuer) setStatus(st int) { is.mu.Lock(); is.status = st; is.mu.Unlock() }

func (is *issuer) addKey(kid string, pub crypto.PublicKey, alg string) {
	is.mu.Lock()
	defer is.mu.Unlock()
	is.keys = append(is.keys, jose.JSONWebKey{Key: pub, KeyID: kid, Algorithm: alg, Use: "sig"})
}

func (is *issuer) roots() *x509.CertPool {
	p := x509.NewCertPool()
	if c := is.srv.Certificate(); c != nil {
		p.AddCert(c)
	}
	return p
}

func (is *issuer) thumbprint() string {
	sum := sha1.Sum(is.srv.Certificate().Raw)
	return hex.EncodeToString(sum[:])
}

func (is *issuer) provider() opensts.OIDCProvider {
	return opensts.OIDCProvider{AccountID: "123456789012", ID: "OIDPEXAMPLE", URL: is.URL(), ClientIDs: []string{"sts.amazonaws.com"}}
}

// claims are a valid token's claims for is.
func (is *issuer) claims() map[string]any {
	return map[string]any{
		"iss": is.URL(),
		"sub": "system:serviceaccount:default:app",
		"aud": "sts.amazonaws.com",
		"iat": t0.Unix() - 60,
		"exp": t0.Unix() + 3600,
	}
}

// sign returns a compact JWS of claims signed with key under alg and kid.
func sign(tb testing.TB, alg jose.SignatureAlgorithm, key any, kid string, claims any, opts ...func(*jose.SignerOptions)) string {
	tb.Helper()
	so := &jose.SignerOptions{}
	so.WithType("JWT")
	if kid != "" {
		so.WithHeader(jose.HeaderKey("kid"), kid)
	}
	for _, o := range opts {
		o(so)
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, so)
	if err != nil {
		tb.Fatal(err)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		tb.Fatal(err)
	}
	jws, err := s.Sign(payload)
	if err != nil {
		tb.Fatal(err)
	}
	out, err := jws.CompactSerialize()
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// unsigned builds a token from raw header and payload JSON and a signature.
func unsigned(header, payload, sig string) string {
	e := base64.RawURLEncoding.EncodeToString
	return e([]byte(header)) + "." + e([]byte(payload)) + "." + e([]byte(sig))
}

func mustJSON(tb testing.TB, v any) string {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// verifier returns a Verifier trusting is's certificate on the fake clock.
func verifier(is *issuer, c *clock, mod ...func(*webidentity.Config)) *webidentity.Verifier {
	cfg := webidentity.Config{RootCAs: is.roots(), Now: c.Now}
	for _, m := range mod {
		m(&cfg)
	}
	return webidentity.New(cfg)
}

func verify(tb testing.TB, v *webidentity.Verifier, raw string, p opensts.OIDCProvider) (*webidentity.Identity, error) {
	tb.Helper()
	tok, err := webidentity.Parse(raw)
	if err != nil {
		return nil, err
	}
	return v.Verify(context.Background(), tok, p)
}

// wantErr checks an error's kind and client message.
func wantErr(tb testing.TB, err error, kind error, msg string) {
	tb.Helper()
	if err == nil {
		tb.Fatalf("got no error, want %v %q", kind, msg)
	}
	var e *opensts.Error
	if !errors.As(err, &e) {
		tb.Fatalf("error %v (%T) is not an *opensts.Error", err, err)
	}
	if !errors.Is(err, kind) {
		tb.Errorf("error %v: kind %v, want %v", err, e.Kind, kind)
	}
	if msg != "" && e.Message != msg {
		tb.Errorf("message %q, want %q", e.Message, msg)
	}
}

func with(m map[string]any, kv ...any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		k := kv[i].(string)
		if kv[i+1] == nil {
			delete(out, k)
		} else {
			out[k] = kv[i+1]
		}
	}
	return out
}
