package samlidentity_test

// Results (go test -bench . -benchmem -count 2 ./samlidentity/, Go 1.26.8,
// linux/amd64, 2 vCPU), RSA-2048 RSA-SHA256 signatures by crewjam/saml,
// Decode included in Verify:
//
//	BenchmarkVerify_ResponseSigned-2      ~410 µs/op   179777 B/op   2346 allocs/op
//	BenchmarkVerify_AssertionSigned-2     ~350 µs/op   158301 B/op   2142 allocs/op
//	BenchmarkVerify_BothSigned-2          ~635 µs/op   347236 B/op   4325 allocs/op
//	BenchmarkVerify_SecondCertificate-2   ~485 µs/op   231559 B/op   2907 allocs/op
//	BenchmarkDecode-2                     ~200 µs/op    54472 B/op    867 allocs/op (both signed, 7 KB)
//	BenchmarkDecode_BillionLaughs-2         ~8 µs/op     3440 B/op     16 allocs/op

import (
	"testing"

	"github.com/opensts/opensts/samlidentity"
)

// benchVerify decodes and verifies a response signed as s, with a fresh
// assertion ID each time so the replay cache accepts it (the signing is
// done before the timer starts).
func benchVerify(b *testing.B, s signing, certs ...*x509Cert) {
	testKeys(b)
	i := newIdP(b, idpKey, idpCert)
	const n = 256
	raws := make([]string, n)
	for k := range raws {
		raws[k] = encode(b, i.response(b, assertion(), s))
	}
	b.ReportAllocs()
	b.ResetTimer()
	k := 0
	var v *samlidentity.Verifier
	for b.Loop() {
		if k%n == 0 {
			v = samlidentity.New(samlidentity.Config{Now: (&clock{now: t0}).Now})
		}
		r, err := samlidentity.Decode(raws[k%n])
		if err != nil {
			b.Fatal(err)
		}
		if _, err := v.Verify(r, provider(certs...), roleARN); err != nil {
			b.Fatal(err)
		}
		k++
	}
}

func BenchmarkVerify_ResponseSigned(b *testing.B) { testKeys(b); benchVerify(b, signResponse, idpCert) }
func BenchmarkVerify_AssertionSigned(b *testing.B) {
	testKeys(b)
	benchVerify(b, signAssertion, idpCert)
}
func BenchmarkVerify_BothSigned(b *testing.B) { testKeys(b); benchVerify(b, signBoth, idpCert) }

// BenchmarkVerify_SecondCertificate: the signing certificate is the
// second of the provider's two (a key rollover).
func BenchmarkVerify_SecondCertificate(b *testing.B) {
	testKeys(b)
	benchVerify(b, signResponse, evilCrt, idpCert)
}

func BenchmarkDecode(b *testing.B) {
	testKeys(b)
	raw := encode(b, newIdP(b, idpKey, idpCert).response(b, assertion(), signBoth))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := samlidentity.Decode(raw); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecode_BillionLaughs: the cost of refusing an entity bomb.
func BenchmarkDecode_BillionLaughs(b *testing.B) {
	raw := b64(billionLaughs)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := samlidentity.Decode(raw); err == nil {
			b.Fatal("accepted")
		}
	}
}
