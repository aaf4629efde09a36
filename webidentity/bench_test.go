package webidentity_test

// Results (go test -bench . -benchmem -count 3 ./webidentity/, Go 1.26.8,
// linux/amd64, 2 vCPU AMD EPYC), Verify with the keys cached and Parse
// included:
//
//	BenchmarkVerify_RS256-2   ~50 µs/op   12312 B/op   185 allocs/op
//	BenchmarkVerify_ES256-2   ~90 µs/op   11752 B/op   197 allocs/op
//	BenchmarkParse-2          ~11 µs/op    7141 B/op   108 allocs/op

import (
	"context"
	"testing"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/opensts/opensts/webidentity"
)

func benchVerify(b *testing.B, alg jose.SignatureAlgorithm, key any, kid string) {
	is := newIssuer(b, true)
	v := verifier(is, &clock{now: t0})
	raw := sign(b, alg, key, kid, is.claims())
	p := is.provider()
	if _, err := verify(b, v, raw, p); err != nil { // warm the key cache
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		tok, err := webidentity.Parse(raw)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := v.Verify(context.Background(), tok, p); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify_RS256(b *testing.B) { testKeys(b); benchVerify(b, jose.RS256, rsaKey, "rsa1") }
func BenchmarkVerify_ES256(b *testing.B) { testKeys(b); benchVerify(b, jose.ES256, ecKey, "ec1") }

func BenchmarkParse(b *testing.B) {
	testKeys(b)
	raw := sign(b, jose.RS256, rsaKey, "rsa1", map[string]any{
		"iss": "https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE",
		"sub": "system:serviceaccount:default:app", "aud": "sts.amazonaws.com", "iat": t0.Unix(), "exp": t0.Unix() + 3600,
	})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := webidentity.Parse(raw); err != nil {
			b.Fatal(err)
		}
	}
}
