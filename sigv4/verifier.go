package sigv4

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"strings"
	"sync"
	"time"
)

// Verifier checks signatures, caching derived signing keys (the four-HMAC
// chain of shared/spec/sts-spec.md §5.3) keyed by access key id, date,
// region and service. Each cached key is bound to a salted hash of the secret
// it was derived from, so a changed secret is never served a stale key. The
// cache holds at most the configured number of keys, keeps only keys for the
// newest two credential dates it has seen, and is filled only by requests
// whose signature verified, so unauthenticated callers cannot churn it.
//
// A Verifier is safe for concurrent use. The zero value verifies without
// caching.
type Verifier struct {
	max  int
	salt [32]byte

	mu     sync.RWMutex
	keys   map[cacheKey]cacheEntry
	newest string // newest credential date among cached keys, yyyymmdd
}

type cacheKey struct {
	accessKeyID, date, region, service string
}

type cacheEntry struct {
	secretHash [32]byte
	key        [32]byte
}

// NewVerifier returns a Verifier caching at most cacheSize derived keys;
// cacheSize <= 0 disables the cache. One key serves one access key for one
// day, region and service.
func NewVerifier(cacheSize int) *Verifier {
	v := &Verifier{max: cacheSize}
	if cacheSize > 0 {
		v.keys = make(map[cacheKey]cacheEntry, min(cacheSize, 1024))
		rand.Read(v.salt[:]) // never fails (crypto/rand)
	}
	return v
}

// Verify compares, in constant time, the request's signature with the one
// computed with secret. It returns ErrSignatureMismatch on mismatch, when the
// request's X-Amz-Content-SHA256 does not match its body, or when the
// signature is not 64 lower-case hex digits, and a *MismatchError when the
// credential scope is invalid (see Request.CheckService; the service is not
// checked here).
func (v *Verifier) Verify(r *Request, secret string) error { return verify(v, r, secret) }

// VerifyBytes is Verify for a secret held in a byte slice, which the
// caller can clear afterwards: Verify would need a string copy of it that
// nothing clears.
func (v *Verifier) VerifyBytes(r *Request, secret []byte) error { return verify(v, r, secret) }

func verify[S ~string | ~[]byte](v *Verifier, r *Request, secret S) error {
	if r == nil || len(r.stringToSign) == 0 {
		return errors.New("sigv4: verify: request was not returned by Parse")
	}
	if msg := r.scopeMessage(nil); msg != "" {
		return mismatch(msg)
	}
	if !r.payloadOK || !r.signatureOK {
		return ErrSignatureMismatch
	}
	caching := v.max > 0
	var sh [32]byte
	var key [32]byte
	hit := false
	if caching {
		sh = secretHash(v, secret)
		key, hit = v.lookup(r, &sh)
	}
	if !hit {
		key = deriveKey(secret, r.Date, r.Region, r.Service)
	}
	mac := hmacSHA256(key[:], r.stringToSign)
	if !hmac.Equal(mac[:], r.signature[:]) {
		return ErrSignatureMismatch
	}
	if caching && !hit {
		v.store(r, &sh, &key)
	}
	return nil
}

func secretHash[S ~string | ~[]byte](v *Verifier, secret S) [32]byte {
	var buf [128]byte
	b := append(buf[:0], v.salt[:]...)
	b = append(b, secret...)
	return sha256.Sum256(b)
}

func (v *Verifier) lookup(r *Request, sh *[32]byte) ([32]byte, bool) {
	v.mu.RLock()
	e, ok := v.keys[cacheKey{r.AccessKeyID, r.Date, r.Region, r.Service}]
	v.mu.RUnlock()
	if !ok || subtle.ConstantTimeCompare(e.secretHash[:], sh[:]) != 1 {
		return [32]byte{}, false
	}
	return e.key, true
}

func (v *Verifier) store(r *Request, sh, key *[32]byte) {
	k := cacheKey{
		accessKeyID: strings.Clone(r.AccessKeyID), // do not retain the request's header
		date:        strings.Clone(r.Date),
		region:      strings.Clone(r.Region),
		service:     strings.Clone(r.Service),
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if k.date > v.newest {
		v.newest = k.date
		// Requests are within 15 minutes of now, so only today's and
		// yesterday's (or tomorrow's) keys can still be used.
		if t, err := time.Parse(dateFormat, k.date); err == nil {
			oldest := t.AddDate(0, 0, -1).Format(dateFormat)
			for ck := range v.keys {
				if ck.date < oldest {
					delete(v.keys, ck)
				}
			}
		}
	}
	if _, ok := v.keys[k]; !ok {
		for ck := range v.keys {
			if len(v.keys) < v.max {
				break
			}
			delete(v.keys, ck) // map order is unspecified: random eviction
		}
	}
	v.keys[k] = cacheEntry{secretHash: *sh, key: *key}
}

// deriveKey computes the signing key:
// kDate = HMAC("AWS4"+secret, date), kRegion = HMAC(kDate, region),
// kService = HMAC(kRegion, service), kSigning = HMAC(kService, "aws4_request").
func deriveKey[S ~string | ~[]byte](secret S, date, region, service string) [32]byte {
	var buf [128]byte
	k := append(buf[:0], "AWS4"...)
	k = append(k, secret...)
	var msg [64]byte
	key := hmacSHA256(k, append(msg[:0], date...))
	clear(k) // the secret does not outlive this call in our buffers
	key = hmacSHA256(key[:], append(msg[:0], region...))
	key = hmacSHA256(key[:], append(msg[:0], service...))
	return hmacSHA256(key[:], append(msg[:0], Terminator...))
}

// hmacSHA256 is HMAC-SHA256 (RFC 2104) over stack buffers, so verifying a
// request allocates nothing; tests check it against crypto/hmac.
func hmacSHA256(key, msg []byte) [32]byte {
	const block = sha256.BlockSize
	var k [block]byte
	if len(key) > block {
		sum := sha256.Sum256(key)
		copy(k[:], sum[:])
	} else {
		copy(k[:], key)
	}
	var buf [block + 512]byte
	in := buf[:block]
	for i := range k {
		in[i] = k[i] ^ 0x36
	}
	in = append(in, msg...)
	inner := sha256.Sum256(in)
	var out [block + sha256.Size]byte
	for i := range k {
		out[i] = k[i] ^ 0x5c
	}
	copy(out[block:], inner[:])
	return sha256.Sum256(out[:])
}
