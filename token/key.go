package token

import (
	"crypto/rand"
	"fmt"
	"math"
	"time"
)

// SecretLen is the length of a key's secret: an AES-256 key.
const SecretLen = 32

// Key is one key of the ring. The active key (RetiredAt zero) seals new
// tokens; a retired key only opens tokens, until ExpiresAt.
type Key struct {
	ID        uint32
	Secret    []byte // SecretLen random bytes
	CreatedAt time.Time
	RetiredAt time.Time // zero while active
	ExpiresAt time.Time // zero while active; a retired key opens tokens until then
}

// Active reports whether k is the sealing key (not retired).
func (k Key) Active() bool { return k.RetiredAt.IsZero() }

// String describes the key without its secret.
func (k Key) String() string {
	if k.Active() {
		return fmt.Sprintf("token key %d (active, created %s)", k.ID, k.CreatedAt.UTC().Format(time.RFC3339))
	}
	return fmt.Sprintf("token key %d (retired %s, expires %s)", k.ID,
		k.RetiredAt.UTC().Format(time.RFC3339), k.ExpiresAt.UTC().Format(time.RFC3339))
}

// GoString is String, so %#v does not print the secret either.
func (k Key) GoString() string { return k.String() }

// NewKey returns a fresh active key with a random secret.
func NewKey(id uint32, now time.Time) Key {
	secret := make([]byte, SecretLen)
	rand.Read(secret) // never fails (crypto/rand, Go 1.24+)
	return Key{ID: id, Secret: secret, CreatedAt: now}
}

// Rotate returns the ring after a rotation at now:
//
//   - every active key is retired at now, with ExpiresAt = now + maxLifetime,
//     where maxLifetime is the longest session it may have sealed (the
//     issuer's longest DurationSeconds, 129600 s);
//   - retired keys whose ExpiresAt is at or before now are pruned;
//   - a new active key is appended, with id one more than the largest id in
//     keys (1 for an empty ring). Ids only grow, so a pruned key's id is not
//     reused while tokens it sealed could exist; only after id 4294967295 does
//     Rotate fall back to the smallest id not in the pruned ring.
//
// Rotate is pure: it neither mutates keys nor shares its backing array.
// Secrets are shared, and are never written to.
func Rotate(keys []Key, now time.Time, maxLifetime time.Duration) []Key {
	out := make([]Key, 0, len(keys)+1)
	var maxID uint32
	for i, k := range keys {
		if i == 0 || k.ID > maxID {
			maxID = k.ID
		}
		if k.Active() {
			k.RetiredAt = now
			k.ExpiresAt = now.Add(maxLifetime)
		}
		out = append(out, k)
	}
	out = prune(out, now)
	var id uint32
	switch {
	case len(keys) == 0:
		id = 1
	case maxID < math.MaxUint32:
		id = maxID + 1
	default:
		id = smallestUnused(out)
	}
	return append(out, NewKey(id, now))
}

// Prune returns keys without the retired keys whose ExpiresAt is at or before
// now: they can no longer open a token that has not expired. Active keys are
// always kept. Prune does not mutate keys.
func Prune(keys []Key, now time.Time) []Key {
	return prune(append([]Key(nil), keys...), now)
}

// prune filters keys in place.
func prune(keys []Key, now time.Time) []Key {
	out := keys[:0]
	for _, k := range keys {
		if k.Active() || k.ExpiresAt.After(now) {
			out = append(out, k)
		}
	}
	clear(keys[len(out):])
	return out
}

func smallestUnused(keys []Key) uint32 {
	used := make(map[uint32]bool, len(keys))
	for _, k := range keys {
		used[k.ID] = true
	}
	var id uint32
	for used[id] {
		id++
	}
	return id
}
