package atrest

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"testing"
)

func mustBox(tb testing.TB, key []byte) *Box {
	tb.Helper()
	b, err := New(key)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func TestBox_RoundTrip(t *testing.T) {
	b := mustBox(t, GenerateKey())
	for _, pt := range [][]byte{nil, []byte("x"), bytes.Repeat([]byte("secret"), 100)} {
		s := b.Seal(pt, []byte("AKIA1"))
		got, err := b.Open(s, []byte("AKIA1"))
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		if !bytes.Equal(got, pt) {
			t.Fatalf("got %q, want %q", got, pt)
		}
		// Only a plaintext long enough not to turn up in random bytes by
		// chance can be looked for (one byte would, about one time in five).
		if len(pt) >= 8 && bytes.Contains(s, pt) {
			t.Fatal("sealed value contains the plaintext")
		}
	}
}

func TestBox_Open_fail(t *testing.T) {
	key := GenerateKey()
	b := mustBox(t, key)
	s := b.Seal([]byte("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"), []byte("AKIA1"))
	other := mustBox(t, GenerateKey())
	cases := map[string]func() ([]byte, error){
		"fail/other aad":   func() ([]byte, error) { return b.Open(s, []byte("AKIA2")) },
		"fail/other key":   func() ([]byte, error) { return other.Open(s, []byte("AKIA1")) },
		"fail/truncated":   func() ([]byte, error) { return b.Open(s[:len(s)-1], []byte("AKIA1")) },
		"fail/header only": func() ([]byte, error) { return b.Open(s[:17], []byte("AKIA1")) },
		"fail/empty":       func() ([]byte, error) { return b.Open(nil, []byte("AKIA1")) },
	}
	for i := range s {
		c := bytes.Clone(s)
		c[i] ^= 0x01
		cases["fail/flip byte "+strconv.Itoa(i)] = func() ([]byte, error) { return b.Open(c, []byte("AKIA1")) }
	}
	for name, open := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := open(); !errors.Is(err, ErrOpen) {
				t.Fatalf("err = %v, want ErrOpen", err)
			}
		})
	}
}

func TestParseKey(t *testing.T) {
	key := GenerateKey()
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		got, err := ParseKey(" " + enc.EncodeToString(key) + "\n")
		if err != nil || !bytes.Equal(got, key) {
			t.Fatalf("ParseKey(%v) = %x, %v", enc, got, err)
		}
	}
	for _, bad := range []string{"", "!!!", base64.StdEncoding.EncodeToString(key[:31]), base64.StdEncoding.EncodeToString(append(key, 1))} {
		if _, err := ParseKey(bad); err == nil {
			t.Fatalf("ParseKey(%q) accepted", bad)
		} else if bad != "" && strings.Contains(err.Error(), bad) {
			t.Fatalf("error echoes the key: %v", err)
		}
	}
}

func TestNew_badLength(t *testing.T) {
	if _, err := New(make([]byte, 16)); err == nil {
		t.Fatal("accepted a 16-byte key")
	}
}

// The key id in a sealed value's header names the key that sealed it, so a
// store can say which master key it needs.
func TestSealedKeyID(t *testing.T) {
	b := mustBox(t, GenerateKey())
	sealed := b.Seal([]byte("secret"), []byte("aad"))
	if id, ok := SealedKeyID(sealed); !ok || id != b.KeyID() {
		t.Errorf("SealedKeyID = %q, %v; want %q, true", id, ok, b.KeyID())
	}
	other := mustBox(t, GenerateKey())
	if id, _ := SealedKeyID(sealed); id == other.KeyID() {
		t.Error("another key has the same id")
	}
	for name, v := range map[string][]byte{
		"nil":       nil,
		"truncated": sealed[:20],
		"version":   append([]byte{0x02}, sealed[1:]...),
	} {
		if id, ok := SealedKeyID(v); ok {
			t.Errorf("%s: SealedKeyID = %q, true; want false", name, id)
		}
	}
}
