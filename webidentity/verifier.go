package webidentity

import (
	"context"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"golang.org/x/sync/singleflight"

	"github.com/opensts/opensts"
)

// Config tunes a Verifier. The zero value works: system roots, HTTPS only,
// the defaults below.
type Config struct {
	RootCAs           *x509.CertPool // nil: system roots
	AllowHTTPLoopback bool           // permit http:// issuers on loopback addresses (tests); off by default
	Timeout           time.Duration  // per key fetch, discovery and JWKS together, default 5s
	KeyTTL            time.Duration  // how long a fetched JWKS is trusted, default 1h
	// RefreshInterval is the least time between two fetches for one issuer
	// caused by an unknown kid, default 1 min: tokens with random kids cost
	// the IdP at most one fetch per interval.
	RefreshInterval time.Duration
	RetryInterval   time.Duration // how long a failed fetch is remembered, default 5s
	// Skew is the clock skew allowed on exp, nbf and iat, default 5 min
	// (roles-spec §3.4 #9); negative means none.
	Skew time.Duration
	// MaxAge refuses tokens issued longer ago ("Token too old"); 0, the
	// default, means no limit, as AWS documents none (roles-spec §3.4).
	MaxAge     time.Duration
	MaxIssuers int // bound on cached issuers (per thumbprint set), default 1000
	// DiscoveryURLs maps an issuer URL to the URL its discovery document is
	// fetched from instead of <issuer>/.well-known/openid-configuration:
	// issuers reached at another address (air-gapped networks, in-cluster
	// addresses, tests). The URL must pass the same rules (https, or http
	// on loopback when AllowHTTPLoopback).
	DiscoveryURLs map[string]string
	// Resolve maps a host:port an issuer's URLs name to the address to
	// connect to instead, as curl's --resolve does; TLS still verifies the
	// host's name. For issuers whose names a node cannot resolve, and tests.
	Resolve map[string]string
	Now     func() time.Time
	// OnFetch is called after each discovery or JWKS fetch with its error
	// (nil on success); a metrics hook. It must not block.
	OnFetch func(issuer string, err error)
}

// Verifier verifies ID tokens, caching the issuers' keys. It is safe for
// concurrent use.
type Verifier struct {
	cfg   Config
	group singleflight.Group

	mu    sync.Mutex
	cache map[string]*entry
	// verified remembers the tokens whose signature checked out (see
	// reuse), under mu.
	verified map[verifiedKey]verifiedEntry
}

// verifiedKey is a token (the SHA-256 of its text) as verified against one
// issuer entry of the key cache.
type verifiedKey struct {
	sum    [32]byte
	issuer string
}

// verifiedEntry is a verified token's payload and the key that verified it.
type verifiedEntry struct {
	payload []byte
	signer  any // *rsa.PublicKey or *ecdsa.PublicKey, as the key set holds it
}

// Bounds of the verified-token cache: clients present one token many times
// (SDKs read the token file on every refresh, a job's steps share one), and
// its signature need not be checked again while the key that verified it is
// still the issuer's.
const (
	maxVerified        = 4096
	maxVerifiedPayload = 8 << 10
)

// reuse returns the payload of a token verified before, while the key that
// verified it is in the issuer's current key set (the same fetch, within
// KeyTTL): a signature check then would give the same answer. A refetched
// key set, even holding the same keys, makes tokens be verified again.
func (v *Verifier) reuse(k verifiedKey) ([]byte, bool) {
	now := v.cfg.Now()
	v.mu.Lock()
	defer v.mu.Unlock()
	ve, ok := v.verified[k]
	if !ok {
		return nil, false
	}
	if e := v.cache[k.issuer]; e != nil && now.Sub(e.fetchedAt) < v.cfg.KeyTTL {
		for i := range e.keys {
			if sameKey(e.keys[i].Key, ve.signer) {
				e.used = now
				return ve.payload, true
			}
		}
	}
	delete(v.verified, k)
	return nil, false
}

// remember keeps a verified token's payload for reuse; bounded, starting
// over when full.
func (v *Verifier) remember(k verifiedKey, payload []byte, signer any) {
	if len(payload) > maxVerifiedPayload {
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.verified) >= maxVerified {
		clear(v.verified)
	}
	v.verified[k] = verifiedEntry{payload: payload, signer: signer}
}

// sameKey reports whether a and b are the same parsed public key (the same
// pointer: one fetch's key).
func sameKey(a, b any) bool {
	switch a := a.(type) {
	case *rsa.PublicKey:
		b, ok := b.(*rsa.PublicKey)
		return ok && a == b
	case *ecdsa.PublicKey:
		b, ok := b.(*ecdsa.PublicKey)
		return ok && a == b
	}
	return false
}

// entry is one issuer's (and thumbprint set's) keys and fetch history.
type entry struct {
	keys      []jose.JSONWebKey
	fetchedAt time.Time // of keys
	attempt   time.Time // last fetch started, success or not
	err       error     // of the last fetch if it failed
	failedAt  time.Time
	used      time.Time // for eviction
}

// New returns a Verifier with cfg's zero fields set to their defaults.
func New(cfg Config) *Verifier {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&cfg.Timeout, 5*time.Second)
	def(&cfg.KeyTTL, time.Hour)
	def(&cfg.RefreshInterval, time.Minute)
	def(&cfg.RetryInterval, 5*time.Second)
	switch {
	case cfg.Skew == 0:
		cfg.Skew = 5 * time.Minute
	case cfg.Skew < 0:
		cfg.Skew = 0
	}
	if cfg.MaxAge < 0 {
		cfg.MaxAge = 0
	}
	if cfg.MaxIssuers <= 0 {
		cfg.MaxIssuers = 1000
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.OnFetch == nil {
		cfg.OnFetch = func(string, error) {}
	}
	return &Verifier{cfg: cfg, cache: map[string]*entry{}, verified: map[verifiedKey]verifiedEntry{}}
}

// candidates returns the keys that may have signed t: those with its kid
// (all fitting keys when it has none). It fetches the JWKS when none is
// cached or it is older than KeyTTL, and again when no key fits, at most
// once per RefreshInterval.
func (v *Verifier) candidates(ctx context.Context, t *Token, p opensts.OIDCProvider) ([]jose.JSONWebKey, error) {
	key := cacheKey(p)
	keys, fresh, err := v.cached(key)
	if err != nil {
		return nil, err
	}
	if !fresh {
		if keys, err = v.refresh(ctx, key, p, false); err != nil {
			return nil, err
		}
	}
	found, kidFound := match(keys, t)
	if len(found) == 0 && !kidFound {
		// An unknown kid: the IdP may have rotated its keys.
		if keys, err = v.refresh(ctx, key, p, true); err != nil {
			return nil, err
		}
		found, kidFound = match(keys, t)
	}
	if len(found) == 0 {
		if kidFound {
			// The kid names a key of another type or algorithm.
			return nil, invalid(msgSignature)
		}
		return nil, invalid(msgNoKey)
	}
	return found, nil
}

// match returns the keys fitting t; kidFound reports whether any key has
// t's kid (true for a kid-less token with fitting keys).
func match(keys []jose.JSONWebKey, t *Token) (found []jose.JSONWebKey, kidFound bool) {
	for i := range keys {
		k := &keys[i]
		if t.kid != "" && k.KeyID != t.kid {
			continue
		}
		if t.kid != "" {
			kidFound = true
		}
		if fits(k, t.alg) {
			found = append(found, *k)
		}
	}
	return found, kidFound || len(found) > 0
}

// cached returns the cached keys and whether they are within KeyTTL, or
// the error of a fetch that failed less than RetryInterval ago.
func (v *Verifier) cached(key string) ([]jose.JSONWebKey, bool, error) {
	now := v.cfg.Now()
	v.mu.Lock()
	defer v.mu.Unlock()
	e := v.cache[key]
	if e == nil {
		return nil, false, nil
	}
	e.used = now
	if e.keys != nil && now.Sub(e.fetchedAt) < v.cfg.KeyTTL {
		return e.keys, true, nil
	}
	if e.err != nil && now.Sub(e.failedAt) < v.cfg.RetryInterval {
		return nil, false, e.err
	}
	return nil, false, nil
}

// refresh fetches the provider's keys, sharing the fetch with concurrent
// callers. With limited set (an unknown kid), it fetches only when the
// last attempt is RefreshInterval old, else returns the cached keys.
func (v *Verifier) refresh(ctx context.Context, key string, p opensts.OIDCProvider, limited bool) ([]jose.JSONWebKey, error) {
	if err := ctx.Err(); err != nil {
		// A caller that has gone starts no fetch; checked here because
		// the select below picks at random when both are ready.
		return nil, idpErr(err)
	}
	ch := v.group.DoChan(key, func() (any, error) {
		now := v.cfg.Now()
		v.mu.Lock()
		e := v.cache[key]
		if e == nil {
			v.evictLocked()
			e = &entry{used: now}
			v.cache[key] = e
		}
		switch {
		case e.err != nil && now.Sub(e.failedAt) < v.cfg.RetryInterval:
			err := e.err
			v.mu.Unlock()
			return nil, err
		case limited && !e.attempt.IsZero() && now.Sub(e.attempt) < v.cfg.RefreshInterval,
			!limited && e.keys != nil && now.Sub(e.fetchedAt) < v.cfg.KeyTTL:
			// Someone else fetched meanwhile, or too recently to ask again.
			keys := e.keys
			v.mu.Unlock()
			return keys, nil
		}
		e.attempt = now
		v.mu.Unlock()

		// The fetch is shared: one caller's cancellation must not fail
		// the others.
		keys, err := v.fetchKeys(context.WithoutCancel(ctx), p.URL, p.Thumbprints)
		if keys == nil && err == nil {
			keys = []jose.JSONWebKey{}
		}
		v.mu.Lock()
		defer v.mu.Unlock()
		if e2 := v.cache[key]; e2 != nil {
			e = e2
		} else {
			v.evictLocked()
			v.cache[key] = e
		}
		if err != nil {
			e.err, e.failedAt = err, v.cfg.Now()
			if e.keys != nil && v.cfg.Now().Sub(e.fetchedAt) < v.cfg.KeyTTL {
				return e.keys, nil // a failed refresh keeps keys still trusted
			}
			return nil, err
		}
		e.keys, e.fetchedAt, e.err = keys, v.cfg.Now(), nil
		return keys, nil
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		return r.Val.([]jose.JSONWebKey), nil
	case <-ctx.Done():
		return nil, idpErr(ctx.Err())
	}
}

// idpErr is IDPCommunicationError: the identity provider could not be
// reached, answered with a server error, or was not waited for.
func idpErr(err error) error {
	return &opensts.Error{Kind: opensts.ErrIDPCommunication, Message: msgIDP, Err: err}
}

// evictLocked drops the least recently used entry when the cache is full.
func (v *Verifier) evictLocked() {
	if len(v.cache) < v.cfg.MaxIssuers {
		return
	}
	var oldest string
	var at time.Time
	for k, e := range v.cache {
		if oldest == "" || e.used.Before(at) {
			oldest, at = k, e.used
		}
	}
	delete(v.cache, oldest)
}
