package opensts

import (
	"context"
	"time"
)

// SigningKey is one key OpenSTS signs web identity tokens (JWTs) with, for
// GetWebIdentityToken (roles-spec §6.4). Package jwtkeys creates, rotates
// and prunes them; the store keeps the set in the order the last update
// wrote it.
type SigningKey struct {
	ID        string // the JWK kid: 16 random base32 characters (lower case)
	Algorithm string // "RS256" (RSA 2048) or "ES384" (P-384)
	Sealed    []byte // the PKCS#8 private key sealed under the master key
	Public    []byte // the PKIX DER public key, published in the JWKS
	CreatedAt time.Time
	ActiveAt  time.Time // signing starts here (published before, so relying parties that cache the JWKS see it first)
	RetiredAt time.Time // zero while current; a newer key of the algorithm retires it
	ExpiresAt time.Time // zero while current; published until then (RetiredAt + the longest token lifetime + skew), then pruned
}

// SigningKeys persists the web identity token signing keys.
type SigningKeys interface {
	// ListSigningKeys returns the set in the order the last update wrote it.
	ListSigningKeys(ctx context.Context) ([]SigningKey, error)
	// UpdateSigningKeys replaces the set with fn's result atomically; fn
	// sees the current set. Concurrent updaters are serialized, on every
	// node. Duplicate key ids fail with ErrAlreadyExists.
	UpdateSigningKeys(ctx context.Context, fn func([]SigningKey) ([]SigningKey, error)) error
}

// OutboundFederation is an account's outbound web identity federation
// switch (IAM EnableOutboundWebIdentityFederation, roles-spec §6.4).
type OutboundFederation struct {
	AccountID string
	Enabled   bool
	ChangedAt time.Time // when Enabled last changed; zero for an account never switched
}

// OutboundFederations persists the outbound web identity federation switch
// of each account.
type OutboundFederations interface {
	// GetOutboundFederation returns the account's state; an account never
	// enabled is Enabled false with no error (and a zero ChangedAt).
	GetOutboundFederation(ctx context.Context, accountID string) (OutboundFederation, error)
	// SetOutboundFederation sets the state and returns the previous Enabled
	// value, atomically: of several callers enabling at once, exactly one
	// sees false. ChangedAt becomes at only when Enabled changes. It fails
	// with ErrNotFound when the account does not exist.
	SetOutboundFederation(ctx context.Context, accountID string, enabled bool, at time.Time) (previous bool, err error)
}
