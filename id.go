package opensts

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"strconv"
	"strings"
)

// Unique-id prefixes (spec §2.1).
const (
	PrefixAccessKey     = "AKIA"
	PrefixTemporaryKey  = "ASIA"
	PrefixUser          = "AIDA"
	PrefixGroup         = "AGPA"
	PrefixRole          = "AROA"
	PrefixManagedPolicy = "ANPA"
)

var idEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewID returns prefix followed by n characters of [A-Z2-7] from crypto/rand.
func NewID(prefix string, n int) string {
	b := make([]byte, (n*5+7)/8)
	rand.Read(b) // never fails (crypto/rand, Go 1.24+)
	return prefix + idEncoding.EncodeToString(b)[:n]
}

// NewAccessKeyID returns AKIA + 16 characters encoding the account id (see
// keyID).
func NewAccessKeyID(accountID string) string { return keyID(PrefixAccessKey, accountID) }

// NewTemporaryKeyID returns ASIA + 16 characters encoding the account id.
func NewTemporaryKeyID(accountID string) string { return keyID(PrefixTemporaryKey, accountID) }

// keyID builds an access key id whose 16 characters are the base32 of 10
// bytes: the 12-digit account id as a 40-bit big-endian number (every 12-digit
// number fits), then 5 random bytes. Like AWS's key ids, ours name their
// account, so GetAccessKeyInfo answers for any key, deleted or temporary,
// without state. Uniqueness of long-term ids is enforced by the store.
func keyID(prefix, accountID string) string {
	var n uint64
	for i := 0; i < len(accountID); i++ {
		n = n*10 + uint64(accountID[i]-'0')
	}
	var b [10]byte
	for i := 4; i >= 0; i-- {
		b[i] = byte(n)
		n >>= 8
	}
	rand.Read(b[5:])
	return prefix + idEncoding.EncodeToString(b[:])
}

// AccountFromKeyID returns the account id encoded in an AKIA or ASIA key id
// issued by OpenSTS; ok is false for anything else.
func AccountFromKeyID(id string) (accountID string, ok bool) {
	if len(id) != 20 || (id[:4] != PrefixAccessKey && id[:4] != PrefixTemporaryKey) {
		return "", false
	}
	b, err := idEncoding.DecodeString(id[4:])
	if err != nil || len(b) != 10 {
		return "", false
	}
	var n uint64
	for _, c := range b[:5] {
		n = n<<8 | uint64(c)
	}
	if n > 999999999999 {
		return "", false
	}
	s := strconv.FormatUint(n, 10)
	return strings.Repeat("0", 12-len(s)) + s, true
}

// NewSecretAccessKey returns a 40-character secret of the base64 alphabet.
func NewSecretAccessKey() string {
	var b [30]byte
	rand.Read(b[:])
	var s [40]byte // base64 of 30 bytes, no padding needed
	base64.StdEncoding.Encode(s[:], b[:])
	return string(s[:])
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
