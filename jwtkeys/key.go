package jwtkeys

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base32"
	"fmt"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/atrest"
)

// The algorithms OpenSTS signs with. RS256 is what every relying party
// supports (OpenID Connect Discovery requires it); ES384 is what AWS's
// GetWebIdentityToken offers besides it (roles-spec §6.4).
const (
	rs256 = "RS256"
	es384 = "ES384"
)

// algorithms lists the algorithms a key set holds a key of, in the order
// new keys are written and published.
var algorithms = []string{rs256, es384}

// rsaBits is the RS256 key size: 2048 bits, the size RFC 7518 §3.3 requires
// at least and the one relying parties (and AWS) use; larger keys only make
// signing slower.
const rsaBits = 2048

// key is an opened signing key: its stored record, a signer over its
// private key and its public JWK.
type key struct {
	stored opensts.SigningKey
	signer jose.Signer
	jwk    jose.JSONWebKey
}

var idEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// newID returns a key id: 16 base32 characters (80 random bits), lower case.
func newID() string {
	b := make([]byte, 10)
	rand.Read(b)
	return strings.ToLower(idEncoding.EncodeToString(b))
}

// aad binds a sealed private key to its id and algorithm, so a sealed key
// copied onto another record does not open.
func aad(id, alg string) []byte { return []byte("opensts signing key " + id + " " + alg) }

// generate makes a new key of alg, sealed under box.
func generate(box *atrest.Box, alg string, created, active time.Time) (opensts.SigningKey, error) {
	var priv crypto.Signer
	var err error
	switch alg {
	case rs256:
		priv, err = rsa.GenerateKey(rand.Reader, rsaBits)
	case es384:
		priv, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	default:
		return opensts.SigningKey{}, fmt.Errorf("unsupported signing algorithm %q", alg)
	}
	if err != nil {
		return opensts.SigningKey{}, fmt.Errorf("generate %s key: %w", alg, err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return opensts.SigningKey{}, fmt.Errorf("encode %s key: %w", alg, err)
	}
	defer clear(der)
	pub, err := x509.MarshalPKIXPublicKey(priv.Public())
	if err != nil {
		return opensts.SigningKey{}, fmt.Errorf("encode %s public key: %w", alg, err)
	}
	id := newID()
	return opensts.SigningKey{
		ID: id, Algorithm: alg, Sealed: box.Seal(der, aad(id, alg)), Public: pub,
		CreatedAt: created, ActiveAt: active,
	}, nil
}

// open unseals a stored key and checks that it is a key of its algorithm
// and that its public half is the one stored to be published.
func open(box *atrest.Box, s opensts.SigningKey) (*key, error) {
	der, err := box.Open(s.Sealed, aad(s.ID, s.Algorithm))
	if err != nil {
		return nil, fmt.Errorf("open signing key %s (is the master key the one this store was created with?): %w", s.ID, err)
	}
	defer clear(der)
	parsed, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("signing key %s: %w", s.ID, err)
	}
	var priv crypto.Signer
	switch k := parsed.(type) {
	case *rsa.PrivateKey:
		if s.Algorithm == rs256 && k.N.BitLen() >= rsaBits {
			priv = k
		}
	case *ecdsa.PrivateKey:
		if s.Algorithm == es384 && k.Curve == elliptic.P384() {
			priv = k
		}
	}
	if priv == nil {
		return nil, fmt.Errorf("signing key %s: a %T is not a key for %q", s.ID, parsed, s.Algorithm)
	}
	pub, err := x509.MarshalPKIXPublicKey(priv.Public())
	if err != nil || !bytes.Equal(pub, s.Public) {
		return nil, fmt.Errorf("signing key %s: the stored public key is not the private key's", s.ID)
	}
	signer, err := jose.NewSigner(jose.SigningKey{
		Algorithm: jose.SignatureAlgorithm(s.Algorithm),
		Key:       jose.JSONWebKey{Key: priv, KeyID: s.ID, Algorithm: s.Algorithm},
	}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return nil, fmt.Errorf("signing key %s: %w", s.ID, err)
	}
	return &key{
		stored: s,
		signer: signer,
		jwk:    jose.JSONWebKey{Key: priv.Public(), KeyID: s.ID, Algorithm: s.Algorithm, Use: "sig"},
	}, nil
}

// same reports whether two records hold the same key material, so an
// opened key can be reused across refreshes.
func same(a, b opensts.SigningKey) bool {
	return a.ID == b.ID && a.Algorithm == b.Algorithm && bytes.Equal(a.Sealed, b.Sealed) && bytes.Equal(a.Public, b.Public)
}
