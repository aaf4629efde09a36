package token

import (
	"bytes"
	"compress/flate"
	"io"
	"math/rand/v2"
	"testing"
)

func inflateAll(t testing.TB, b []byte) []byte {
	t.Helper()
	out, err := io.ReadAll(flate.NewReader(bytes.NewReader(b)))
	if err != nil {
		t.Fatalf("inflate: %v", err)
	}
	return out
}

// deflateInputs are inputs of every shape the encoder must get right:
// empty, tiny, repetitive (matches of every length, overlapping, at
// DEFLATE's longest), random (no matches), longer than the window.
func deflateInputs() [][]byte {
	r := rand.New(rand.NewPCG(13, 17))
	in := [][]byte{nil, []byte("a"), []byte("abcd"), []byte(benchPolicy),
		bytes.Repeat([]byte("ab"), 40000), bytes.Repeat([]byte{0}, 300), bytes.Repeat([]byte{0xff}, 70000)}
	for range 100 {
		b := make([]byte, r.IntN(5000))
		for i := range b {
			b[i] = byte('a' + r.IntN(4))
		}
		in = append(in, b)
	}
	for range 20 {
		b := make([]byte, r.IntN(70000))
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		in = append(in, b)
	}
	// Matches at every length from 3 to 300 and distances up to the window.
	for n := 3; n <= 300; n++ {
		b := make([]byte, 0, 2*n+40000)
		for i := range n {
			b = append(b, byte(i*7))
		}
		b = append(b, bytes.Repeat([]byte{'x'}, n*100%40000)...)
		b = append(b, b[:n]...)
		in = append(in, b)
	}
	return in
}

func TestFixedDeflate_RoundTrip(t *testing.T) {
	var d fixedDeflater
	for _, in := range deflateInputs() {
		out := d.deflate(nil, in)
		if got := inflateAll(t, out); !bytes.Equal(got, in) {
			t.Fatalf("input of %d bytes does not come back", len(in))
		}
		if again := d.deflate([]byte("prefix"), in); !bytes.Equal(again[6:], out) || string(again[:6]) != "prefix" {
			t.Fatalf("input of %d bytes: not deterministic, or dst not appended to", len(in))
		}
	}
}

func FuzzFixedDeflate(f *testing.F) {
	f.Add([]byte(benchPolicy))
	f.Add([]byte("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"))
	f.Add([]byte{})
	var d fixedDeflater
	f.Fuzz(func(t *testing.T, in []byte) {
		if got := inflateAll(t, d.deflate(nil, in)); !bytes.Equal(got, in) {
			t.Fatalf("input of %d bytes does not come back", len(in))
		}
	})
}

// A session policy packs with fixed codes, far below its length; text
// with few repeats packs no larger than BestCompression makes it; and
// whatever fits the budget at BestCompression fits Pack's, at the same
// size when that is what decides it.
func TestPack_Compressors(t *testing.T) {
	best := func(raw []byte) []byte {
		var out bytes.Buffer
		w, _ := flate.NewWriter(&out, flate.BestCompression)
		w.Write(raw)
		w.Close()
		return out.Bytes()
	}
	policyRaw := appendEncoded(nil, benchPolicy, nil, nil)
	packed, _ := Pack(benchPolicy, nil, nil)
	var d fixedDeflater
	if want := d.deflate(nil, policyRaw); !bytes.Equal(packed, want) {
		t.Errorf("a session policy: packed %d bytes, not the fixed-code packing of %d", len(packed), len(want))
	}
	if 4*len(packed) > 3*len(policyRaw) {
		t.Errorf("a session policy of %d bytes packs to %d", len(policyRaw), len(packed))
	}

	r := rand.New(rand.NewPCG(1, 2))
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	src := make([]byte, 3200)
	for i := range src {
		src[i] = alphabet[r.IntN(len(alphabet))]
	}
	atLimit := 0
	for n := 200; n < len(src); n += 7 {
		policy := string(src[:n])
		raw := appendEncoded(nil, policy, nil, nil)
		b := best(raw)
		got, percent := Pack(policy, nil, nil)
		if len(got) > len(b) {
			t.Fatalf("%d random characters: packed %d bytes, BestCompression %d", n, len(got), len(b))
		}
		if len(b) <= PackedBudget && percent > 100 {
			t.Fatalf("%d random characters: %d percent, though BestCompression fits (%d bytes)", n, percent, len(b))
		}
		if p, _, _, ok := unpack(got); !ok || p != policy {
			t.Fatalf("%d random characters: does not unpack", n)
		}
		if len(b) > PackedBudget-20 && len(b) <= PackedBudget {
			atLimit++
		}
	}
	if atLimit == 0 {
		t.Fatal("no input came near the budget; the test lost its point")
	}
}
