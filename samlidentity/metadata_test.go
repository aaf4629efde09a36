package samlidentity_test

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"math/big"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/opensts/opensts/samlidentity"
)

// mustCertWithExtensions is mustCert with extra extensions.
func mustCertWithExtensions(tb testing.TB, pub any, cn string, ext []pkix.Extension) string {
	tb.Helper()
	signer, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		tb.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn}, ExtraExtensions: ext,
		NotBefore: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, signer)
	if err != nil {
		tb.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(der)
}

// mustCert returns a certificate for pub, signed by a throwaway RSA key,
// as the base64 DER a ds:X509Certificate holds.
func mustCert(tb testing.TB, pub any, cn string) string {
	tb.Helper()
	signer, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		tb.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC), // expired: not checked
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, signer)
	if err != nil {
		tb.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(der)
}

func rsaPub(tb testing.TB, bits int) any {
	tb.Helper()
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		tb.Fatal(err)
	}
	return &k.PublicKey
}

// keyDescriptor returns a KeyDescriptor (use "" for none) holding certs.
func keyDescriptor(use string, certs ...string) string {
	var b strings.Builder
	b.WriteString("<md:KeyDescriptor")
	if use != "" {
		b.WriteString(` use="` + use + `"`)
	}
	b.WriteString(`><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data>`)
	for _, c := range certs {
		b.WriteString("<ds:X509Certificate>" + c + "</ds:X509Certificate>")
	}
	b.WriteString("</ds:X509Data></ds:KeyInfo></md:KeyDescriptor>")
	return b.String()
}

// entity returns an md:EntityDescriptor of an IdP with the given key
// descriptors; attrs go on the EntityDescriptor.
func entity(entityID, attrs string, keys ...string) string {
	return `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="` + entityID + `"` + attrs + `>
  <md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    ` + strings.Join(keys, "\n    ") + `
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example.com/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`
}

func TestParseMetadata(t *testing.T) {
	rsa2048 := mustCert(t, rsaPub(t, 2048), "rsa2048")
	rsa1024 := mustCert(t, rsaPub(t, 1024), "rsa1024")
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ec := mustCert(t, &ecKey.PublicKey, "ec")
	small := mustCert(t, &rsa.PublicKey{N: new(big.Int).Lsh(big.NewInt(1), 1000-1).Add(new(big.Int).Lsh(big.NewInt(1), 1000-1), big.NewInt(1)), E: 65537}, "small")
	dupExt := pkix.Extension{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 1}, Value: []byte{0x05, 0x00}}
	repeated := mustCertWithExtensions(t, rsaPub(t, 2048), "repeated", []pkix.Extension{dupExt, dupExt})
	edPub, _, _ := ed25519.GenerateKey(rand.Reader)
	ed := mustCert(t, edPub, "ed25519")
	wrapped := ""
	for s := rsa2048; s != ""; {
		n := min(64, len(s))
		wrapped += "\n        " + s[:n]
		s = s[n:]
	}
	var eleven []string
	for range 11 {
		eleven = append(eleven, mustCert(t, &ecKey.PublicKey, "ec"))
	}
	spEntity := `<md:EntityDescriptor entityID="https://sp.example.com"><md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/></md:EntityDescriptor>`
	inner := func(s string) string {
		return strings.Replace(s, ` xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"`, "", 1)
	}
	entities := func(attrs string, body ...string) string {
		return `<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"` + attrs + `>` + strings.Join(body, "") + `</md:EntitiesDescriptor>`
	}

	type want struct {
		entityID string
		certs    int
		until    time.Time
	}
	ok := []struct {
		name string
		doc  string
		want want
	}{
		{"signing", entity("https://idp.example.com/saml", "", keyDescriptor("signing", rsa2048)), want{"https://idp.example.com/saml", 1, time.Time{}}},
		{"no use", entity("urn:idp", "", keyDescriptor("", rsa1024)), want{"urn:idp", 1, time.Time{}}},
		{"ECDSA", entity("urn:idp", "", keyDescriptor("signing", ec)), want{"urn:idp", 1, time.Time{}}},
		{"encryption key ignored", entity("urn:idp", "", keyDescriptor("encryption", ed), keyDescriptor("signing", rsa2048)), want{"urn:idp", 1, time.Time{}}},
		{"base64 wrapped over lines", entity("urn:idp", "", keyDescriptor("signing", wrapped+"\n      ")), want{"urn:idp", 1, time.Time{}}},
		{"duplicate certificate counted once", entity("urn:idp", "", keyDescriptor("signing", rsa2048), keyDescriptor("", rsa2048)), want{"urn:idp", 1, time.Time{}}},
		{"ten certificates", entity("urn:idp", "", keyDescriptor("signing", eleven[:10]...)), want{"urn:idp", 10, time.Time{}}},
		{"rollover: two keys", entity("urn:idp", "", keyDescriptor("signing", rsa2048), keyDescriptor("signing", ec)), want{"urn:idp", 2, time.Time{}}},
		{"validUntil", entity("urn:idp", ` validUntil="2030-01-02T03:04:05Z"`, keyDescriptor("signing", rsa2048)), want{"urn:idp", 1, time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}},
		{"validUntil with offset and fraction", entity("urn:idp", ` validUntil="2030-01-02T03:04:05.5+01:00"`, keyDescriptor("signing", rsa2048)), want{"urn:idp", 1, time.Date(2030, 1, 2, 2, 4, 5, 5e8, time.UTC)}},
		{"validUntil without zone", entity("urn:idp", ` validUntil="2030-01-02T03:04:05"`, keyDescriptor("signing", rsa2048)), want{"urn:idp", 1, time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}},
		{"XML declaration and comments", `<?xml version="1.0" encoding="UTF-8"?>
<!-- exported by the IdP -->
` + entity("urn:idp", "", keyDescriptor("signing", rsa2048)) + "\n<!-- end -->\n", want{"urn:idp", 1, time.Time{}}},
		{"EntitiesDescriptor with one IdP", entities(` validUntil="2029-01-01T00:00:00Z"`, spEntity, inner(entity("urn:idp", ` validUntil="2030-01-01T00:00:00Z"`, keyDescriptor("signing", rsa2048)))),
			want{"urn:idp", 1, time.Date(2029, 1, 1, 0, 0, 0, 0, time.UTC)}},
		{"default namespace", strings.NewReplacer("md:", "", "xmlns:md=", "xmlns=").Replace(entity("urn:idp", "", keyDescriptor("signing", rsa2048))), want{"urn:idp", 1, time.Time{}}},
	}
	for _, tc := range ok {
		t.Run("ok/"+tc.name, func(t *testing.T) {
			md, err := samlidentity.ParseMetadata(tc.doc)
			if err != nil {
				t.Fatalf("ParseMetadata: %v", err)
			}
			if md.EntityID != tc.want.entityID || len(md.Certificates) != tc.want.certs || !md.ValidUntil.Equal(tc.want.until) {
				t.Errorf("ParseMetadata = %q, %d certificates, valid until %v; want %+v", md.EntityID, len(md.Certificates), md.ValidUntil, tc.want)
			}
		})
	}

	good := entity("urn:idp", "", keyDescriptor("signing", rsa2048))
	fail := []struct{ name, doc string }{
		{"empty", ""},
		{"not XML", "{}"},
		{"BOM", "\uFEFF" + good},
		{"not UTF-8", good + "<!-- \xff -->"},
		{"NUL in a comment", good + "<!-- \x00 -->"},
		{"NUL in an attribute", strings.Replace(good, "urn:idp", "urn:\x00idp", 1)},
		{"Latin-1 declared", `<?xml version="1.0" encoding="ISO-8859-1"?>` + good},
		{"DOCTYPE", `<!DOCTYPE md:EntityDescriptor [<!ENTITY x "y">]>` + good},
		{"entity reference", strings.Replace(good, "urn:idp", "&x;", 1)},
		{"other root", `<EntityDescriptor entityID="urn:idp"/>`},
		{"wrong namespace", strings.Replace(good, "urn:oasis:names:tc:SAML:2.0:metadata", "urn:example", 1)},
		{"no entityID", strings.Replace(good, `entityID="urn:idp"`, "", 1)},
		{"entityID too long", entity(strings.Repeat("a", 1025), "", keyDescriptor("signing", rsa2048))},
		{"no IDPSSODescriptor", `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="urn:sp"><md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/></md:EntityDescriptor>`},
		{"SAML 1.1 only", strings.Replace(good, "urn:oasis:names:tc:SAML:2.0:protocol", "urn:oasis:names:tc:SAML:1.1:protocol", 1)},
		{"no key", entity("urn:idp", "")},
		{"encryption key only", entity("urn:idp", "", keyDescriptor("encryption", rsa2048))},
		{"unknown use", entity("urn:idp", "", keyDescriptor("verify", rsa2048))},
		{"RSA key under 1024 bits", entity("urn:idp", "", keyDescriptor("signing", small))},
		{"repeated extension", entity("urn:idp", "", keyDescriptor("signing", repeated))},
		{"Ed25519 key", entity("urn:idp", "", keyDescriptor("signing", ed))},
		{"not base64", entity("urn:idp", "", keyDescriptor("signing", "@@@"))},
		{"not a certificate", entity("urn:idp", "", keyDescriptor("signing", base64.StdEncoding.EncodeToString([]byte("hello"))))},
		{"eleven certificates", entity("urn:idp", "", keyDescriptor("signing", eleven...))},
		{"bad validUntil", entity("urn:idp", ` validUntil="tomorrow"`, keyDescriptor("signing", rsa2048))},
		{"unclosed", strings.TrimSuffix(good, "</md:EntityDescriptor>")},
		{"two roots", good + good},
		{"text after root", good + "x"},
		{"text before root", "x" + good},
		{"EntitiesDescriptor without IdP", entities("", spEntity)},
		{"EntitiesDescriptor with two IdPs", entities("", inner(good), inner(entity("urn:idp2", "", keyDescriptor("signing", ec))))},
		{"two IDPSSODescriptors", strings.Replace(good, "</md:EntityDescriptor>", `<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/></md:EntityDescriptor>`, 1)},
	}
	for _, tc := range fail {
		t.Run("fail/"+tc.name, func(t *testing.T) {
			if md, err := samlidentity.ParseMetadata(tc.doc); err == nil {
				t.Errorf("ParseMetadata accepted it: %+v", md)
			}
		})
	}
}

// TestParseMetadata_Fixture reads the realistic IdP metadata kept in
// testdata (a Keycloak-style export with a signing and an encryption key).
func TestParseMetadata_Fixture(t *testing.T) {
	b, err := os.ReadFile("testdata/idp-metadata.xml")
	if err != nil {
		t.Fatal(err)
	}
	md, err := samlidentity.ParseMetadata(string(b))
	if err != nil {
		t.Fatalf("ParseMetadata: %v", err)
	}
	if md.EntityID != "https://idp.example.com/realms/corp" || len(md.Certificates) != 1 || !md.ValidUntil.IsZero() {
		t.Errorf("ParseMetadata = %q, %d certificates, valid until %v", md.EntityID, len(md.Certificates), md.ValidUntil)
	}
	if got := md.Certificates[0].Subject.CommonName; got != "idp.example.com" {
		t.Errorf("certificate subject %q", got)
	}
}

// FuzzParseMetadata: no input panics, and what is accepted holds an
// entity id and 1–10 usable certificates.
func FuzzParseMetadata(f *testing.F) {
	if b, err := os.ReadFile("testdata/idp-metadata.xml"); err == nil {
		f.Add(string(b))
	}
	f.Fuzz(func(t *testing.T, doc string) {
		md, err := samlidentity.ParseMetadata(doc)
		if err != nil {
			return
		}
		if md.EntityID == "" || len(md.Certificates) == 0 || len(md.Certificates) > samlidentity.MaxSigningCertificates {
			t.Fatalf("accepted %q with %d certificates", md.EntityID, len(md.Certificates))
		}
		for _, c := range md.Certificates {
			if c == nil || c.PublicKey == nil {
				t.Fatal("accepted a certificate without a key")
			}
		}
	})
}
