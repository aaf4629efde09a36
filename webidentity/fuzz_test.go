package webidentity_test

import (
	"errors"
	"testing"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/webidentity"
)

// FuzzParse: Parse never panics, refuses with ErrInvalidIdentityToken only,
// and what it accepts has an issuer and fits MaxTokenSize. Seeds are in
// testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	f.Add("eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJodHRwczovL2EifQ.c2ln")
	f.Add("")
	f.Fuzz(func(t *testing.T, raw string) {
		tok, err := webidentity.Parse(raw)
		if err != nil {
			var e *opensts.Error
			if !errors.As(err, &e) || !errors.Is(err, opensts.ErrInvalidIdentityToken) {
				t.Fatalf("Parse error %v is not an InvalidIdentityToken *opensts.Error", err)
			}
			return
		}
		if tok.Issuer() == "" || len(raw) > webidentity.MaxTokenSize {
			t.Fatalf("Parse accepted %q: issuer %q", raw, tok.Issuer())
		}
	})
}
