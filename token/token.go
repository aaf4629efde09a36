package token

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Errors returned by Open and Seal. Open returns them unwrapped, so a stream
// of garbage tokens costs no allocation. None of them carries token bytes, key
// material or secrets.
var (
	// ErrMalformed: not base64 of the padded standard alphabet, shorter or
	// longer than a token can be, an unknown version, or a plaintext that
	// does not decode. The edge answers InvalidClientTokenId.
	ErrMalformed = errors.New("malformed session token")
	// ErrUnknownKey: the key id is not in the ring, or that key is past its
	// ExpiresAt. The edge answers InvalidClientTokenId.
	ErrUnknownKey = errors.New("session token sealed by an unknown key")
	// ErrInvalid: the key is known but the token does not authenticate under
	// it (tampered, truncated inside the ciphertext, or sealed by a different
	// key with the same id). The edge answers InvalidClientTokenId.
	ErrInvalid = errors.New("session token does not authenticate")
	// ErrExpired: the token is authentic and now >= its ExpiresAt. The edge
	// answers ExpiredToken.
	ErrExpired = errors.New("session token expired")
	// ErrTooLarge: Seal would produce a token over MaxTokenLen, or the packed
	// session policy is over PackedBudget (Pack's percent > 100).
	ErrTooLarge = errors.New("session token too large")
	// ErrInvalidClaims: Seal was given claims it refuses to seal (unknown
	// kind or principal type, missing times or identifiers, a field longer
	// than its bound). It is a programming error in the caller.
	ErrInvalidClaims = errors.New("invalid session claims")
)

// MaxTokenLen is the longest token Seal produces and Open accepts, in
// characters of base64: AWS's 4,096-byte session-token cap (spec §1.7, §2.1).
const MaxTokenLen = 4096

// Envelope layout (see doc.go).
const (
	envelopeV1  = 0x01
	adLen       = 1 + 4 // version | key id: the AEAD associated data
	nonceLen    = 12
	headerLen   = adLen + nonceLen
	tagLen      = 16
	envelopeLen = headerLen + tagLen // 33 bytes around the plaintext

	// maxSealedLen is the longest binary envelope whose padded base64 fits
	// in MaxTokenLen: 4096/4*3 = 3072 bytes.
	maxSealedLen = MaxTokenLen / 4 * 3
	// maxPlaintext is what the claims encoding may use: 3072 - 33 = 3039.
	maxPlaintext = maxSealedLen - envelopeLen
	// minSealedLen is the shortest envelope that could hold claims.
	minSealedLen = envelopeLen + minClaimsLen
)

// b64 is the token alphabet: standard, padded (AWS tokens use
// [A-Za-z0-9+/=]). Strict rejects non-zero padding bits, and Open also
// rejects the newlines the decoder would skip, so each envelope has exactly
// one spelling.
var b64 = base64.StdEncoding.Strict()

// bufLen holds an envelope (up to maxSealedLen) followed by its base64 form
// (up to MaxTokenLen), so Seal and Open work in one pooled buffer.
const bufLen = maxSealedLen + MaxTokenLen

var bufs = sync.Pool{New: func() any { return new([bufLen]byte) }}

// Seal encrypts c under the ring's active key and returns the session token.
//
// Times are stored at second precision (sub-second parts are dropped) and
// come back from Open in UTC. The session policy, policy ARNs and tags are
// stored in their packed form: the same bytes Pack returns. Seal fails with
// ErrTooLarge when Pack's percent would be over 100 and with ErrInvalidClaims
// when c breaks a rule listed on Claims; with valid claims and a packing
// within budget it always succeeds (see PackedBudget).
func Seal(r *Ring, c Claims) (string, error) {
	tok, _, err := SealPacking(r, c)
	return tok, err
}

// SealPacking is Seal, also returning the packed session policy's share of
// PackedBudget in percent (Pack's percent; 0 when the claims carry no
// policy, ARN or tag), so a caller reporting PackedPolicySize packs once.
// Over budget, it returns that percent with ErrTooLarge.
func SealPacking(r *Ring, c Claims) (string, int, error) {
	if r == nil || len(r.keys) == 0 {
		return "", 0, fmt.Errorf("seal session token: %w", ErrInvalidRing)
	}
	if err := c.check(); err != nil {
		return "", 0, fmt.Errorf("seal session token: %w", err)
	}
	var packed []byte
	var percent int
	if hasPacked(c.Policy, c.PolicyARNs, c.Tags) {
		p := getPacker()
		defer putPacker(p)
		packed, percent = p.pack(c.Policy, c.PolicyARNs, c.Tags)
		if percent > 100 {
			return "", percent, fmt.Errorf("seal session token: packed session policy consumes %d%% of its budget: %w", percent, ErrTooLarge)
		}
	}
	tok, err := r.seal(&c, packed)
	return tok, percent, err
}

// padding returns how many zero bytes a padding field must carry so that an
// envelope of sealedLen bytes (without the field) encodes to at least
// minTokenLen base64 characters; 0 when it already does.
func padding(sealedLen, minTokenLen int) int {
	if b64.EncodedLen(sealedLen) >= minTokenLen {
		return 0
	}
	for pad := 1; ; pad++ {
		field := uvarintLen(pad) + pad
		if b64.EncodedLen(sealedLen+field) >= minTokenLen {
			return pad
		}
	}
}

// seal encrypts checked claims with their packed section under the active key.
func (r *Ring) seal(c *Claims, packed []byte) (string, error) {
	k := &r.keys[r.active]
	buf := bufs.Get().(*[bufLen]byte)
	defer putBuf(buf)
	b := buf[:headerLen]
	b[0] = envelopeV1
	binary.BigEndian.PutUint32(b[1:adLen], k.id)
	rand.Read(b[adLen:headerLen]) // never fails (crypto/rand, Go 1.24+)
	b = appendClaims(b, c, packed, 0)
	if pad := padding(len(b)+tagLen, c.MinTokenLen); pad > 0 {
		b = appendClaims(b[:headerLen], c, packed, pad)
	}
	if len(b)+tagLen > maxSealedLen {
		// Unreachable for claims that pass check with a packing within
		// budget (TestBudgetArithmetic); kept as the final guard.
		return "", fmt.Errorf("seal session token: %d bytes over the cap: %w", len(b)+tagLen-maxSealedLen, ErrTooLarge)
	}
	sealed := k.aead.Seal(b[headerLen:headerLen], b[adLen:headerLen], b[headerLen:], b[:adLen])
	sealed = b[:headerLen+len(sealed)]
	out := buf[maxSealedLen : maxSealedLen+b64.EncodedLen(len(sealed))]
	b64.Encode(out, sealed)
	return string(out), nil
}

// Open authenticates and decodes a session token. The checks run in this
// order, and the first failure is returned: size and base64 (ErrMalformed),
// version (ErrMalformed), key id (ErrUnknownKey), authentication
// (ErrInvalid), claims decoding (ErrMalformed), expiry (ErrExpired). So only
// an authentic token is ever reported expired, and the expiry check happens
// only after the token proved it was sealed by the ring.
//
// The caller must still check that the request's access key id equals
// Claims.AccessKeyID and verify the request's signature with
// Claims.SecretAccessKey. On error the returned Claims is zero.
func Open(r *Ring, tok string, now time.Time) (Claims, error) {
	n := len(tok)
	if n > MaxTokenLen || n%4 != 0 || n < b64.EncodedLen(minSealedLen) {
		return Claims{}, ErrMalformed
	}
	buf := bufs.Get().(*[bufLen]byte)
	defer putBuf(buf)
	src := buf[maxSealedLen : maxSealedLen+n]
	copy(src, tok)
	m, err := b64.Decode(buf[:maxSealedLen], src)
	if err != nil || b64.EncodedLen(m) != n || m < minSealedLen {
		return Claims{}, ErrMalformed
	}
	raw := buf[:m]
	if raw[0] != envelopeV1 {
		return Claims{}, ErrMalformed
	}
	k := r.open(binary.BigEndian.Uint32(raw[1:adLen]), now)
	if k == nil {
		return Claims{}, ErrUnknownKey
	}
	pt, err := k.aead.Open(raw[headerLen:headerLen], raw[adLen:headerLen], raw[headerLen:], raw[:adLen])
	if err != nil {
		return Claims{}, ErrInvalid
	}
	c, ok := decodeClaims(pt)
	if !ok {
		return Claims{}, ErrMalformed
	}
	if !now.Before(c.ExpiresAt) {
		return Claims{}, ErrExpired
	}
	return c, nil
}

// KeyID returns the id of the key a token claims to be sealed by, without
// opening it. A node that meets an id newer than its ring's active key may
// reload the ring (another node rotated); the id is not authenticated until
// Open succeeds.
func KeyID(tok string) (uint32, error) {
	if len(tok) > MaxTokenLen || len(tok) < b64.EncodedLen(minSealedLen) {
		return 0, ErrMalformed
	}
	var src [8]byte
	var dst [6]byte
	copy(src[:], tok)
	n, err := b64.Decode(dst[:], src[:])
	if err != nil || n != len(dst) || dst[0] != envelopeV1 {
		return 0, ErrMalformed
	}
	return binary.BigEndian.Uint32(dst[1:adLen]), nil
}

func putBuf(buf *[bufLen]byte) {
	clear(buf[:]) // plaintext secrets and token bytes must not linger
	bufs.Put(buf)
}
