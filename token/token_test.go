package token

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var (
	t0          = time.Unix(1_800_000_000, 0).UTC()
	maxLifetime = 129600 * time.Second
)

// testSecret derives a fixed 32-byte secret from a label.
func testSecret(label string) []byte {
	s := sha256.Sum256([]byte("opensts token test key " + label))
	return s[:]
}

func testKey(id uint32, label string) Key {
	return Key{ID: id, Secret: testSecret(label), CreatedAt: t0.Add(-time.Hour)}
}

func mustRing(tb testing.TB, keys ...Key) *Ring {
	tb.Helper()
	r, err := NewRing(keys)
	if err != nil {
		tb.Fatalf("NewRing: %v", err)
	}
	return r
}

func mustSeal(tb testing.TB, r *Ring, c Claims) string {
	tb.Helper()
	tok, err := Seal(r, c)
	if err != nil {
		tb.Fatalf("Seal: %v", err)
	}
	return tok
}

func mustDecode(tb testing.TB, tok string) []byte {
	tb.Helper()
	b, err := base64.StdEncoding.DecodeString(tok)
	if err != nil {
		tb.Fatalf("decode token: %v", err)
	}
	return b
}

func sessionClaims() Claims {
	return Claims{
		AccessKeyID:       "ASIAQ3EGUWQW6EXAMPLE",
		SecretAccessKey:   "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
		Kind:              SessionToken,
		Holder:            User,
		AccountID:         "123456789012",
		HolderID:          "AIDAQ3EGUWQW6EXAMPLE1",
		SourceAccessKeyID: "AKIAQ3EGUWQW6EXAMPLE",
		IssuedAt:          t0,
		ExpiresAt:         t0.Add(12 * time.Hour),
	}
}

func federationClaims() Claims {
	c := sessionClaims()
	c.Kind = Federation
	c.SessionName = "Bob"
	c.MFAAuthenticatedAt = t0.Add(-time.Minute)
	c.Policy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/*"}]}`
	c.PolicyARNs = []string{"arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess", "arn:aws:iam::123456789012:policy/team/Reader"}
	c.Tags = []Tag{{Key: "Project", Value: "Unicorn"}, {Key: "Cost-Center", Value: "12345"}, {Key: "Empty"}, {Key: "ünïcödé", Value: "値"}}
	return c
}

// policyOfLen returns a valid-looking JSON policy of exactly n bytes.
func policyOfLen(n int) string {
	head := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::`
	tail := `"}]}`
	return head + strings.Repeat("b", n-len(head)-len(tail)) + tail
}

var cmpClaims = cmpopts.EquateEmpty()

// isOpenErr reports whether err is exactly one of Open's sentinels.
func isOpenErr(err error) bool {
	for _, s := range []error{ErrMalformed, ErrUnknownKey, ErrInvalid, ErrExpired} {
		if err == s {
			return true
		}
	}
	return false
}

func TestSealOpen_RoundTrip(t *testing.T) {
	root := sessionClaims()
	root.Holder, root.HolderID = Root, "123456789012"
	root.MFAAuthenticatedAt = t0
	root.ExpiresAt = t0.Add(time.Hour)

	longest := federationClaims()
	longest.ExpiresAt = t0.Add(maxLifetime)
	longest.Policy = policyOfLen(2048)

	r := mustRing(t, testKey(1, "a"))
	for name, c := range map[string]Claims{
		"ok/user session":           sessionClaims(),
		"ok/root session with mfa":  root,
		"ok/federation full":        federationClaims(),
		"ok/federation 2048 policy": longest,
		"ok/pre-1970 mfa time": func() Claims {
			c := sessionClaims()
			c.MFAAuthenticatedAt = time.Unix(-1, 0)
			return c
		}(),
	} {
		t.Run(name, func(t *testing.T) {
			tok := mustSeal(t, r, c)
			if len(tok) > MaxTokenLen || len(tok)%4 != 0 {
				t.Fatalf("token length %d", len(tok))
			}
			for _, ch := range tok {
				if !strings.ContainsRune("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=", ch) {
					t.Fatalf("token has %q outside AWS's alphabet", ch)
				}
			}
			got, err := Open(r, tok, t0)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if d := cmp.Diff(c, got, cmpClaims); d != "" {
				t.Errorf("claims differ (-sealed +opened):\n%s", d)
			}
			if got.IssuedAt.Location() != time.UTC {
				t.Errorf("IssuedAt location %v, want UTC", got.IssuedAt.Location())
			}
			if c.MFAAuthenticatedAt.IsZero() != got.MFAAuthenticatedAt.IsZero() {
				t.Errorf("MFA presence changed")
			}
			id, err := KeyID(tok)
			if err != nil || id != 1 {
				t.Errorf("KeyID = %d, %v; want 1", id, err)
			}
		})
	}
}

func TestSeal_DropsSubSecond(t *testing.T) {
	r := mustRing(t, testKey(1, "a"))
	c := sessionClaims()
	c.IssuedAt = t0.Add(999 * time.Millisecond)
	c.ExpiresAt = t0.Add(time.Hour + 500*time.Millisecond)
	got, err := Open(r, mustSeal(t, r, c), t0)
	if err != nil {
		t.Fatal(err)
	}
	if !got.IssuedAt.Equal(t0) || !got.ExpiresAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("times %v, %v; want whole seconds", got.IssuedAt, got.ExpiresAt)
	}
}

func TestSeal_NoncesDiffer(t *testing.T) {
	r := mustRing(t, testKey(1, "a"))
	a, b := mustSeal(t, r, sessionClaims()), mustSeal(t, r, sessionClaims())
	if a == b {
		t.Fatal("two seals of the same claims gave the same token")
	}
}

func TestOpen_TamperEveryByte(t *testing.T) {
	r := mustRing(t, testKey(1, "a"), retired(testKey(2, "b"), t0, t0.Add(maxLifetime)))
	for name, c := range map[string]Claims{"session": sessionClaims(), "federation": federationClaims()} {
		t.Run(name, func(t *testing.T) {
			raw := mustDecode(t, mustSeal(t, r, c))
			for i := range raw {
				for _, mask := range []byte{0x01, 0x02, 0x10, 0x80, 0xff} {
					b := bytes.Clone(raw)
					b[i] ^= mask
					got, err := Open(r, base64.StdEncoding.EncodeToString(b), t0)
					var want []error
					switch {
					case i == 0:
						want = []error{ErrMalformed}
					case i < adLen:
						want = []error{ErrUnknownKey, ErrInvalid} // ErrInvalid when the flip names key 2
					default:
						want = []error{ErrInvalid}
					}
					if !isOneOf(err, want) {
						t.Fatalf("byte %d ^ %#x: err = %v, want one of %v", i, mask, err, want)
					}
					if d := cmp.Diff(Claims{}, got, cmpClaims); d != "" {
						t.Fatalf("byte %d ^ %#x: claims returned with error", i, mask)
					}
				}
			}
		})
	}
}

func isOneOf(err error, want []error) bool {
	for _, w := range want {
		if errors.Is(err, w) {
			return true
		}
	}
	return false
}

func TestOpen_TamperEveryCharacter(t *testing.T) {
	r := mustRing(t, testKey(1, "a"))
	tok := mustSeal(t, r, federationClaims())
	for i := range len(tok) {
		for _, ch := range []byte{'A', 'z', '0', '+', '/', '=', '-', '_', '\n', ' '} {
			if tok[i] == ch {
				continue
			}
			bad := tok[:i] + string(ch) + tok[i+1:]
			if _, err := Open(r, bad, t0); !isOpenErr(err) || err == ErrExpired {
				t.Fatalf("char %d -> %q: err = %v", i, ch, err)
			}
		}
	}
}

func TestOpen_NonCanonicalSpellings(t *testing.T) {
	r := mustRing(t, testKey(1, "a"))
	tok := mustSeal(t, r, sessionClaims())
	raw := mustDecode(t, tok)
	// A token whose envelope length is not a multiple of 3 has padding, and
	// so spare bits that a lenient decoder ignores.
	for len(raw)%3 == 0 {
		c := sessionClaims()
		c.SessionName = "Bob" + strings.Repeat("x", len(c.SessionName)-2)
		c.Kind = Federation
		tok = mustSeal(t, r, c)
		raw = mustDecode(t, tok)
	}
	if _, err := Open(r, tok, t0); err != nil {
		t.Fatalf("canonical token: %v", err)
	}
	// In a canonical spelling the spare bits are zero, and the lowest bit of
	// the character before the padding is always spare.
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	pad := strings.IndexByte(tok, '=')
	spare := tok[:pad-1] + string(alphabet[strings.IndexByte(alphabet, tok[pad-1])|1]) + tok[pad:]
	for name, bad := range map[string]string{
		"fail/spare bits set":     spare,
		"fail/newlines":           tok[:8] + "\n" + tok[8:16] + "\n" + tok[16:len(tok)-2],
		"fail/crlf inside":        tok[:4] + "\r\n" + tok[4:len(tok)-2],
		"fail/whole crlf quads":   tok[:8] + "\r\n\r\n" + tok[8:],
		"fail/unpadded":           strings.TrimRight(tok, "="),
		"fail/url alphabet":       strings.NewReplacer("+", "-", "/", "_").Replace(tok),
		"fail/trailing padding":   tok + "====",
		"fail/leading whitespace": "    " + tok,
	} {
		t.Run(name, func(t *testing.T) {
			if bad == tok {
				t.Skip("spelling equals the token")
			}
			if _, err := Open(r, bad, t0); err == nil {
				t.Fatalf("opened a non-canonical spelling")
			}
		})
	}
}

func TestOpen_Truncation(t *testing.T) {
	r := mustRing(t, testKey(1, "a"))
	tok := mustSeal(t, r, federationClaims())
	for n := range len(tok) {
		if _, err := Open(r, tok[:n], t0); !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrInvalid) {
			t.Fatalf("token cut to %d characters: err = %v", n, err)
		}
	}
	raw := mustDecode(t, tok)
	for n := range len(raw) {
		_, err := Open(r, base64.StdEncoding.EncodeToString(raw[:n]), t0)
		want := ErrInvalid
		if n < minSealedLen {
			want = ErrMalformed
		}
		if !errors.Is(err, want) {
			t.Fatalf("envelope cut to %d bytes: err = %v, want %v", n, err, want)
		}
	}
	// Appending bytes is no better.
	for _, extra := range [][]byte{{0}, {0, 0, 0}, bytes.Repeat([]byte{0xAA}, 16)} {
		b := append(bytes.Clone(raw), extra...)
		if _, err := Open(r, base64.StdEncoding.EncodeToString(b), t0); !errors.Is(err, ErrInvalid) {
			t.Fatalf("envelope + %d bytes: err = %v", len(extra), err)
		}
	}
}

func TestOpen_Sizes(t *testing.T) {
	r := mustRing(t, testKey(1, "a"))
	for name, tok := range map[string]string{
		"fail/empty":          "",
		"fail/over cap":       strings.Repeat("A", MaxTokenLen+4),
		"fail/far over cap":   strings.Repeat("A", 1<<20),
		"fail/not base64":     strings.Repeat("!", 200),
		"fail/one quad":       "AQAA",
		"fail/zero version":   base64.StdEncoding.EncodeToString(make([]byte, 120)),
		"fail/next version":   base64.StdEncoding.EncodeToString(append([]byte{2, 0, 0, 0, 1}, make([]byte, 100)...)),
		"fail/cap of garbage": base64.StdEncoding.EncodeToString(append([]byte{1, 0, 0, 0, 1}, make([]byte, maxSealedLen-5)...)),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Open(r, tok, t0)
			if !isOpenErr(err) || err == ErrExpired {
				t.Fatalf("err = %v", err)
			}
			if strings.HasSuffix(name, "cap") && !errors.Is(err, ErrMalformed) {
				t.Fatalf("err = %v, want ErrMalformed", err)
			}
		})
	}
}

func TestOpen_ForeignKey(t *testing.T) {
	mine := mustRing(t, testKey(1, "a"))
	tok := mustSeal(t, mine, sessionClaims())
	for name, tc := range map[string]struct {
		ring *Ring
		want error
	}{
		"fail/same id other secret": {mustRing(t, testKey(1, "other")), ErrInvalid},
		"fail/id not in ring":       {mustRing(t, testKey(9, "a")), ErrUnknownKey},
		"fail/nil ring":             {nil, ErrUnknownKey},
		"ok/own ring":               {mine, nil},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := Open(tc.ring, tok, t0); !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

func retired(k Key, at, expires time.Time) Key {
	k.RetiredAt, k.ExpiresAt = at, expires
	return k
}

func TestOpen_AcrossRotation(t *testing.T) {
	keys := []Key{testKey(1, "a")}
	r0 := mustRing(t, keys...)
	c := sessionClaims() // issued t0, expires t0+12h
	tok := mustSeal(t, r0, c)

	rotatedAt := t0.Add(time.Hour)
	keys = Rotate(keys, rotatedAt, maxLifetime)
	r1 := mustRing(t, keys...)
	if r1.Active().ID != 2 {
		t.Fatalf("active key %d after rotation, want 2", r1.Active().ID)
	}
	newTok := mustSeal(t, r1, c)
	if id, _ := KeyID(newTok); id != 2 {
		t.Fatalf("new token sealed by key %d, want 2", id)
	}
	if _, err := Open(r1, tok, c.ExpiresAt.Add(-time.Second)); err != nil {
		t.Fatalf("old token after rotation: %v", err)
	}
	if _, err := Open(r0, newTok, t0); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("new token on the old ring: err = %v, want ErrUnknownKey", err)
	}

	// The retired key opens until its own ExpiresAt, whatever the token says:
	// a token (oddly) outliving its key shows the key check on its own.
	long := c
	long.ExpiresAt = rotatedAt.Add(10 * maxLifetime)
	longTok := mustSeal(t, r0, long)
	keyExpires := rotatedAt.Add(maxLifetime)
	if _, err := Open(r1, longTok, keyExpires.Add(-time.Second)); err != nil {
		t.Fatalf("second before key expiry: %v", err)
	}
	if _, err := Open(r1, longTok, keyExpires); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("at key expiry: err = %v, want ErrUnknownKey", err)
	}

	pruned := mustRing(t, Prune(keys, keyExpires)...)
	if pruned.Has(1) || !pruned.Has(2) {
		t.Fatalf("after Prune: Has(1)=%v Has(2)=%v", pruned.Has(1), pruned.Has(2))
	}
	if _, err := Open(pruned, longTok, rotatedAt); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("after Prune: err = %v, want ErrUnknownKey", err)
	}
	if _, err := Open(pruned, newTok, rotatedAt); err != nil {
		t.Fatalf("token of the active key after Prune: %v", err)
	}
}

func TestOpen_Expiry(t *testing.T) {
	r := mustRing(t, testKey(1, "a"))
	c := sessionClaims()
	tok := mustSeal(t, r, c)
	for name, tc := range map[string]struct {
		now  time.Time
		want error
	}{
		"ok/at issue":             {c.IssuedAt, nil},
		"ok/second before expiry": {c.ExpiresAt.Add(-time.Second), nil},
		"ok/just before expiry":   {c.ExpiresAt.Add(-time.Nanosecond), nil},
		"fail/exactly at expiry":  {c.ExpiresAt, ErrExpired},
		"fail/after expiry":       {c.ExpiresAt.Add(time.Hour), ErrExpired},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := Open(r, tok, tc.now)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if err != nil && got.SecretAccessKey != "" {
				t.Fatal("expired token returned its claims")
			}
		})
	}

	// Only an authentic token is reported expired.
	raw := mustDecode(t, tok)
	raw[len(raw)-1] ^= 1
	if _, err := Open(r, base64.StdEncoding.EncodeToString(raw), c.ExpiresAt.Add(time.Hour)); !errors.Is(err, ErrInvalid) {
		t.Fatalf("tampered expired token: err = %v, want ErrInvalid", err)
	}
}

func TestSeal_InvalidClaims(t *testing.T) {
	r := mustRing(t, testKey(1, "a"))
	for name, mutate := range map[string]func(*Claims){
		"zero kind":                   func(c *Claims) { c.Kind = 0 },
		"unknown kind":                func(c *Claims) { c.Kind = 9 },
		"zero holder":                 func(c *Claims) { c.Holder = 0 },
		"unknown holder":              func(c *Claims) { c.Holder = 9 },
		"session token held by role":  func(c *Claims) { c.Holder = Role },
		"role session held by user":   func(c *Claims) { c.Kind, c.SessionName = AssumedRole, "s" },
		"federation held by role":     func(c *Claims) { c.Kind, c.Holder, c.SessionName = Federation, Role, "Bob" },
		"federation without name":     func(c *Claims) { c.Kind = Federation },
		"role session without name":   func(c *Claims) { c.Kind, c.Holder = AssumedRole, Role },
		"session with a session name": func(c *Claims) { c.SessionName = "Bob" },
		"65 tags":                     func(c *Claims) { c.Tags = make([]Tag, 65) },
		"no access key id":            func(c *Claims) { c.AccessKeyID = "" },
		"no secret":                   func(c *Claims) { c.SecretAccessKey = "" },
		"no account":                  func(c *Claims) { c.AccountID = "" },
		"no holder id":                func(c *Claims) { c.HolderID = "" },
		"no issue time":               func(c *Claims) { c.IssuedAt = time.Time{} },
		"no expiry":                   func(c *Claims) { c.ExpiresAt = time.Time{} },
		"expiry at issue":             func(c *Claims) { c.ExpiresAt = c.IssuedAt },
		"expiry within issue second":  func(c *Claims) { c.ExpiresAt = c.IssuedAt.Add(500 * time.Millisecond) },
		"access key id 33 bytes":      func(c *Claims) { c.AccessKeyID = strings.Repeat("A", 33) },
		"secret 65 bytes":             func(c *Claims) { c.SecretAccessKey = strings.Repeat("s", 65) },
		"account 13 bytes":            func(c *Claims) { c.AccountID = "1234567890123" },
		"holder id 33 bytes":          func(c *Claims) { c.HolderID = strings.Repeat("U", 33) },
		"source identity 65 bytes":    func(c *Claims) { c.SourceIdentity = strings.Repeat("i", 65) },
		"source key id 33 bytes":      func(c *Claims) { c.SourceAccessKeyID = strings.Repeat("A", 33) },
		"web identity without provider": func(c *Claims) {
			c.Kind, c.Holder, c.SessionName, c.Subject = WebIdentity, Role, "s", "sub"
		},
		"SAML without subject": func(c *Claims) {
			c.Kind, c.Holder, c.SessionName, c.ProviderID = SAML, Role, "s", "SAMLP"
		},
		"role session with a provider": func(c *Claims) {
			c.Kind, c.Holder, c.SessionName, c.ProviderID, c.Subject = AssumedRole, Role, "s", "OIDP", "sub"
		},
		"session token with an audience": func(c *Claims) { c.Audience = "sts.amazonaws.com" },
		"subject 256 bytes": func(c *Claims) {
			c.Kind, c.Holder, c.SessionName, c.ProviderID, c.Subject = WebIdentity, Role, "s", "OIDP", strings.Repeat("u", 256)
		},
		"audience 256 bytes": func(c *Claims) {
			c.Kind, c.Holder, c.SessionName, c.ProviderID, c.Subject, c.Audience = WebIdentity, Role, "s", "OIDP", "u", strings.Repeat("a", 256)
		},
		"provider id 33 bytes": func(c *Claims) {
			c.Kind, c.Holder, c.SessionName, c.ProviderID, c.Subject = WebIdentity, Role, "s", strings.Repeat("P", 33), "u"
		},
		"session name 65 bytes (fed)": func(c *Claims) {
			c.Kind, c.SessionName = Federation, strings.Repeat("f", 65)
		},
	} {
		t.Run("fail/"+name, func(t *testing.T) {
			c := sessionClaims()
			mutate(&c)
			tok, err := Seal(r, c)
			if !errors.Is(err, ErrInvalidClaims) || tok != "" {
				t.Fatalf("Seal = %q, %v; want ErrInvalidClaims", tok, err)
			}
			if strings.Contains(err.Error(), c.SecretAccessKey) && c.SecretAccessKey != "" {
				t.Fatalf("error %q contains the secret", err)
			}
		})
	}
	if _, err := Seal(nil, sessionClaims()); !errors.Is(err, ErrInvalidRing) {
		t.Errorf("Seal(nil) err = %v, want ErrInvalidRing", err)
	}
	if _, err := Seal(&Ring{}, sessionClaims()); !errors.Is(err, ErrInvalidRing) {
		t.Errorf("Seal(empty ring) err = %v, want ErrInvalidRing", err)
	}
}

// maxOtherClaims has every field except the packed section at its bound,
// and times whose varints take the full ten bytes.
func maxOtherClaims() Claims {
	return Claims{
		AccessKeyID:        "ASIA" + strings.Repeat("K", maxKeyIDLen-4),
		SecretAccessKey:    strings.Repeat("s", maxSecretLen),
		Kind:               WebIdentity,
		ProviderID:         "OIDP" + strings.Repeat("P", maxProviderIDLen-4),
		Subject:            strings.Repeat("u", maxSubjectLen),
		Audience:           strings.Repeat("a", maxAudienceLen),
		SubjectType:        strings.Repeat("t", maxSubjectTypeLen),
		Holder:             Role,
		AccountID:          "123456789012",
		HolderID:           "AROA" + strings.Repeat("U", maxHolderIDLen-4),
		SessionName:        strings.Repeat("f", maxSessionNameLen),
		SourceAccessKeyID:  "AKIA" + strings.Repeat("S", maxKeyIDLen-4),
		SourceIdentity:     strings.Repeat("i", maxSourceIDLen),
		IssuedAt:           time.Unix(-1<<62-1, 0),
		ExpiresAt:          time.Unix(1<<62, 0),
		MFAAuthenticatedAt: time.Unix(1<<62+1, 0),
	}
}

// allTransitive is the most tags a session carries, all transitive (the
// widest transitive bit set).
func allTransitive() []Tag {
	tags := make([]Tag, maxTags)
	for i := range tags {
		tags[i] = Tag{Key: fmt.Sprint(i), Transitive: true}
	}
	return tags
}

// TestBudgetArithmetic proves PackedBudget's comment: the longest other
// claims (a version 3 web identity session) take exactly 965 bytes of
// plaintext, and with a packed section of
// PackedBudget bytes the token still fits MaxTokenLen.
func TestBudgetArithmetic(t *testing.T) {
	c := maxOtherClaims()
	c.Tags = allTransitive() // the widest transitive bit set; the tags themselves are in packed
	if err := c.check(); err != nil {
		t.Fatalf("worst-case claims rejected: %v", err)
	}
	packed := make([]byte, PackedBudget)
	for i := range packed {
		packed[i] = byte(i*7 + 3)
	}
	if got := len(appendClaims(nil, &c, packed, 0)) - PackedBudget; got != 965 {
		t.Fatalf("other claims take %d bytes, PackedBudget's comment says 965", got)
	}
	if maxPlaintext-965 < PackedBudget {
		t.Fatalf("budget %d exceeds the %d bytes left", PackedBudget, maxPlaintext-965)
	}
	role := c
	role.Kind, role.ProviderID, role.Subject, role.Audience, role.SubjectType = AssumedRole, "", "", "", ""
	if got := len(appendClaims(nil, &role, packed, 0)) - PackedBudget; got != 353 {
		t.Fatalf("a version 2 role session's other claims take %d bytes, PackedBudget's comment says 353", got)
	}
	r := mustRing(t, testKey(1, "a"))
	tok, err := r.seal(&c, packed)
	if err != nil {
		t.Fatalf("seal worst case: %v", err)
	}
	if len(tok) > MaxTokenLen {
		t.Fatalf("worst-case token is %d characters, cap %d", len(tok), MaxTokenLen)
	}
	t.Logf("worst-case token within budget: %d characters (%d to spare)", len(tok), MaxTokenLen-len(tok))

	// The same through the public API: a real packing at exactly 100 %.
	c.Tags = nil
	c.Policy = packToPercent(t, 100)
	packedReal, pct := Pack(c.Policy, nil, nil)
	if pct != 100 {
		t.Fatalf("percent %d (%d bytes), want 100", pct, len(packedReal))
	}
	tok = mustSeal(t, r, c)
	if len(tok) > MaxTokenLen {
		t.Fatalf("token at 100 %% is %d characters", len(tok))
	}
	got, err := Open(r, tok, time.Unix(0, 0))
	if err != nil {
		t.Fatalf("Open worst case: %v", err)
	}
	if d := cmp.Diff(c, got, cmpClaims); d != "" {
		t.Fatalf("worst case round trip (-sealed +opened):\n%s", d)
	}
}

// packToPercent finds an incompressible policy whose packing lands at
// exactly pct percent, using the largest such length.
func packToPercent(tb testing.TB, pct int) string {
	tb.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	src := make([]byte, 4*PackedBudget)
	for i := range src {
		src[i] = chars[rng.IntN(len(chars))]
	}
	lo, hi := 1, len(src) // find the largest n with percent(n) <= pct
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if _, p := Pack(string(src[:mid]), nil, nil); p <= pct {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	if _, p := Pack(string(src[:lo]), nil, nil); p != pct {
		tb.Fatalf("no policy packs to %d %%", pct)
	}
	return string(src[:lo])
}

// TestSeal_MaxSizeClaims: the biggest session policy inputs either seal
// under the cap or are refused by Pack's percent, and Seal agrees with Pack.
func TestSeal_MaxSizeClaims(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	randText := func(n int) string {
		const chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.:/=+-@ "
		b := make([]byte, n)
		for i := range b {
			b[i] = chars[rng.IntN(len(chars))]
		}
		return string(b)
	}
	randLatin1 := func(n int) string {
		r := make([]rune, n)
		for i := range r {
			r[i] = rune(0x20 + rng.IntN(0xE0))
		}
		return string(r)
	}
	realisticTags := make([]Tag, 50)
	randomTags := make([]Tag, 50)
	for i := range realisticTags {
		realisticTags[i] = Tag{Key: fmt.Sprintf("team:project-%02d", i), Value: "value"}
		randomTags[i] = Tag{Key: randText(128), Value: randText(256)}
	}
	realisticARNs := make([]string, 10)
	randomARNs := make([]string, 10)
	for i := range realisticARNs {
		realisticARNs[i] = fmt.Sprintf("arn:aws:iam::123456789012:policy/engineering/ReadOnly%02d", i)
		randomARNs[i] = "arn:aws:iam::123456789012:policy/" + randText(2048-34)
	}
	r := mustRing(t, testKey(1, "a"))
	for name, tc := range map[string]struct {
		policy  string
		arns    []string
		tags    []Tag
		wantFit bool
	}{
		"ok/2048 policy":                        {policyOfLen(2048), nil, nil, true},
		"ok/2048 policy 10 ARNs 50 tags":        {policyOfLen(2048), realisticARNs, realisticTags, true},
		"ok/2048 random ASCII policy":           {randText(2048), nil, nil, true},
		"fail/2048 random Latin-1 policy":       {randLatin1(2048), nil, nil, false},
		"fail/50 random max tags":               {"", nil, randomTags, false},
		"fail/10 random max ARNs":               {"", randomARNs, nil, false},
		"fail/everything random at its maximum": {randText(2048), randomARNs, randomTags, false},
	} {
		t.Run(name, func(t *testing.T) {
			c := maxOtherClaims()
			c.Policy, c.PolicyARNs, c.Tags = tc.policy, tc.arns, tc.tags
			_, pct := Pack(tc.policy, tc.arns, tc.tags)
			tok, err := Seal(r, c)
			t.Logf("percent %d, token %d characters", pct, len(tok))
			if fits := pct <= 100; fits != tc.wantFit {
				t.Fatalf("percent %d, want fit=%v", pct, tc.wantFit)
			}
			if (err == nil) != (pct <= 100) {
				t.Fatalf("Seal err = %v with percent %d", err, pct)
			}
			if err != nil {
				if !errors.Is(err, ErrTooLarge) {
					t.Fatalf("err = %v, want ErrTooLarge", err)
				}
				return
			}
			if len(tok) > MaxTokenLen {
				t.Fatalf("token %d characters", len(tok))
			}
		})
	}
}

// TestSeal_AgreesWithPack: over random inputs of every size, Seal succeeds
// exactly when Pack's percent is at most 100, and its tokens fit the cap.
func TestSeal_AgreesWithPack(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	r := mustRing(t, testKey(1, "a"))
	// Each item is either policy-like words or random text of a random
	// alphabet size, so packings range from tiny to far over budget.
	word := func() string {
		if rng.IntN(4) == 0 {
			const chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.:/=+-@"
			alphabet := chars[:2+rng.IntN(len(chars)-2)]
			b := make([]byte, 1+rng.IntN(128))
			for i := range b {
				b[i] = alphabet[rng.IntN(len(alphabet))]
			}
			return string(b)
		}
		words := []string{"s3:", "GetObject", "Allow", "\"", "arn:aws:s3:::", "bucket", "/", "*", "{", "}", ",", "x7", "Q", "Statement"}
		var b strings.Builder
		for range 1 + rng.IntN(8) {
			b.WriteString(words[rng.IntN(len(words))])
		}
		if rng.IntN(3) == 0 {
			b.WriteString(fmt.Sprint(rng.Uint64()))
		}
		return b.String()
	}
	var fit, refused int
	for range 100 {
		c := maxOtherClaims()
		var p strings.Builder
		for n := rng.IntN(400); p.Len() < 2048 && n > 0; n-- {
			p.WriteString(word())
		}
		c.Policy = p.String()
		if len(c.Policy) > 2048 {
			c.Policy = c.Policy[:2048]
		}
		for range rng.IntN(11) {
			c.PolicyARNs = append(c.PolicyARNs, "arn:aws:iam::123456789012:policy/"+word())
		}
		for range rng.IntN(51) {
			c.Tags = append(c.Tags, Tag{Key: word(), Value: word()})
		}
		_, pct := Pack(c.Policy, c.PolicyARNs, c.Tags)
		tok, err := Seal(r, c)
		switch {
		case pct <= 100 && err != nil:
			t.Fatalf("percent %d but Seal: %v", pct, err)
		case pct > 100 && !errors.Is(err, ErrTooLarge):
			t.Fatalf("percent %d but Seal err = %v", pct, err)
		case err == nil && len(tok) > MaxTokenLen:
			t.Fatalf("token %d characters", len(tok))
		case err == nil:
			fit++
		default:
			refused++
		}
	}
	if fit == 0 || refused == 0 {
		t.Fatalf("inputs did not cover both sides: %d fit, %d refused", fit, refused)
	}
}

func TestRing_Concurrent(t *testing.T) {
	r := mustRing(t, testKey(2, "b"), retired(testKey(1, "a"), t0, t0.Add(maxLifetime)))
	old := mustSeal(t, mustRing(t, testKey(1, "a")), federationClaims())
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				c := sessionClaims()
				if (g+i)%4 == 0 {
					c = federationClaims()
				}
				c.HolderID = fmt.Sprintf("AIDA-%d-%d", g, i)
				tok, err := Seal(r, c)
				if err != nil {
					errs <- err
					return
				}
				got, err := Open(r, tok, t0)
				if err != nil {
					errs <- err
					return
				}
				if got.HolderID != c.HolderID || got.Policy != c.Policy {
					errs <- fmt.Errorf("goroutine %d: opened someone else's claims", g)
					return
				}
				if _, err := Open(r, old, t0); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestBuffersAreCleared: the pooled buffers that held a plaintext or a
// token go back to the pool zeroed.
func TestBuffersAreCleared(t *testing.T) {
	r := mustRing(t, testKey(1, "a"))
	c := federationClaims()
	for range 20 {
		tok := mustSeal(t, r, c)
		if _, err := Open(r, tok, t0); err != nil {
			t.Fatal(err)
		}
		buf := bufs.Get().(*[bufLen]byte)
		if !bytes.Equal(buf[:], make([]byte, bufLen)) {
			t.Fatal("a pooled buffer was returned with data in it")
		}
		bufs.Put(buf)
	}
}

func TestKeyID(t *testing.T) {
	r := mustRing(t, testKey(0xDEADBEEF, "a"))
	tok := mustSeal(t, r, sessionClaims())
	if id, err := KeyID(tok); err != nil || id != 0xDEADBEEF {
		t.Fatalf("KeyID = %#x, %v", id, err)
	}
	for _, bad := range []string{"", "AQAAAAE=", strings.Repeat("!", 100), "Ag" + tok[2:], strings.Repeat("A", MaxTokenLen+4)} {
		if _, err := KeyID(bad); !errors.Is(err, ErrMalformed) {
			t.Errorf("KeyID(%.10q…) err = %v, want ErrMalformed", bad, err)
		}
	}
}

// TestNoSecretsInText: printing keys and claims, and the errors Seal and
// NewRing return, never shows key material, secrets or token bytes.
func TestNoSecretsInText(t *testing.T) {
	k := testKey(1, "a")
	c := federationClaims()
	r := mustRing(t, k)
	tok := mustSeal(t, r, c)
	secrets := []string{
		string(k.Secret), fmt.Sprintf("%x", k.Secret), fmt.Sprint(k.Secret), base64.StdEncoding.EncodeToString(k.Secret),
		c.SecretAccessKey, tok[:40],
	}
	big := c
	big.Policy = strings.Repeat("x", 100000) + c.SecretAccessKey
	_, bigErr := Seal(r, big)
	bad := c
	bad.SecretAccessKey = strings.Repeat("S", 65)
	_, badErr := Seal(r, bad)
	short := k
	short.Secret = k.Secret[:31]
	_, ringErr := NewRing([]Key{short})
	var texts []string
	for _, v := range []any{k, &k, c, &c, []Key{k}, r.Active()} {
		texts = append(texts, fmt.Sprintf("%v", v), fmt.Sprintf("%+v", v), fmt.Sprintf("%#v", v), fmt.Sprintf("%s", v))
	}
	for _, err := range []error{bigErr, badErr, ringErr, ErrMalformed, ErrInvalid, ErrUnknownKey, ErrExpired, ErrTooLarge} {
		if err == nil {
			t.Fatal("expected an error")
		}
		texts = append(texts, err.Error())
	}
	for _, text := range texts {
		for _, s := range append(secrets, bad.SecretAccessKey) {
			if strings.Contains(text, s) {
				t.Fatalf("%q shows a secret", text)
			}
		}
	}
}

func BenchmarkSeal(b *testing.B) {
	r := mustRing(b, testKey(1, "a"))
	for name, c := range map[string]Claims{"session": sessionClaims(), "federation": federationClaims()} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Seal(r, c); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkOpen(b *testing.B) {
	r := mustRing(b, testKey(3, "c"), retired(testKey(2, "b"), t0, t0.Add(maxLifetime)), retired(testKey(1, "a"), t0, t0.Add(maxLifetime)))
	for name, c := range map[string]Claims{"session": sessionClaims(), "federation": federationClaims()} {
		tok := mustSeal(b, r, c)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Open(r, tok, t0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("garbage", func(b *testing.B) {
		tok := base64.StdEncoding.EncodeToString(append([]byte{1, 0, 0, 0, 3}, make([]byte, 300)...))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Open(r, tok, t0); !errors.Is(err, ErrInvalid) {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkPack(b *testing.B) {
	c := federationClaims()
	b.Run("federation", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			Pack(c.Policy, c.PolicyARNs, c.Tags)
		}
	})
	b.Run("2048 policy", func(b *testing.B) {
		p := policyOfLen(2048)
		b.ReportAllocs()
		for b.Loop() {
			Pack(p, nil, nil)
		}
	})
}

// TestTypicalSizes pins the sizes of everyday tokens, far below the cap.
func TestTypicalSizes(t *testing.T) {
	r := mustRing(t, testKey(1, "a"))
	user := sessionClaims()
	root := sessionClaims()
	root.Holder, root.HolderID = Root, "123456789012"
	fed := sessionClaims()
	fed.Kind, fed.SessionName = Federation, "Bob"
	fed.Policy = `{"Version":"2012-10-17","Statement":[` +
		`{"Sid":"ReadReports","Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],` +
		`"Resource":["arn:aws:s3:::example-reports","arn:aws:s3:::example-reports/2026/*"]},` +
		`{"Sid":"WriteUploads","Effect":"Allow","Action":["s3:PutObject","s3:AbortMultipartUpload"],` +
		`"Resource":"arn:aws:s3:::example-uploads/${aws:userid}/*",` +
		`"Condition":{"Bool":{"aws:SecureTransport":"true"},"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}},` +
		`{"Sid":"NoDeletes","Effect":"Deny","Action":"s3:DeleteObject","Resource":"*"}]}`
	for name, tc := range map[string]struct {
		c   Claims
		max int
	}{
		"GetSessionToken user":                           {user, 320},
		"GetSessionToken root":                           {root, 320},
		"GetFederationToken with a 500-character policy": {fed, 900},
	} {
		tok := mustSeal(t, r, tc.c)
		_, pct := Pack(tc.c.Policy, tc.c.PolicyARNs, tc.c.Tags)
		t.Logf("%s: policy %d characters, packed %d%%, token %d characters", name, len(tc.c.Policy), pct, len(tok))
		if len(tok) > tc.max || len(tok) < 100 {
			t.Errorf("%s: token %d characters, want 100..%d", name, len(tok), tc.max)
		}
	}
}

// MinTokenLen pads a token to at least that many characters (STS's
// MinimumSessionTokenSize), up to the cap, and the padded token opens to the
// same claims.
func TestSeal_MinTokenLen(t *testing.T) {
	now := time.Unix(1_800_000_000, 0).UTC()
	r, err := NewRing([]Key{NewKey(1, now)})
	if err != nil {
		t.Fatal(err)
	}
	base := Claims{
		AccessKeyID: "ASIAAAAAAAAAAAAAAAAA", SecretAccessKey: "0123456789012345678901234567890123456789",
		Kind: SessionToken, Holder: User, AccountID: "123456789012", HolderID: "AIDAAAAAAAAAAAAAAAAAA",
		SourceAccessKeyID: "AKIAAAAAAAAAAAAAAAAA",
		IssuedAt:          now, ExpiresAt: now.Add(time.Hour),
	}
	plain, err := Seal(r, base)
	if err != nil {
		t.Fatal(err)
	}
	for _, min := range []int{0, 10, len(plain), len(plain) + 1, len(plain) + 2, len(plain) + 3, 1000, 2049, 4095, MaxTokenLen} {
		c := base
		c.MinTokenLen = min
		tok, err := Seal(r, c)
		if err != nil {
			t.Fatalf("min %d: %v", min, err)
		}
		if len(tok) < min || len(tok) > MaxTokenLen || (min <= len(plain) && len(tok) != len(plain)) || len(tok) > max(min, len(plain))+4 {
			t.Fatalf("min %d: token of %d characters", min, len(tok))
		}
		got, err := Open(r, tok, now)
		if err != nil {
			t.Fatalf("min %d: open: %v", min, err)
		}
		if got.AccessKeyID != base.AccessKeyID || got.MinTokenLen != 0 || got.HolderID != base.HolderID {
			t.Fatalf("min %d: claims %v", min, got)
		}
	}
}

// SealPacking reports Pack's percent for the claims it seals, and the
// percent with ErrTooLarge when the packing is over budget.
func TestSealPacking_ReportsPack(t *testing.T) {
	now := time.Unix(1_800_000_000, 0).UTC()
	r, err := NewRing([]Key{NewKey(1, now)})
	if err != nil {
		t.Fatal(err)
	}
	c := Claims{
		AccessKeyID: "ASIAAAAAAAAAAAAAAAAA", SecretAccessKey: "0123456789012345678901234567890123456789",
		Kind: Federation, Holder: User, AccountID: "123456789012", HolderID: "AIDAAAAAAAAAAAAAAAAAA",
		SessionName: "Bob", SourceAccessKeyID: "AKIAAAAAAAAAAAAAAAAA",
		IssuedAt: now, ExpiresAt: now.Add(time.Hour),
		Policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`,
		Tags:   []Tag{{Key: "team", Value: "core"}},
	}
	_, want := Pack(c.Policy, c.PolicyARNs, c.Tags)
	if _, got, err := SealPacking(r, c); err != nil || got != want || got == 0 {
		t.Fatalf("SealPacking percent %d, Pack %d, err %v", got, want, err)
	}
	c.Policy, c.Tags = "", nil
	if _, got, err := SealPacking(r, c); err != nil || got != 0 {
		t.Fatalf("no session policy: percent %d, err %v", got, err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	random := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"[rng.IntN(62)]
		}
		return string(b)
	}
	for range 50 {
		c.Tags = append(c.Tags, Tag{Key: random(128), Value: random(256)})
	}
	_, want = Pack(c.Policy, c.PolicyARNs, c.Tags)
	if _, got, err := SealPacking(r, c); want <= 100 || got != want || !errors.Is(err, ErrTooLarge) {
		t.Fatalf("over budget: percent %d (Pack %d), err %v", got, want, err)
	}
}
