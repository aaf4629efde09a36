package sigv4

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// refHMAC is crypto/hmac, the reference for the stack-buffer HMAC.
func refHMAC(key, msg []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(msg)
	return m.Sum(nil)
}

func TestHMACSHA256_MatchesCryptoHMAC(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 31, 32, 63, 64, 65, 127, 128, 200} {
		for _, m := range []int{0, 1, 55, 56, 64, 447, 448, 511, 512, 513, 1500} {
			key := make([]byte, n)
			msg := make([]byte, m)
			for i := range key {
				key[i] = byte(rng.Uint32())
			}
			for i := range msg {
				msg[i] = byte(rng.Uint32())
			}
			got := hmacSHA256(key, msg)
			if want := refHMAC(key, msg); !bytes.Equal(got[:], want) {
				t.Fatalf("key %d msg %d: got %x want %x", n, m, got, want)
			}
		}
	}
}

func TestDeriveKey_MatchesSpecChain(t *testing.T) {
	for _, secret := range []string{"", katSecret, string(make([]byte, 300))} {
		kDate := refHMAC([]byte("AWS4"+secret), []byte("20260102"))
		kRegion := refHMAC(kDate, []byte("us-east-1"))
		kService := refHMAC(kRegion, []byte("sts"))
		want := refHMAC(kService, []byte("aws4_request"))
		if got := deriveKey(secret, "20260102", "us-east-1", "sts"); !bytes.Equal(got[:], want) {
			t.Errorf("secret of %d bytes: got %x want %x", len(secret), got, want)
		}
		if got := deriveKey([]byte(secret), "20260102", "us-east-1", "sts"); !bytes.Equal(got[:], want) {
			t.Errorf("secret of %d bytes as a byte slice: got %x want %x", len(secret), got, want)
		}
	}
}

// signedAt returns a parsed request signed with secret by keyID at t.
func signedAt(tb testing.TB, keyID, secret string, t time.Time) *Request {
	tb.Helper()
	r := httptest.NewRequest(http.MethodPost, "https://sts.amazonaws.com/", bytes.NewReader([]byte(katBody)))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if err := Sign(r, []byte(katBody), keyID, secret, "", "us-east-1", "sts", t); err != nil {
		tb.Fatal(err)
	}
	return mustParse(tb, r, []byte(katBody))
}

func (v *Verifier) len() int {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return len(v.keys)
}

func TestVerifier_Cache(t *testing.T) {
	t.Run("ok/key reused", func(t *testing.T) {
		v := NewVerifier(4)
		req := signedAt(t, "AKIDA", "secret-a", katTime)
		if err := v.Verify(req, "secret-a"); err != nil {
			t.Fatal(err)
		}
		sh := secretHash(v, "secret-a")
		if _, hit := v.lookup(req, &sh); !hit || v.len() != 1 {
			t.Fatalf("key not cached: hit %v len %d", hit, v.len())
		}
		// Poison the cached key: if Verify derives afresh it still succeeds,
		// if it uses the cache it fails. It must use the cache.
		ck := cacheKey{req.AccessKeyID, req.Date, req.Region, req.Service}
		v.mu.Lock()
		e := v.keys[ck]
		e.key[0] ^= 1
		v.keys[ck] = e
		v.mu.Unlock()
		if err := v.Verify(req, "secret-a"); !errors.Is(err, ErrSignatureMismatch) {
			t.Fatalf("Verify did not use the cached key: %v", err)
		}
	})
	t.Run("ok/changed secret is never served a stale key", func(t *testing.T) {
		v := NewVerifier(4)
		old := signedAt(t, "AKIDA", "secret-old", katTime)
		if err := v.Verify(old, "secret-old"); err != nil {
			t.Fatal(err)
		}
		// The key is rotated: the store now returns the new secret.
		if err := v.Verify(old, "secret-new"); !errors.Is(err, ErrSignatureMismatch) {
			t.Fatalf("old signature with new secret: got %v", err)
		}
		fresh := signedAt(t, "AKIDA", "secret-new", katTime.Add(time.Second))
		if err := v.Verify(fresh, "secret-new"); err != nil {
			t.Fatalf("new signature with new secret: %v", err)
		}
		if err := v.Verify(old, "secret-new"); !errors.Is(err, ErrSignatureMismatch) {
			t.Fatalf("old signature after new key cached: got %v", err)
		}
		if err := v.Verify(fresh, "secret-old"); !errors.Is(err, ErrSignatureMismatch) {
			t.Fatalf("new signature with old secret: got %v", err)
		}
		if v.len() != 1 {
			t.Errorf("len %d, want 1 (one access key, one scope)", v.len())
		}
	})
	t.Run("ok/failed verification is not cached", func(t *testing.T) {
		v := NewVerifier(4)
		req := signedAt(t, "AKIDA", "secret-a", katTime)
		if err := v.Verify(req, "wrong"); !errors.Is(err, ErrSignatureMismatch) {
			t.Fatal(err)
		}
		if v.len() != 0 {
			t.Errorf("len %d after a failed verification", v.len())
		}
	})
	t.Run("ok/disabled", func(t *testing.T) {
		for _, v := range []*Verifier{NewVerifier(0), NewVerifier(-1), {}} {
			req := signedAt(t, "AKIDA", "secret-a", katTime)
			if err := v.Verify(req, "secret-a"); err != nil {
				t.Fatal(err)
			}
			if v.keys != nil {
				t.Errorf("cache allocated")
			}
		}
	})
	t.Run("ok/bounded size", func(t *testing.T) {
		v := NewVerifier(10)
		for i := range 200 {
			id := fmt.Sprintf("AKID%04d", i)
			req := signedAt(t, id, "s"+id, katTime)
			if err := v.Verify(req, "s"+id); err != nil {
				t.Fatal(err)
			}
			if v.len() > 10 {
				t.Fatalf("len %d > 10 after %d keys", v.len(), i+1)
			}
		}
		if v.len() != 10 {
			t.Errorf("len %d, want 10", v.len())
		}
	})
	t.Run("ok/old dates evicted", func(t *testing.T) {
		v := NewVerifier(100)
		for day := range 5 {
			for i := range 3 {
				id := fmt.Sprintf("AKID%d", i)
				req := signedAt(t, id, "s"+id, katTime.AddDate(0, 0, day))
				if err := v.Verify(req, "s"+id); err != nil {
					t.Fatal(err)
				}
			}
		}
		v.mu.RLock()
		defer v.mu.RUnlock()
		for k := range v.keys {
			if k.date < "20260105" {
				t.Errorf("entry for %s kept after the newest date became 20260106", k.date)
			}
		}
		if len(v.keys) != 6 {
			t.Errorf("len %d, want 6 (3 keys × today and yesterday)", len(v.keys))
		}
	})
}

func TestVerifier_Concurrent(t *testing.T) {
	const keys = 40
	reqs := make([]*Request, keys)
	for i := range reqs {
		id := fmt.Sprintf("AKID%04d", i)
		reqs[i] = signedAt(t, id, "s"+id, katTime)
	}
	v := NewVerifier(8) // smaller than the key set: eviction under contention
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(g), 7))
			for range 300 {
				i := rng.IntN(keys)
				id := fmt.Sprintf("AKID%04d", i)
				secret, want := "s"+id, true
				if rng.IntN(4) == 0 {
					secret, want = "x"+id, false
				}
				err := v.Verify(reqs[i], secret)
				if want && err != nil || !want && !errors.Is(err, ErrSignatureMismatch) {
					errs <- fmt.Errorf("key %d secret ok=%v: %v", i, want, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if v.len() > 8 {
		t.Errorf("len %d > 8", v.len())
	}
}

func TestVerify_RejectsForeignRequest(t *testing.T) {
	for _, r := range []*Request{nil, {}, {AccessKeyID: "AKID", signatureOK: true, payloadOK: true}} {
		err := NewVerifier(4).Verify(r, katSecret)
		if err == nil || errors.Is(err, ErrSignatureMismatch) {
			t.Errorf("Verify(%+v): got %v, want a programming error", r, err)
		}
	}
}

func TestSign_Errors(t *testing.T) {
	good := func() *http.Request { return httptest.NewRequest(http.MethodGet, "https://sts.amazonaws.com/", nil) }
	tests := []struct {
		name                   string
		r                      *http.Request
		keyID, region, service string
	}{
		{"fail/nil request", nil, "AKID", "us-east-1", "sts"},
		{"fail/empty access key", good(), "", "us-east-1", "sts"},
		{"fail/slash in access key", good(), "AK/ID", "us-east-1", "sts"},
		{"fail/bad region", good(), "AKID", "US East", "sts"},
		{"fail/empty service", good(), "AKID", "us-east-1", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Sign(tt.r, nil, tt.keyID, katSecret, "", tt.region, tt.service, katTime)
			if err == nil {
				t.Fatal("Sign succeeded")
			}
			if bytes.Contains([]byte(err.Error()), []byte(katSecret)) {
				t.Errorf("error reveals the secret: %v", err)
			}
		})
	}
}

// VerifyBytes accepts and refuses exactly as Verify does, and shares its
// derived-key cache.
func TestVerifyBytes(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, cached := range []bool{false, true} {
		v := NewVerifier(0)
		if cached {
			v = NewVerifier(16)
		}
		r := signedAt(t, "AKIDEXAMPLE", katSecret, now)
		for range 2 {
			if err := v.VerifyBytes(r, []byte(katSecret)); err != nil {
				t.Fatalf("cache %v: right secret refused: %v", cached, err)
			}
			if err := v.Verify(r, katSecret); err != nil {
				t.Fatalf("cache %v: Verify after VerifyBytes: %v", cached, err)
			}
			if err := v.VerifyBytes(r, []byte(katSecret+"x")); !errors.Is(err, ErrSignatureMismatch) {
				t.Fatalf("cache %v: wrong secret: %v, want ErrSignatureMismatch", cached, err)
			}
		}
	}
}
