package token

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/cryptotest"
	"time"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the FuzzOpen seed corpus in testdata/fuzz/FuzzOpen")

const corpusDir = "testdata/fuzz/FuzzOpen"

// fuzzNow is the clock FuzzOpen opens at; the corpus tokens are valid then.
var fuzzNow = time.Unix(1_800_000_000, 0).UTC()

// fuzzRing is fixed, so the tokens in the seed corpus keep opening: key 7
// is active, key 6 is retired but not yet expired at fuzzNow.
func fuzzRing(tb testing.TB) *Ring {
	return mustRing(tb,
		retired(testKey(6, "fuzz six"), fuzzNow.Add(-time.Hour), fuzzNow.Add(100*365*24*time.Hour)),
		testKey(7, "fuzz seven"))
}

// corpusClaims are the claims of the valid tokens in the seed corpus.
func corpusClaims() map[string]Claims {
	root := sessionClaims()
	root.Holder, root.HolderID = Root, "123456789012"
	root.MFAAuthenticatedAt = t0.Add(-time.Second)
	root.ExpiresAt = t0.Add(time.Hour)
	big := federationClaims()
	big.Policy = policyOfLen(2048)
	for i := range 50 {
		big.Tags = append(big.Tags, Tag{Key: fmt.Sprintf("k%02d", i), Value: strings.Repeat("v", i)})
	}
	big.Tags = big.Tags[:50]
	return map[string]Claims{
		"valid-user-session": sessionClaims(),
		"valid-root-mfa":     root,
		"valid-federation":   federationClaims(),
		"valid-web-identity": func() Claims {
			c := sessionClaims()
			c.Kind, c.Holder, c.HolderID, c.SessionName, c.SourceAccessKeyID = WebIdentity, Role, "AROAQ3EGUWQW6EXAMPLE1", "gha-42", ""
			c.ProviderID, c.Subject, c.Audience = "OIDPQ3EGUWQW6EXAMPLE", "repo:octo-org/octo-repo:ref:refs/heads/main", "sts.amazonaws.com"
			return c
		}(),
		"valid-federation-max": func() Claims {
			c := big
			c.ExpiresAt = t0.Add(129600 * time.Second)
			return c
		}(),
	}
}

// corpusGarbage are invalid seeds, each reaching a different check.
func corpusGarbage(valid string) map[string]string {
	raw, _ := base64.StdEncoding.DecodeString(valid)
	flip := func(i int) string {
		b := bytes.Clone(raw)
		b[i] ^= 0x40
		return base64.StdEncoding.EncodeToString(b)
	}
	return map[string]string{
		"empty":             "",
		"not-base64":        strings.Repeat("*", 96),
		"short":             valid[:40],
		"truncated":         valid[:len(valid)-8],
		"unknown-version":   flip(0),
		"unknown-key":       flip(4),
		"flipped-nonce":     flip(10),
		"flipped-body":      flip(len(raw) / 2),
		"flipped-tag":       flip(len(raw) - 1),
		"newline":           valid[:20] + "\n" + valid[20:len(valid)-1],
		"zero-envelope":     base64.StdEncoding.EncodeToString(make([]byte, 64)),
		"over-cap":          strings.Repeat("AAAA", MaxTokenLen/4+1),
		"version-key7-zero": base64.StdEncoding.EncodeToString(append([]byte{1, 0, 0, 0, 7}, make([]byte, 60)...)),
	}
}

// TestFuzzOpenCorpus keeps old tokens opening: every valid token in the
// seed corpus, sealed by an earlier build, must still open to its claims.
// With -update it reseals them (deterministically) and rewrites the corpus.
func TestFuzzOpenCorpus(t *testing.T) {
	ring := fuzzRing(t)
	if *update {
		cryptotest.SetGlobalRandom(t, 1)
		if err := os.MkdirAll(corpusDir, 0o755); err != nil {
			t.Fatal(err)
		}
		var anyValid string
		for _, name := range slices.Sorted(maps.Keys(corpusClaims())) {
			tok := mustSeal(t, ring, corpusClaims()[name])
			writeSeed(t, name, tok)
			anyValid = tok
		}
		// A token of the retired key 6 (sealed while it was active).
		old := mustRing(t, testKey(6, "fuzz six"))
		writeSeed(t, "valid-retired-key", mustSeal(t, old, corpusClaims()["valid-user-session"]))
		for name, tok := range corpusGarbage(anyValid) {
			writeSeed(t, "invalid-"+name, tok)
		}
	}
	want := corpusClaims()
	want["valid-retired-key"] = want["valid-user-session"]
	seeds := readCorpus(t)
	for name, c := range want {
		tok, ok := seeds[name]
		if !ok {
			t.Errorf("seed %s missing from %s (run go test -run TestFuzzOpenCorpus -update)", name, corpusDir)
			continue
		}
		got, err := Open(ring, tok, fuzzNow)
		if err != nil {
			t.Errorf("seed %s: %v", name, err)
			continue
		}
		if d := cmp.Diff(c, got, cmpClaims); d != "" {
			t.Errorf("seed %s (-want +got):\n%s", name, d)
		}
	}
	for name, tok := range seeds {
		if strings.HasPrefix(name, "invalid-") {
			if _, err := Open(ring, tok, fuzzNow); err == nil {
				t.Errorf("seed %s opens", name)
			}
		}
	}
}

func writeSeed(t *testing.T, name, tok string) {
	t.Helper()
	body := "go test fuzz v1\nstring(" + strconv.Quote(tok) + ")\n"
	if err := os.WriteFile(filepath.Join(corpusDir, name), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// readCorpus parses the seed files (the "go test fuzz v1" format with one
// string argument).
func readCorpus(tb testing.TB) map[string]string {
	tb.Helper()
	entries, err := os.ReadDir(corpusDir)
	if err != nil {
		tb.Fatalf("read seed corpus: %v", err)
	}
	seeds := make(map[string]string)
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(corpusDir, e.Name()))
		if err != nil {
			tb.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		if len(lines) != 2 || lines[0] != "go test fuzz v1" ||
			!strings.HasPrefix(lines[1], "string(") || !strings.HasSuffix(lines[1], ")") {
			tb.Fatalf("seed %s: unexpected format", e.Name())
		}
		s, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(lines[1], "string("), ")"))
		if err != nil {
			tb.Fatalf("seed %s: %v", e.Name(), err)
		}
		seeds[e.Name()] = s
	}
	return seeds
}

// FuzzOpen: Open never panics, fails only with its sentinels and zero
// claims, and succeeds only on a token Seal produced with the ring — the
// valid seeds — whose claims then survive another Seal and Open unchanged.
func FuzzOpen(f *testing.F) {
	ring := fuzzRing(f)
	// The valid seeds are the corpus files sealed by TestFuzzOpenCorpus.
	// Tokens sealed here would not do: fuzz workers are separate processes,
	// and each would seal with its own random nonces.
	sealed := make(map[string]bool)
	for name, tok := range readCorpus(f) {
		if strings.HasPrefix(name, "valid-") {
			sealed[tok] = true
		}
	}
	if len(sealed) == 0 {
		f.Fatalf("no valid seeds in %s", corpusDir)
	}
	f.Fuzz(func(t *testing.T, tok string) {
		c, err := Open(ring, tok, fuzzNow)
		if err != nil {
			if !isOpenErr(err) {
				t.Fatalf("Open error %v is not one of its sentinels", err)
			}
			if d := cmp.Diff(Claims{}, c, cmpClaims); d != "" {
				t.Fatalf("claims returned with %v", err)
			}
			if id, kerr := KeyID(tok); kerr == nil && err == ErrUnknownKey && ring.Has(id) {
				t.Fatalf("ErrUnknownKey for key %d the ring holds", id)
			}
			return
		}
		if !sealed[tok] {
			t.Fatalf("Open accepted a token Seal did not produce: %q", tok)
		}
		again, err := Open(ring, mustSeal(t, ring, c), fuzzNow)
		if err != nil {
			t.Fatalf("resealed claims do not open: %v", err)
		}
		if d := cmp.Diff(c, again, cmpClaims); d != "" {
			t.Fatalf("reseal changed the claims (-first +second):\n%s", d)
		}
	})
}

// FuzzPack: Pack never panics, its percent follows its size, and unpack
// returns exactly what was packed. unpack on arbitrary bytes never panics,
// and what it accepts packs and unpacks to itself.
func FuzzPack(f *testing.F) {
	c := federationClaims()
	f.Add(c.Policy, strings.Join(c.PolicyARNs, "\x00"), "Project\x00Unicorn\x00Empty\x00", []byte(nil))
	f.Add("", "", "", []byte{})
	f.Add("", "arn:aws:iam::aws:policy/ReadOnlyAccess", "", []byte{0x01, 0x02})
	f.Add(policyOfLen(2048), "", "k\x00v", func() []byte { p, _ := Pack("p", nil, []Tag{{Key: "k", Value: "v"}}); return p }())
	f.Add("x", "", "", deflateBytes(bytes.Repeat([]byte{0}, 1<<20))) // a bomb: 1 MiB of zeros
	f.Fuzz(func(t *testing.T, policy, arnList, tagList string, garbage []byte) {
		var arns []string
		if arnList != "" {
			arns = strings.Split(arnList, "\x00")
		}
		var tags []Tag
		if tagList != "" {
			parts := strings.Split(tagList, "\x00")
			for i := 0; i < len(parts); i += 2 {
				tag := Tag{Key: parts[i]}
				if i+1 < len(parts) {
					tag.Value = parts[i+1]
				}
				tags = append(tags, tag)
			}
		}
		packed, pct := Pack(policy, arns, tags)
		switch {
		case !hasPacked(policy, arns, tags):
			if packed != nil || pct != 0 {
				t.Fatalf("empty input packed to %d bytes, %d%%", len(packed), pct)
			}
		case encodedLen(policy, arns, tags) > maxUnpacked:
			if packed != nil || pct <= 100 {
				t.Fatalf("oversized input packed to %d bytes, %d%%", len(packed), pct)
			}
		default:
			if want := ceilPercent(len(packed), PackedBudget); pct != want {
				t.Fatalf("percent %d for %d bytes, want %d", pct, len(packed), want)
			}
			p, a, tg, ok := unpack(packed)
			if !ok {
				t.Fatal("unpack(Pack(x)) failed")
			}
			if d := cmp.Diff([]any{policy, arns, tags}, []any{p, a, tg}, cmpClaims); d != "" {
				t.Fatalf("unpack(Pack(x)) != x (-want +got):\n%s", d)
			}
		}

		p, a, tg, ok := unpack(garbage)
		if !ok {
			return
		}
		if !hasPacked(p, a, tg) {
			return // an empty encoding; Seal never stores one
		}
		repacked, _ := Pack(p, a, tg)
		p2, a2, tg2, ok := unpack(repacked)
		if !ok {
			t.Fatal("repack of accepted bytes does not unpack")
		}
		if d := cmp.Diff([]any{p, a, tg}, []any{p2, a2, tg2}, cmpClaims); d != "" {
			t.Fatalf("repack changed the value (-first +second):\n%s", d)
		}
	})
}

func deflateBytes(b []byte) []byte {
	var out bytes.Buffer
	w, _ := flate.NewWriter(&out, flate.BestCompression)
	w.Write(b)
	w.Close()
	return out.Bytes()
}

func TestUnpack_Rejects(t *testing.T) {
	good, _ := Pack("policy", []string{"arn"}, []Tag{{Key: "k", Value: "v"}})
	encoded := func(policy string, arns []string, tags []Tag) []byte {
		return appendEncoded(nil, policy, arns, tags)
	}
	for name, packed := range map[string][]byte{
		"fail/bomb 1 MiB of zeros":   deflateBytes(bytes.Repeat([]byte{0}, 1<<20)),
		"fail/inflates to 64 KiB+1":  deflateBytes(encoded(strings.Repeat("p", maxUnpacked-4), nil, nil)),
		"fail/bytes after the end":   append(bytes.Clone(good), 0),
		"fail/cut short":             good[:len(good)-1],
		"fail/not deflate":           {0xff, 0xff, 0xff},
		"fail/empty":                 {},
		"fail/trailing encoded byte": deflateBytes(append(encoded("p", nil, nil), 0)),
		"fail/ARN count too large":   deflateBytes([]byte{0, 0x80, 0x80, 0x04, 0}),
		"fail/tag count too large":   deflateBytes([]byte{0, 0, 5, 1, 'k', 0}),
		"fail/string beyond the end": deflateBytes([]byte{9, 'a'}),
		"fail/varint overflow":       deflateBytes(bytes.Repeat([]byte{0xff}, 11)),
	} {
		t.Run(name, func(t *testing.T) {
			if _, _, _, ok := unpack(packed); ok {
				t.Fatal("unpack accepted it")
			}
		})
	}
	// The largest section Pack accepts still unpacks.
	big := strings.Repeat("p", maxUnpacked-5) // encodes to exactly 64 KiB
	packed, pct := Pack(big, nil, nil)
	if pct > 100 {
		t.Fatalf("%d%% for a highly compressible 64 KiB policy", pct)
	}
	if p, _, _, ok := unpack(packed); !ok || p != big {
		t.Fatal("64 KiB section does not unpack")
	}
	if _, pct := Pack(big+"p", nil, nil); pct <= 100 {
		t.Fatalf("encoding over 64 KiB: percent %d, want over 100", pct)
	}
}

func TestPack(t *testing.T) {
	if p, pct := Pack("", nil, nil); p != nil || pct != 0 {
		t.Fatalf("Pack(empty) = %d bytes, %d%%", len(p), pct)
	}
	if p, pct := Pack("", []string{}, []Tag{}); p != nil || pct != 0 {
		t.Fatalf("Pack(empty lists) = %d bytes, %d%%", len(p), pct)
	}
	c := federationClaims()
	p1, pct := Pack(c.Policy, c.PolicyARNs, c.Tags)
	if want := (100*len(p1) + PackedBudget - 1) / PackedBudget; pct != want || pct < 1 {
		t.Fatalf("percent %d for %d bytes, want %d", pct, len(p1), want)
	}
	p2, _ := Pack(c.Policy, c.PolicyARNs, c.Tags)
	if !bytes.Equal(p1, p2) {
		t.Fatal("Pack is not deterministic")
	}
	p1[0] ^= 0xff
	if p3, _ := Pack(c.Policy, c.PolicyARNs, c.Tags); !bytes.Equal(p2, p3) {
		t.Fatal("Pack returned memory it reuses")
	}
	// Packing compresses: a 2,048-character policy takes a fraction of the
	// budget (AWS reports 36 % for ~520 characters and an ARN).
	if _, pct := Pack(policyOfLen(2048), nil, nil); pct > 10 {
		t.Fatalf("2048-character policy packs to %d%%", pct)
	}
	for n, want := range map[int]int{1: 1, 2048: 100, 2049: 101, 20: 1, 21: 2} {
		if got := ceilPercent(n, PackedBudget); got != want {
			t.Errorf("ceilPercent(%d) = %d, want %d", n, got, want)
		}
	}
}

// FuzzDecodeClaims reaches what FuzzOpen cannot: the claims decoder runs only
// on authenticated plaintext, which a fuzzer cannot forge. It must never
// panic, and what it accepts must encode and decode to itself.
func FuzzDecodeClaims(f *testing.F) {
	for _, c := range corpusClaims() {
		var packed []byte
		if hasPacked(c.Policy, c.PolicyARNs, c.Tags) {
			packed, _ = Pack(c.Policy, c.PolicyARNs, c.Tags)
		}
		f.Add(appendClaims(nil, &c, packed, 0))
	}
	f.Add([]byte{claimsV1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, pt []byte) {
		c, ok := decodeClaims(pt)
		if !ok {
			if d := cmp.Diff(Claims{}, c, cmpClaims); d != "" {
				t.Fatal("claims returned with failure")
			}
			return
		}
		var packed []byte
		if hasPacked(c.Policy, c.PolicyARNs, c.Tags) {
			var pct int
			packed, pct = Pack(c.Policy, c.PolicyARNs, c.Tags)
			if packed == nil {
				t.Fatalf("decoded packed section does not pack again (%d%%)", pct)
			}
		}
		again, ok := decodeClaims(appendClaims(nil, &c, packed, 0))
		if !ok {
			t.Fatal("re-encoded claims do not decode")
		}
		if d := cmp.Diff(c, again, cmpClaims); d != "" {
			t.Fatalf("re-encoding changed the claims (-first +second):\n%s", d)
		}
	})
}
