package samlidentity_test

import (
	"errors"
	"testing"
	"time"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/samlidentity"
)

// FuzzDecode: Decode never panics and refuses with an InvalidIdentityToken
// *opensts.Error only; Verify never panics on what Decode accepts, refuses
// with an *opensts.Error, and accepts only what the IdP signed: the
// session of the seeds signed at the start of the run. Seeds are in
// testdata/fuzz/FuzzDecode (malformed and hostile documents) and, signed
// afresh, below.
func FuzzDecode(f *testing.F) {
	testKeys(f)
	i := newIdP(f, idpKey, idpCert)
	for _, s := range []signing{signResponse, signAssertion, signBoth} {
		f.Add(encode(f, i.response(f, assertion(), s)))
	}
	f.Add(b64(billionLaughs))
	f.Add("")
	f.Fuzz(func(t *testing.T, raw string) {
		start := time.Now()
		defer func() {
			if d := time.Since(start); d > time.Second {
				t.Fatalf("Decode and Verify took %v", d)
			}
		}()
		r, err := samlidentity.Decode(raw)
		if err != nil {
			var e *opensts.Error
			if !errors.As(err, &e) || !errors.Is(err, opensts.ErrInvalidIdentityToken) {
				t.Fatalf("Decode error %v is not an InvalidIdentityToken *opensts.Error", err)
			}
			return
		}
		if len(raw) > samlidentity.MaxAssertionSize {
			t.Fatalf("Decode accepted %d characters", len(raw))
		}
		_ = r.Issuer()
		v := samlidentity.New(samlidentity.Config{Now: (&clock{now: t0}).Now})
		a, err := v.Verify(r, provider(idpCert), roleARN)
		if err != nil {
			var e *opensts.Error
			if !errors.As(err, &e) {
				t.Fatalf("Verify error %v is not an *opensts.Error", err)
			}
			return
		}
		if a.Subject != "alice" || a.SessionName != "alice@example.com" || a.Issuer != entityID || len(a.Tags) != 0 {
			t.Fatalf("Verify accepted an altered assertion: %+v", a)
		}
	})
}
