package opensts

import "time"

// TokenKey is one key of the session-token key ring, as stored. The key
// material is sealed under the master key. Exactly one key is active (the
// newest without RetiredAt); retired keys still open tokens until ExpiresAt,
// after which they may be pruned.
type TokenKey struct {
	ID        uint32
	Sealed    []byte
	CreatedAt time.Time
	RetiredAt time.Time // zero while active
	ExpiresAt time.Time // zero while active
}
