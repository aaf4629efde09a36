package token

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"errors"
	"fmt"
	"time"
)

// ErrInvalidRing is returned by NewRing for a key set that is not a ring, and
// by Seal for a nil or empty ring.
var ErrInvalidRing = errors.New("invalid token key ring")

// Ring is an immutable snapshot of the key ring, safe for concurrent use:
// exactly one active key seals, and every key not past its ExpiresAt opens.
// To rotate, build a new Ring from Rotate's result and swap it in (for
// example with an atomic.Pointer).
type Ring struct {
	keys   []ringKey
	active int
}

type ringKey struct {
	id      uint32
	aead    cipher.AEAD
	expires time.Time // zero for the active key
	key     Key       // with a private copy of the secret
}

// NewRing checks keys and builds a ring. It fails, wrapping ErrInvalidRing,
// when there are no keys, no active key or several, a secret that is not
// SecretLen bytes, a duplicate id, a retired key without ExpiresAt, or an
// active key with one. It copies every secret.
func NewRing(keys []Key) (*Ring, error) {
	if len(keys) == 0 {
		return nil, fmt.Errorf("%w: no keys", ErrInvalidRing)
	}
	r := &Ring{keys: make([]ringKey, 0, len(keys)), active: -1}
	for _, k := range keys {
		switch {
		case len(k.Secret) != SecretLen:
			return nil, fmt.Errorf("%w: key %d: secret is %d bytes, want %d", ErrInvalidRing, k.ID, len(k.Secret), SecretLen)
		case r.Has(k.ID):
			return nil, fmt.Errorf("%w: duplicate key id %d", ErrInvalidRing, k.ID)
		case k.Active() && !k.ExpiresAt.IsZero():
			return nil, fmt.Errorf("%w: active key %d has an expiry", ErrInvalidRing, k.ID)
		case !k.Active() && k.ExpiresAt.IsZero():
			return nil, fmt.Errorf("%w: retired key %d has no expiry", ErrInvalidRing, k.ID)
		case k.Active() && r.active >= 0:
			return nil, fmt.Errorf("%w: keys %d and %d are both active", ErrInvalidRing, r.keys[r.active].id, k.ID)
		}
		block, err := aes.NewCipher(k.Secret)
		if err != nil {
			return nil, fmt.Errorf("%w: key %d: %v", ErrInvalidRing, k.ID, err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("%w: key %d: %v", ErrInvalidRing, k.ID, err)
		}
		if k.Active() {
			r.active = len(r.keys)
		}
		k.Secret = bytes.Clone(k.Secret)
		r.keys = append(r.keys, ringKey{id: k.ID, aead: aead, expires: k.ExpiresAt, key: k})
	}
	if r.active < 0 {
		return nil, fmt.Errorf("%w: no active key", ErrInvalidRing)
	}
	return r, nil
}

// Active returns the sealing key, with a copy of its secret.
func (r *Ring) Active() Key {
	k := r.keys[r.active].key
	k.Secret = bytes.Clone(k.Secret)
	return k
}

// Len is the number of keys in the ring.
func (r *Ring) Len() int { return len(r.keys) }

// Has reports whether the ring holds a key with this id, expired or not.
func (r *Ring) Has(id uint32) bool {
	if r == nil {
		return false
	}
	for i := range r.keys {
		if r.keys[i].id == id {
			return true
		}
	}
	return false
}

// open returns the key with this id if it may open a token at now. Rings
// hold a handful of keys, so a scan beats a map.
func (r *Ring) open(id uint32, now time.Time) *ringKey {
	if r == nil {
		return nil
	}
	for i := range r.keys {
		k := &r.keys[i]
		if k.id == id {
			if !k.expires.IsZero() && !now.Before(k.expires) {
				return nil
			}
			return k
		}
	}
	return nil
}
