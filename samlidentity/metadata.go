package samlidentity

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// The SAML 2.0 metadata namespace and the protocol an IdP must support
// (decode.go has the others).
const (
	nsMetadata = "urn:oasis:names:tc:SAML:2.0:metadata"
	protoSAML2 = nsProtocol
)

// Limits on what ParseMetadata accepts (roles-spec §4.2).
const (
	MaxSigningCertificates = 10   // IAM's signing keys per SAML provider
	MinRSABits             = 1024 // IAM refuses smaller RSA keys
	maxEntityIDLen         = 1024 // SAML 2.0 core §8.3.6
)

// Metadata is what OpenSTS keeps from an IdP's SAML 2.0 metadata document:
// the IdP's entity id (an assertion's Issuer) and the certificates whose
// keys may sign its responses and assertions.
type Metadata struct {
	EntityID     string
	Certificates []*x509.Certificate
	// ValidUntil is the earliest validUntil of the descriptors that hold
	// the IdP (EntitiesDescriptor, EntityDescriptor, IDPSSODescriptor),
	// zero when none has one.
	ValidUntil time.Time
}

// ParseMetadata reads an IdP's SAML 2.0 metadata document, as IAM's
// CreateSAMLProvider and UpdateSAMLProvider take it (roles-spec §4.2):
//
//   - UTF-8 without a byte order mark or NUL, no DTD (<!DOCTYPE is refused, and
//     so is every other <! declaration outside comments and CDATA);
//   - one md:EntityDescriptor, or an md:EntitiesDescriptor holding exactly
//     one EntityDescriptor with an IDPSSODescriptor (others, such as
//     service providers, are ignored);
//   - exactly one IDPSSODescriptor supporting the SAML 2.0 protocol;
//   - an entityID of 1–1024 characters;
//   - 1–10 distinct signing certificates: the ds:X509Certificate values (base64
//     DER) of the IDPSSODescriptor's KeyDescriptors whose use is "signing"
//     or absent; RSA keys of at least 1024 bits or ECDSA keys. Certificates
//     are not checked for expiry or chained to a CA: the metadata pins them.
//     A certificate that repeats an extension is refused (crypto/x509).
//
// Errors say what is wrong, for logs; IAM answers every one with
// InvalidInput "Could not parse metadata.".
func ParseMetadata(doc string) (Metadata, error) {
	switch {
	case !utf8.ValidString(doc):
		return Metadata{}, errors.New("metadata is not UTF-8")
	case strings.IndexByte(doc, 0) >= 0: // not an XML character; no store keeps it in text
		return Metadata{}, errors.New("metadata holds a NUL character")
	case strings.HasPrefix(doc, "\uFEFF"):
		return Metadata{}, errors.New("metadata starts with a byte order mark")
	case strings.Contains(doc, "<!DOCTYPE"):
		return Metadata{}, errors.New("metadata has a document type declaration")
	}
	root, err := decodeRoot(doc)
	if err != nil {
		return Metadata{}, err
	}
	var (
		ed    *entityDescriptor
		until time.Time
	)
	switch root.XMLName {
	case xml.Name{Space: nsMetadata, Local: "EntityDescriptor"}:
		ed = &root.entityDescriptor
	case xml.Name{Space: nsMetadata, Local: "EntitiesDescriptor"}:
		if until, err = earliest(until, root.ValidUntil); err != nil {
			return Metadata{}, err
		}
		for i := range root.Entities {
			if len(root.Entities[i].IDPs) == 0 {
				continue
			}
			if ed != nil {
				return Metadata{}, errors.New("EntitiesDescriptor holds more than one identity provider")
			}
			ed = &root.Entities[i]
		}
		if ed == nil {
			return Metadata{}, errors.New("EntitiesDescriptor holds no identity provider")
		}
	default:
		return Metadata{}, fmt.Errorf("root element is {%s}%s, not an md:EntityDescriptor or md:EntitiesDescriptor", root.XMLName.Space, root.XMLName.Local)
	}
	return ed.metadata(until)
}

// decodeRoot decodes the document's one root element. A declaration
// (<!…>) before it, or any element or text after it, is refused.
func decodeRoot(doc string) (*rootElement, error) {
	d := xml.NewDecoder(strings.NewReader(doc))
	d.Strict = true
	var root rootElement
	for {
		tok, err := d.Token()
		if err != nil {
			return nil, fmt.Errorf("metadata has no root element: %w", err)
		}
		switch tok := tok.(type) {
		case xml.Directive:
			return nil, errors.New("metadata has a <! declaration")
		case xml.CharData:
			if len(bytes.TrimSpace(tok)) > 0 {
				return nil, errors.New("metadata has text outside its root element")
			}
			continue
		case xml.StartElement:
			if err := d.DecodeElement(&root, &tok); err != nil {
				return nil, fmt.Errorf("decode metadata: %w", err)
			}
		default: // xml.ProcInst, xml.Comment
			continue
		}
		break
	}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return &root, nil
		}
		if err != nil {
			return nil, fmt.Errorf("after the metadata's root element: %w", err)
		}
		switch tok := tok.(type) {
		case xml.CharData:
			if len(bytes.TrimSpace(tok)) > 0 {
				return nil, errors.New("metadata has text after its root element")
			}
		case xml.Comment, xml.ProcInst:
		default:
			return nil, errors.New("metadata has more than its root element")
		}
	}
}

// rootElement decodes either root: an EntityDescriptor's fields, or an
// EntitiesDescriptor's validUntil and EntityDescriptors.
type rootElement struct {
	XMLName xml.Name
	entityDescriptor
	Entities []entityDescriptor `xml:"urn:oasis:names:tc:SAML:2.0:metadata EntityDescriptor"`
}

type entityDescriptor struct {
	EntityID   string             `xml:"entityID,attr"`
	ValidUntil string             `xml:"validUntil,attr"`
	IDPs       []idpSSODescriptor `xml:"urn:oasis:names:tc:SAML:2.0:metadata IDPSSODescriptor"`
}

type idpSSODescriptor struct {
	ValidUntil string          `xml:"validUntil,attr"`
	Protocols  string          `xml:"protocolSupportEnumeration,attr"`
	Keys       []keyDescriptor `xml:"urn:oasis:names:tc:SAML:2.0:metadata KeyDescriptor"`
}

type keyDescriptor struct {
	Use     string `xml:"use,attr"`
	KeyInfo struct {
		X509Data []struct {
			Certificates []string `xml:"http://www.w3.org/2000/09/xmldsig# X509Certificate"`
		} `xml:"http://www.w3.org/2000/09/xmldsig# X509Data"`
	} `xml:"http://www.w3.org/2000/09/xmldsig# KeyInfo"`
}

func (ed *entityDescriptor) metadata(until time.Time) (Metadata, error) {
	if ed.EntityID == "" || utf8.RuneCountInString(ed.EntityID) > maxEntityIDLen {
		return Metadata{}, fmt.Errorf("entityID of %d characters, want 1–%d", utf8.RuneCountInString(ed.EntityID), maxEntityIDLen)
	}
	if len(ed.IDPs) != 1 {
		return Metadata{}, fmt.Errorf("entity %s has %d IDPSSODescriptors, want 1", ed.EntityID, len(ed.IDPs))
	}
	idp := ed.IDPs[0]
	if !containsField(idp.Protocols, protoSAML2) {
		return Metadata{}, fmt.Errorf("IDPSSODescriptor does not support %s", protoSAML2)
	}
	var err error
	if until, err = earliest(until, ed.ValidUntil); err != nil {
		return Metadata{}, err
	}
	if until, err = earliest(until, idp.ValidUntil); err != nil {
		return Metadata{}, err
	}
	md := Metadata{EntityID: ed.EntityID, ValidUntil: until}
	for _, kd := range idp.Keys {
		switch kd.Use {
		case "signing", "":
		case "encryption":
			continue
		default:
			return Metadata{}, fmt.Errorf("KeyDescriptor use %q", kd.Use)
		}
		for _, data := range kd.KeyInfo.X509Data {
			for _, text := range data.Certificates {
				cert, err := parseCertificate(text)
				if err != nil {
					return Metadata{}, err
				}
				if !containsCert(md.Certificates, cert) {
					md.Certificates = append(md.Certificates, cert)
				}
			}
		}
	}
	switch n := len(md.Certificates); {
	case n == 0:
		return Metadata{}, errors.New("IDPSSODescriptor has no signing certificate")
	case n > MaxSigningCertificates:
		return Metadata{}, fmt.Errorf("IDPSSODescriptor has %d signing certificates, at most %d allowed", n, MaxSigningCertificates)
	}
	return md, nil
}

// parseCertificate reads a ds:X509Certificate value: base64 DER, any
// whitespace ignored, with an RSA key of at least 1024 bits or an ECDSA key.
func parseCertificate(text string) (*x509.Certificate, error) {
	b64 := strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, text)
	der, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, fmt.Errorf("X509Certificate is not base64: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("X509Certificate: %w", err)
	}
	switch key := cert.PublicKey.(type) {
	case *rsa.PublicKey:
		if key.N.BitLen() < MinRSABits {
			return nil, fmt.Errorf("certificate %s: RSA key of %d bits, at least %d required", cert.Subject, key.N.BitLen(), MinRSABits)
		}
	case *ecdsa.PublicKey:
	default:
		return nil, fmt.Errorf("certificate %s: %s key, want RSA or ECDSA", cert.Subject, cert.PublicKeyAlgorithm)
	}
	return cert, nil
}

func containsCert(list []*x509.Certificate, c *x509.Certificate) bool {
	for _, have := range list {
		if have.Equal(c) {
			return true
		}
	}
	return false
}

// containsField reports whether the space-separated list holds s.
func containsField(list, s string) bool {
	for _, f := range strings.Fields(list) {
		if f == s {
			return true
		}
	}
	return false
}

// earliest returns the earlier of t and the xs:dateTime v ("" leaves t as
// it is; a dateTime without a zone is UTC).
func earliest(t time.Time, v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return t, nil
	}
	u, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		if u, err = time.ParseInLocation("2006-01-02T15:04:05.999999999", v, time.UTC); err != nil {
			return time.Time{}, fmt.Errorf("validUntil %q is not an xs:dateTime", v)
		}
	}
	u = u.UTC()
	if t.IsZero() || u.Before(t) {
		return u, nil
	}
	return t, nil
}
