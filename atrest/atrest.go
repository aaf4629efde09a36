// Package atrest encrypts secrets before they are stored: long-term secret
// access keys, TOTP seeds and session-token keys. It uses AES-256-GCM under
// the master key (OPENSTS_MASTER_KEY or the data dir's key file), with
// associated data naming what the secret belongs to, so a sealed value copied
// onto another record does not open.
//
// Imports the standard library only.
package atrest

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// KeySize is the master key length in bytes.
const KeySize = 32

// version 1: 0x01 | key id (4 bytes) | nonce (12 bytes) | ciphertext+tag.
const version1 = 0x01

// ErrOpen is returned for any sealed value that does not open: wrong key,
// tampered, truncated or moved to another record. It never says which.
var ErrOpen = errors.New("sealed value does not open under the master key")

// Box seals and opens values under one master key. It is safe for concurrent use.
type Box struct {
	aead  cipher.AEAD
	keyID [4]byte
}

// New returns a Box for a 32-byte master key.
func New(key []byte) (*Box, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("master key must be %d bytes, got %d", KeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	b := &Box{aead: aead}
	sum := sha256.Sum256(append([]byte("opensts master key id\x00"), key...))
	copy(b.keyID[:], sum[:4])
	return b, nil
}

// ParseKey decodes a base64 (standard or URL alphabet, padding optional)
// master key of exactly 32 bytes. The error never contains the input.
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(s); err == nil {
			if len(k) != KeySize {
				return nil, fmt.Errorf("master key must decode to %d bytes, got %d", KeySize, len(k))
			}
			return k, nil
		}
	}
	return nil, errors.New("master key is not valid base64")
}

// GenerateKey returns a new random master key.
func GenerateKey() []byte {
	k := make([]byte, KeySize)
	rand.Read(k)
	return k
}

// KeyID identifies the master key (a hash prefix, not the key) so an operator
// can tell which key a store was sealed with.
func (b *Box) KeyID() string { return fmt.Sprintf("%x", b.keyID) }

// SealedKeyID returns the id (as KeyID prints it) of the master key that
// sealed a value, read from the value's header, so an operator can be told
// which key a store needs without having it. ok is false for a value that is
// not in a format Seal writes.
func SealedKeyID(sealed []byte) (id string, ok bool) {
	const minLen = 1 + 4 + 12 + 16 // header, GCM nonce, GCM tag
	if len(sealed) < minLen || sealed[0] != version1 {
		return "", false
	}
	return fmt.Sprintf("%x", sealed[1:5]), true
}

// Seal encrypts plaintext bound to aad.
func (b *Box) Seal(plaintext, aad []byte) []byte {
	out := make([]byte, 1+4+b.aead.NonceSize(), 1+4+b.aead.NonceSize()+len(plaintext)+b.aead.Overhead())
	out[0] = version1
	copy(out[1:5], b.keyID[:])
	rand.Read(out[5:])
	return b.aead.Seal(out, out[5:], plaintext, b.ad(out[:5], aad))
}

// Open decrypts a value sealed with the same key and aad.
func (b *Box) Open(sealed, aad []byte) ([]byte, error) {
	hdr := 1 + 4 + b.aead.NonceSize()
	if len(sealed) < hdr+b.aead.Overhead() || sealed[0] != version1 || string(sealed[1:5]) != string(b.keyID[:]) {
		return nil, ErrOpen
	}
	pt, err := b.aead.Open(nil, sealed[5:hdr], sealed[hdr:], b.ad(sealed[:5], aad))
	if err != nil {
		return nil, ErrOpen
	}
	return pt, nil
}

func (b *Box) ad(header, aad []byte) []byte {
	return append(append(make([]byte, 0, len(header)+len(aad)), header...), aad...)
}
