package webidentity_test

// Results (go test -bench . -benchmem -count 2 ./webidentity/, Go 1.26.8,
// linux/amd64, 2 vCPU AMD EPYC), Verify with the issuer's keys cached and
// Parse included; _Again reuses the token's first verification:
//
//	BenchmarkVerify_RS256-2         ~47 µs/op   12992 B/op   187 allocs/op
//	BenchmarkVerify_ES256-2         ~87 µs/op   12112 B/op   199 allocs/op
//	BenchmarkVerify_RS256_Again-2   ~13 µs/op    9256 B/op   144 allocs/op
//	BenchmarkParse-2                ~10 µs/op    7157 B/op   108 allocs/op

import (
	"context"
	"testing"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/opensts/opensts/webidentity"
)

// benchVerify verifies one token again and again: with first set, as if
// for the first time (the verified-token cache emptied each time); else
// reusing the first verification, as for a token file read on each refresh.
func benchVerify(b *testing.B, alg jose.SignatureAlgorithm, key any, kid string, first bool) {
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
		if first {
			webidentity.ForgetVerified(v)
		}
		tok, err := webidentity.Parse(raw)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := v.Verify(context.Background(), tok, p); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify_RS256(b *testing.B) {
	testKeys(b)
	benchVerify(b, jose.RS256, rsaKey, "rsa1", true)
}
func BenchmarkVerify_ES256(b *testing.B) { testKeys(b); benchVerify(b, jose.ES256, ecKey, "ec1", true) }
func BenchmarkVerify_RS256_Again(b *testing.B) {
	testKeys(b)
	benchVerify(b, jose.RS256, rsaKey, "rsa1", false)
}

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
