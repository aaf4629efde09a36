package totp

import (
	"crypto/rand"
	"encoding/base32"
	"errors"
	"strings"
)

// SeedSize is the length of seeds NewSeed makes: 160 bits, the length RFC
// 4226 §4 recommends and the one OATH hardware tokens ship with. (AWS's own
// Base32StringSeed is 64 base32 characters, 320 bits; authenticator apps take
// either, and 32 characters are easier to type.)
const SeedSize = 20

// Issuer is the name authenticator apps show next to a virtual device (the
// otpauth issuer).
const Issuer = "OpenSTS"

// ErrInvalidSeed means a seed string does not decode.
var ErrInvalidSeed = errors.New("seed is not valid base32")

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewSeed returns SeedSize random bytes from crypto/rand.
func NewSeed() []byte {
	seed := make([]byte, SeedSize)
	_, _ = rand.Read(seed) // never fails since Go 1.24: it crashes the program instead
	return seed
}

// EncodeSeed returns seed as RFC 4648 base32, upper case, without padding:
// the Base32StringSeed form and the otpauth secret form.
func EncodeSeed(seed []byte) string {
	return b32.EncodeToString(seed)
}

// DecodeSeed decodes a base32 seed as people and vendors write it: any case,
// with spaces or line breaks between groups, with or without trailing '='
// padding. An empty seed is ErrInvalidSeed.
func DecodeSeed(s string) ([]byte, error) {
	var b strings.Builder
	b.Grow(len(s))
	for i := range len(s) {
		switch c := s[i]; {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
		case 'a' <= c && c <= 'z':
			b.WriteByte(c - 'a' + 'A') // ASCII only: Unicode case mapping would turn 'ſ' into 'S'
		default:
			b.WriteByte(c)
		}
	}
	clean := strings.TrimRight(b.String(), "=")
	switch len(clean) % 8 {
	case 1, 3, 6: // no whole number of bytes ends there; a character is missing or extra
		return nil, ErrInvalidSeed
	}
	if clean == "" {
		return nil, ErrInvalidSeed
	}
	seed, err := b32.DecodeString(clean)
	if err != nil {
		return nil, ErrInvalidSeed // the decoder's error would quote an offset into the secret
	}
	return seed, nil
}

// URI returns the otpauth URI that CreateVirtualMFADevice's QRCodePNG encodes
// and authenticator apps scan:
//
//	otpauth://totp/OpenSTS:<deviceName>@<accountName>?secret=<base32>&issuer=OpenSTS
//
// accountName is the user name if the device has one, else the account id.
// AWS documents otpauth://totp/$virtualMFADeviceName@$AccountName?secret=$Base32String
// (API_VirtualMFADevice, QRCodePNG); the codes AWS actually returns also
// carry an issuer, as label prefix and parameter ("Amazon Web Services"), so
// apps show "Issuer (device@account)". We do the same with our own name
// rather than pose as AWS. algorithm, digits and period are left out, as AWS
// leaves them out: their defaults (SHA1, 6, 30) are ours.
//
// Label parts are percent-encoded except unreserved characters and '@';
// '+' is encoded so that apps decoding with form rules do not read a space.
func URI(deviceName, accountName string, seed []byte) string {
	var b strings.Builder
	b.WriteString("otpauth://totp/")
	escape(&b, Issuer)
	b.WriteByte(':')
	escape(&b, deviceName)
	b.WriteByte('@')
	escape(&b, accountName)
	b.WriteString("?secret=")
	b.WriteString(EncodeSeed(seed))
	b.WriteString("&issuer=")
	escape(&b, Issuer)
	return b.String()
}

// escape percent-encodes every byte of s except RFC 3986 unreserved
// characters and '@'.
func escape(b *strings.Builder, s string) {
	const hex = "0123456789ABCDEF"
	for i := range len(s) {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '-', c == '.', c == '_', c == '~', c == '@':
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&0x0f])
		}
	}
}
