package totp

import (
	"bytes"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const rfcSeedBase32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

func TestEncodeSeed(t *testing.T) {
	// RFC 4648 §10 vectors, padding removed, and the RFC 6238 seed.
	tests := []struct {
		in, want string
	}{
		{"", ""},
		{"f", "MY"},
		{"fo", "MZXQ"},
		{"foo", "MZXW6"},
		{"foob", "MZXW6YQ"},
		{"fooba", "MZXW6YTB"},
		{"foobar", "MZXW6YTBOI"},
		{string(rfcSeed), rfcSeedBase32},
	}
	for _, tt := range tests {
		t.Run("ok/"+tt.want, func(t *testing.T) {
			if got := EncodeSeed([]byte(tt.in)); got != tt.want {
				t.Errorf("EncodeSeed(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestDecodeSeed(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []byte
		wantErr bool
	}{
		{"ok/canonical", rfcSeedBase32, rfcSeed, false},
		{"ok/lower-case", strings.ToLower(rfcSeedBase32), rfcSeed, false},
		{"ok/grouped-by-four", "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ", rfcSeed, false},
		{"ok/grouped-lower-with-tabs-and-newlines", "gezdgnbv\tgy3tqojq\r\ngezdgnbv gy3tqojq\n", rfcSeed, false},
		{"ok/padded", "MZXW6YTBOI======", []byte("foobar"), false},
		{"ok/padding-one", "MZXW6YQ=", []byte("foob"), false},
		{"ok/unpadded-short", "MY", []byte("f"), false},
		{"ok/too-much-padding", "MZXW6YQ=====", []byte("foob"), false},
		{"fail/empty", "", nil, true},
		{"fail/only-spaces", "   \n", nil, true},
		{"fail/only-padding", "========", nil, true},
		{"fail/digit-1", "GEZDGNB1", nil, true},
		{"fail/digit-8", "GEZDGNB8", nil, true},
		{"fail/padding-inside", "MZ=XW6YQ", nil, true},
		{"fail/impossible-length-1", "GEZDGNBVG", nil, true},
		{"fail/impossible-length-3", "GEZ", nil, true},
		{"fail/impossible-length-6", "GEZDGNBVGEZDGN", nil, true},
		{"fail/hyphen", "GEZD-GNBV", nil, true},
		{"fail/non-ascii-long-s", "ſEZDGNBV", nil, true},
		{"fail/full-width", "ＧＥＺＤＧＮＢＶ", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeSeed(tt.in)
			if tt.wantErr {
				if !errors.Is(err, ErrInvalidSeed) {
					t.Fatalf("err = %v, want ErrInvalidSeed", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			if !bytes.Equal(got, tt.want) {
				t.Errorf("got %x, want %x", got, tt.want)
			}
		})
	}
}

func TestSeed_RoundTrip(t *testing.T) {
	for n := 1; n <= 64; n++ {
		seed := NewSeed()
		for len(seed) < n {
			seed = append(seed, NewSeed()...)
		}
		seed = seed[:n]
		enc := EncodeSeed(seed)
		if strings.ContainsAny(enc, "=abcdefghijklmnopqrstuvwxyz") {
			t.Fatalf("EncodeSeed: %d bytes gave padding or lower case", n)
		}
		got, err := DecodeSeed(enc)
		if err != nil || !bytes.Equal(got, seed) {
			t.Fatalf("round trip of %d bytes: err %v, equal %v", n, err, bytes.Equal(got, seed))
		}
		got, err = DecodeSeed(strings.ToLower(enc) + "\n")
		if err != nil || !bytes.Equal(got, seed) {
			t.Fatalf("lenient round trip of %d bytes: err %v", n, err)
		}
	}
}

func TestNewSeed(t *testing.T) {
	a, b := NewSeed(), NewSeed()
	if len(a) != SeedSize || SeedSize != 20 {
		t.Fatalf("len = %d, want 20", len(a))
	}
	if bytes.Equal(a, b) {
		t.Fatal("two seeds are equal")
	}
	if bytes.Equal(a, make([]byte, SeedSize)) {
		t.Fatal("seed is all zero")
	}
	if enc := EncodeSeed(a); len(enc) != 32 {
		t.Fatalf("base32 seed has %d characters, want 32", len(enc))
	}
}

func TestURI(t *testing.T) {
	tests := []struct {
		name            string
		device, account string
		want            string
	}{
		{
			"ok/user-device",
			"alice-phone", "alice",
			"otpauth://totp/OpenSTS:alice-phone@alice?secret=" + rfcSeedBase32 + "&issuer=OpenSTS",
		},
		{
			"ok/root-device-account-id",
			"root-account-mfa-device", "123456789012",
			"otpauth://totp/OpenSTS:root-account-mfa-device@123456789012?secret=" + rfcSeedBase32 + "&issuer=OpenSTS",
		},
		{
			"ok/iam-name-characters",
			"dev+1=a,b.c_d@e", "bob.smith@example.com",
			"otpauth://totp/OpenSTS:dev%2B1%3Da%2Cb.c_d@e@bob.smith@example.com?secret=" + rfcSeedBase32 + "&issuer=OpenSTS",
		},
		{
			"ok/separators-escaped",
			"a:b/c d?e", "x&y#z",
			"otpauth://totp/OpenSTS:a%3Ab%2Fc%20d%3Fe@x%26y%23z?secret=" + rfcSeedBase32 + "&issuer=OpenSTS",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := URI(tt.device, tt.account, rfcSeed)
			if got != tt.want {
				t.Fatalf("URI:\n got  %s\n want %s", got, tt.want)
			}
			u, err := url.Parse(got)
			if err != nil {
				t.Fatalf("url.Parse: %v", err)
			}
			q := u.Query()
			seed, err := DecodeSeed(q.Get("secret"))
			if err != nil {
				t.Fatalf("DecodeSeed(secret): %v", err)
			}
			gotParts := []string{u.Scheme, u.Host, u.Path, q.Get("issuer"), string(seed)}
			wantParts := []string{"otpauth", "totp", "/OpenSTS:" + tt.device + "@" + tt.account, Issuer, string(rfcSeed)}
			if diff := cmp.Diff(wantParts, gotParts); diff != "" {
				t.Errorf("parsed URI (-want +got):\n%s", diff)
			}
			if len(q) != 2 {
				t.Errorf("query has %d parameters, want secret and issuer only", len(q))
			}
		})
	}
}
