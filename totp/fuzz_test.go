package totp

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FuzzVerify: Verify never panics and never accepts a code that is not
// Code(seed, step) for the step it returns, nor a step outside now±1 or at or
// before lastUsedStep. The right code is accepted once, then refused.
func FuzzVerify(f *testing.F) {
	f.Add(rfcSeed, Code(rfcSeed, nowStep), nowUnix, int64(0))
	f.Add(rfcSeed, Code(rfcSeed, nowStep+1), nowUnix, nowStep)
	f.Add(rfcSeed, "287082", int64(59), int64(0))
	f.Add(rfcSeed, "12345", nowUnix, int64(0))
	f.Add(rfcSeed, "１２３４５６", int64(-1), int64(math.MinInt64))
	f.Add([]byte{}, "000000", int64(0), int64(-1))
	f.Add([]byte("x"), "999999", int64(math.MaxInt64), int64(math.MaxInt64))
	f.Add(bytes.Repeat([]byte{0xff}, 100), "000000", int64(math.MinInt64), int64(math.MinInt64))
	f.Fuzz(func(t *testing.T, seed []byte, code string, unix, lastUsed int64) {
		at := time.Unix(unix, 0)
		cur := Step(at)
		step, err := Verify(seed, code, at, lastUsed)
		switch {
		case err == nil:
			if Code(seed, step) != code {
				t.Fatalf("accepted a code that is not the code of step %d", step)
			}
			if step <= lastUsed || step < cur-1 || step > cur+1 {
				t.Fatalf("accepted step %d: now %d, last used %d", step, cur, lastUsed)
			}
		case errors.Is(err, ErrInvalidCode), errors.Is(err, ErrReplayed):
			if step != 0 {
				t.Fatalf("step %d returned with %v", step, err)
			}
		default:
			t.Fatalf("unexpected error %v", err)
		}
		if len(seed) == 0 {
			return
		}
		right := Code(seed, cur)
		got, err := Verify(seed, right, at, cur-1)
		if err != nil || got < cur || got > cur+1 {
			t.Fatalf("right code refused: step %d, err %v", got, err)
		}
		if _, err := Verify(seed, right, at, got); !errors.Is(err, ErrReplayed) {
			t.Fatalf("replayed code: err %v, want ErrReplayed", err)
		}
		if got, err := VerifyConsecutive(seed, Code(seed, cur-1), right, at, 0); err != nil || got != cur {
			t.Fatalf("consecutive codes refused: step %d, err %v", got, err)
		}
	})
}

// FuzzParseSeedFile: ParseSeedFile never panics, fails only with
// *SeedFileError, and whatever it returns is valid and free of duplicates.
func FuzzParseSeedFile(f *testing.F) {
	for _, name := range []string{"plain.pskc", "encrypted.pskc", "plain.csv"} {
		b, err := os.ReadFile(filepath.Join("testdata", "pskc", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("GAHT12345678," + hexA))
	f.Add([]byte("serial seed\nGAHT12345678 GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ\n"))
	f.Add([]byte(pskc(keyPackage("GAHT12345678", "", "", secret(b64A)))))
	f.Fuzz(func(t *testing.T, data []byte) {
		tokens, err := ParseSeedFile(bytes.NewReader(data))
		if err != nil {
			var sfe *SeedFileError
			if !errors.As(err, &sfe) {
				t.Fatalf("error %T is not *SeedFileError", err)
			}
			if tokens != nil {
				t.Fatal("tokens returned with an error")
			}
			return
		}
		if len(tokens) == 0 {
			t.Fatal("no tokens and no error")
		}
		serials := map[string]bool{}
		seeds := map[string]bool{}
		for _, tok := range tokens {
			if !validSerial(tok.Serial) {
				t.Fatalf("invalid serial accepted (%d bytes)", len(tok.Serial))
			}
			if len(tok.Seed) < minSeedSize || len(tok.Seed) > maxSeedSize {
				t.Fatalf("seed of %d bytes accepted", len(tok.Seed))
			}
			up := strings.ToUpper(tok.Serial)
			if serials[up] || seeds[string(tok.Seed)] {
				t.Fatal("duplicate accepted")
			}
			serials[up], seeds[string(tok.Seed)] = true, true
		}
	})
}
