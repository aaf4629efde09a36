// Package samltest is a SAML 2.0 identity provider for tests and the load
// tool, built on crewjam/saml: it publishes its metadata and issues signed
// responses whose assertions carry AWS's attributes, as an IdP configured
// for AWS sign-in does.
package samltest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"math/big"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/beevik/etree"
	"github.com/crewjam/saml"
)

// AWS's SAML attribute names (roles-spec §4.4).
const (
	AttrRole              = "https://aws.amazon.com/SAML/Attributes/Role"
	AttrRoleSessionName   = "https://aws.amazon.com/SAML/Attributes/RoleSessionName"
	AttrSessionDuration   = "https://aws.amazon.com/SAML/Attributes/SessionDuration"
	AttrSourceIdentity    = "https://aws.amazon.com/SAML/Attributes/SourceIdentity"
	AttrPrincipalTag      = "https://aws.amazon.com/SAML/Attributes/PrincipalTag:"
	AttrTransitiveTagKeys = "https://aws.amazon.com/SAML/Attributes/TransitiveTagKeys"
	// SignInURL is AWS's sign-in endpoint, the Recipient IdPs send.
	SignInURL = "https://signin.aws.amazon.com/saml"
)

// IdP is an identity provider with its own RSA key and self-signed
// certificate.
type IdP struct {
	EntityID string
	idp      *saml.IdentityProvider
	ids      atomic.Int64
}

// New returns an IdP whose entity id is entityID.
func New(entityID string) (*IdP, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(now.UnixNano()),
		Subject:      pkix.Name{CommonName: "samltest IdP"},
		NotBefore:    now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	meta, err := url.Parse(entityID)
	if err != nil {
		return nil, err
	}
	sso := *meta
	sso.Path += "/sso"
	return &IdP{EntityID: entityID, idp: &saml.IdentityProvider{Key: key, Certificate: cert, MetadataURL: *meta, SSOURL: sso}}, nil
}

// Metadata is the IdP's SAML metadata document, as uploaded to
// CreateSAMLProvider.
func (p *IdP) Metadata() (string, error) {
	b, err := xml.MarshalIndent(p.idp.Metadata(), "", "  ")
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// Assertion describes what a response says.
type Assertion struct {
	Subject, SubjectFormat string
	// Roles are the Role attribute's values, "role-arn,provider-arn".
	Roles       []string
	SessionName string
	// Attributes are further attributes by Name (PrincipalTag:…,
	// SourceIdentity, SessionDuration, mail …).
	Attributes map[string][]string
	// Recipient and Audience default to AWS's sign-in URL and
	// urn:amazon:webservices.
	Recipient, Audience string
	// IssuedAt defaults to now; the assertion is valid for 5 minutes from
	// it, the sign-in session for 8 hours.
	IssuedAt time.Time
}

// Response returns a samlp:Response carrying a, the assertion signed by
// the IdP, base64-encoded as an IdP posts it (SAMLAssertion).
func (p *IdP) Response(a Assertion) (string, error) {
	now := a.IssuedAt
	if now.IsZero() {
		now = time.Now()
	}
	now = now.UTC()
	if a.Recipient == "" {
		a.Recipient = SignInURL
	}
	if a.Audience == "" {
		a.Audience = "urn:amazon:webservices"
	}
	if a.SubjectFormat == "" {
		a.SubjectFormat = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
	}
	sessionEnd := now.Add(8 * time.Hour)
	attrs := []saml.Attribute{attribute(AttrRole, a.Roles...)}
	if a.SessionName != "" {
		attrs = append(attrs, attribute(AttrRoleSessionName, a.SessionName))
	}
	for name, values := range a.Attributes {
		attrs = append(attrs, attribute(name, values...))
	}
	id := fmt.Sprintf("id-%d-%d", now.UnixNano(), p.ids.Add(1))
	as := &saml.Assertion{
		ID: id, IssueInstant: now, Version: "2.0",
		Issuer: saml.Issuer{Format: "urn:oasis:names:tc:SAML:2.0:nameid-format:entity", Value: p.EntityID},
		Subject: &saml.Subject{
			NameID: &saml.NameID{Format: a.SubjectFormat, Value: a.Subject},
			SubjectConfirmations: []saml.SubjectConfirmation{{
				Method:                  "urn:oasis:names:tc:SAML:2.0:cm:bearer",
				SubjectConfirmationData: &saml.SubjectConfirmationData{NotOnOrAfter: now.Add(5 * time.Minute), Recipient: a.Recipient},
			}},
		},
		Conditions: &saml.Conditions{
			NotBefore: now.Add(-time.Minute), NotOnOrAfter: now.Add(5 * time.Minute),
			AudienceRestrictions: []saml.AudienceRestriction{{Audience: saml.Audience{Value: a.Audience}}},
		},
		AuthnStatements: []saml.AuthnStatement{{
			AuthnInstant: now, SessionIndex: id, SessionNotOnOrAfter: &sessionEnd,
			AuthnContext: saml.AuthnContext{AuthnContextClassRef: &saml.AuthnContextClassRef{
				Value: "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"}},
		}},
		AttributeStatements: []saml.AttributeStatement{{Attributes: attrs}},
	}
	req := &saml.IdpAuthnRequest{
		IDP: p.idp, Now: now, Assertion: as,
		ACSEndpoint:     &saml.IndexedEndpoint{Location: a.Recipient},
		SPSSODescriptor: &saml.SPSSODescriptor{},
	}
	if err := req.MakeAssertionEl(); err != nil {
		return "", err
	}
	if err := req.MakeResponse(); err != nil {
		return "", err
	}
	doc := etree.NewDocument()
	doc.SetRoot(req.ResponseEl)
	b, err := doc.WriteToBytes()
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(b), nil
}

func attribute(name string, values ...string) saml.Attribute {
	at := saml.Attribute{Name: name, NameFormat: "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"}
	for _, v := range values {
		at.Values = append(at.Values, saml.AttributeValue{Type: "xs:string", Value: v})
	}
	return at
}
