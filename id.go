package opensts

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
)

// Unique-id prefixes (spec §2.1).
const (
	PrefixAccessKey     = "AKIA"
	PrefixTemporaryKey  = "ASIA"
	PrefixUser          = "AIDA"
	PrefixGroup         = "AGPA"
	PrefixManagedPolicy = "ANPA"
)

var idEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewID returns prefix followed by n characters of [A-Z2-7] from crypto/rand.
func NewID(prefix string, n int) string {
	b := make([]byte, (n*5+7)/8)
	rand.Read(b) // never fails (crypto/rand, Go 1.24+)
	return prefix + idEncoding.EncodeToString(b)[:n]
}

// NewAccessKeyID returns AKIA + 16 characters.
func NewAccessKeyID() string { return NewID(PrefixAccessKey, 16) }

// NewTemporaryKeyID returns ASIA + 16 characters.
func NewTemporaryKeyID() string { return NewID(PrefixTemporaryKey, 16) }

// NewSecretAccessKey returns a 40-character secret of the base64 alphabet.
func NewSecretAccessKey() string {
	b := make([]byte, 30)
	rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

// NewAccountID returns a random 12-digit account id not starting with 0.
func NewAccountID() string {
	b := make([]byte, 12)
	rand.Read(b)
	out := make([]byte, 12)
	for i := range b {
		out[i] = '0' + b[i]%10
	}
	if out[0] == '0' {
		out[0] = '1' + b[0]%9
	}
	return string(out)
}
