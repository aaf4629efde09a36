package samlidentity_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"fmt"
	"math/big"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/crewjam/saml"

	"github.com/opensts/opensts/samlidentity"
)

// t0 is the tests' "now".
var t0 = time.Date(2026, 12, 5, 8, 0, 0, 0, time.UTC)

const (
	entityID    = "https://idp.example.com/saml/metadata"
	account     = "123456789012"
	providerARN = "arn:aws:iam::123456789012:saml-provider/MySAMLIdP"
	roleARN     = "arn:aws:iam::123456789012:role/SAMLAdmin"
	otherRole   = "arn:aws:iam::123456789012:role/ReadOnly"
	signinURL   = "https://signin.aws.amazon.com/saml"

	attrRole        = "https://aws.amazon.com/SAML/Attributes/Role"
	attrSessionName = "https://aws.amazon.com/SAML/Attributes/RoleSessionName"
	attrDuration    = "https://aws.amazon.com/SAML/Attributes/SessionDuration"
	attrSourceID    = "https://aws.amazon.com/SAML/Attributes/SourceIdentity"
	attrTag         = "https://aws.amazon.com/SAML/Attributes/PrincipalTag:"
	attrTransitive  = "https://aws.amazon.com/SAML/Attributes/TransitiveTagKeys"
)

var (
	keysOnce         sync.Once
	idpKey, evilKey  *rsa.PrivateKey
	idpCert, evilCrt *x509.Certificate
	expiredCert      *x509.Certificate // idpKey's public key, expired before t0
)

func testKeys(tb testing.TB) {
	tb.Helper()
	keysOnce.Do(func() {
		idpKey, idpCert = mustKeyCert(tb, t0.AddDate(-1, 0, 0), t0.AddDate(1, 0, 0), nil)
		evilKey, evilCrt = mustKeyCert(tb, t0.AddDate(-1, 0, 0), t0.AddDate(1, 0, 0), nil)
		_, expiredCert = mustKeyCert(tb, t0.AddDate(-2, 0, 0), t0.AddDate(0, 0, -1), idpKey)
	})
}

func mustKeyCert(tb testing.TB, notBefore, notAfter time.Time, key *rsa.PrivateKey) (*rsa.PrivateKey, *x509.Certificate) {
	tb.Helper()
	if key == nil {
		var err error
		if key, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			tb.Fatal(err)
		}
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "idp.example.com"},
		NotBefore:    notBefore, NotAfter: notAfter,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		tb.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatal(err)
	}
	return key, cert
}

// idp is a SAML identity provider built on crewjam/saml, which signs
// with goxmldsig as real IdPs sign: exclusive canonicalization, RSA-SHA256
// (or the SignatureMethod set), the certificate in KeyInfo.
type idp struct {
	*saml.IdentityProvider
}

func newIdP(tb testing.TB, key *rsa.PrivateKey, cert *x509.Certificate) *idp {
	tb.Helper()
	testKeys(tb)
	u, _ := url.Parse(entityID)
	return &idp{&saml.IdentityProvider{Key: key, Certificate: cert, MetadataURL: *u}}
}

var ids atomic.Int64

// assertion is an assertion that passes Verify for roleARN at t0, changed
// by mods.
func assertion(mods ...func(*saml.Assertion)) *saml.Assertion {
	sessionEnd := t0.Add(8 * time.Hour)
	a := &saml.Assertion{
		ID:           fmt.Sprintf("id-%d-%d", time.Now().UnixNano(), ids.Add(1)),
		IssueInstant: t0,
		Version:      "2.0",
		Issuer:       saml.Issuer{Format: "urn:oasis:names:tc:SAML:2.0:nameid-format:entity", Value: entityID},
		Subject: &saml.Subject{
			NameID: &saml.NameID{Format: "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent", Value: "alice"},
			SubjectConfirmations: []saml.SubjectConfirmation{{
				Method:                  "urn:oasis:names:tc:SAML:2.0:cm:bearer",
				SubjectConfirmationData: &saml.SubjectConfirmationData{NotOnOrAfter: t0.Add(5 * time.Minute), Recipient: signinURL},
			}},
		},
		Conditions: &saml.Conditions{
			NotBefore: t0.Add(-time.Minute), NotOnOrAfter: t0.Add(time.Hour),
			AudienceRestrictions: []saml.AudienceRestriction{{Audience: saml.Audience{Value: "urn:amazon:webservices"}}},
		},
		AuthnStatements: []saml.AuthnStatement{{
			AuthnInstant: t0, SessionIndex: "s1", SessionNotOnOrAfter: &sessionEnd,
			AuthnContext: saml.AuthnContext{AuthnContextClassRef: &saml.AuthnContextClassRef{
				Value: "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"}},
		}},
		AttributeStatements: []saml.AttributeStatement{{Attributes: []saml.Attribute{
			attr(attrRole, roleARN+","+providerARN),
			attr(attrSessionName, "alice@example.com"),
		}}},
	}
	for _, m := range mods {
		m(a)
	}
	return a
}

func attr(name string, values ...string) saml.Attribute {
	at := saml.Attribute{Name: name, NameFormat: "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"}
	for _, v := range values {
		at.Values = append(at.Values, saml.AttributeValue{Type: "xs:string", Value: v})
	}
	return at
}

// withAttrs adds attributes to the assertion's first AttributeStatement.
func withAttrs(ats ...saml.Attribute) func(*saml.Assertion) {
	return func(a *saml.Assertion) {
		a.AttributeStatements[0].Attributes = append(a.AttributeStatements[0].Attributes, ats...)
	}
}

// withoutAttr removes an attribute by Name.
func withoutAttr(name string) func(*saml.Assertion) {
	return func(a *saml.Assertion) {
		var kept []saml.Attribute
		for _, at := range a.AttributeStatements[0].Attributes {
			if at.Name != name {
				kept = append(kept, at)
			}
		}
		a.AttributeStatements[0].Attributes = kept
	}
}

// What the IdP signs.
type signing int

const (
	signAssertion signing = 1 << iota
	signResponse
	signNone signing = 0
	signBoth         = signAssertion | signResponse
)

// response is the samlp:Response element carrying a, signed as s by the
// IdP through crewjam/saml's IdpAuthnRequest (MakeAssertionEl signs the
// assertion, MakeResponse the response).
func (i *idp) response(tb testing.TB, a *saml.Assertion, s signing) *etree.Element {
	tb.Helper()
	req := &saml.IdpAuthnRequest{
		IDP: i.IdentityProvider, Now: t0, Assertion: a,
		ACSEndpoint:     &saml.IndexedEndpoint{Location: signinURL},
		SPSSODescriptor: &saml.SPSSODescriptor{},
	}
	if s&signAssertion != 0 {
		if err := req.MakeAssertionEl(); err != nil {
			tb.Fatal(err)
		}
	} else {
		req.AssertionEl = a.Element()
	}
	if s&signResponse != 0 {
		if err := req.MakeResponse(); err != nil {
			tb.Fatal(err)
		}
		return req.ResponseEl
	}
	resp := &saml.Response{
		ID: fmt.Sprintf("id-resp-%d", ids.Add(1)), Version: "2.0", IssueInstant: t0, Destination: signinURL,
		Issuer: &saml.Issuer{Format: "urn:oasis:names:tc:SAML:2.0:nameid-format:entity", Value: entityID},
		Status: saml.Status{StatusCode: saml.StatusCode{Value: saml.StatusSuccess}},
	}
	el := resp.Element()
	el.AddChild(req.AssertionEl)
	return el
}

// encode serializes el as an IdP posts it: base64 of the XML.
func encode(tb testing.TB, el *etree.Element) string {
	tb.Helper()
	doc := etree.NewDocument()
	doc.SetRoot(el.Copy())
	b, err := doc.WriteToBytes()
	if err != nil {
		tb.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

func provider(certs ...*x509.Certificate) samlidentity.Provider {
	return samlidentity.Provider{ARN: providerARN, AccountID: account, Name: "MySAMLIdP", EntityID: entityID, Certificates: certs}
}

func verify(v *samlidentity.Verifier, raw string, p samlidentity.Provider, role string) (*samlidentity.Assertion, error) {
	r, err := samlidentity.Decode(raw)
	if err != nil {
		return nil, err
	}
	return v.Verify(r, p, role)
}

// find returns el's first descendant with the given tag (any prefix).
func find(el *etree.Element, tag string) *etree.Element {
	return el.FindElement(".//" + tag)
}

type x509Cert = x509.Certificate

func base64Decode(s string) (string, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	return string(b), err
}
