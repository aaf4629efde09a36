package samlidentity

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"io"
	"strings"

	"github.com/beevik/etree"

	"github.com/opensts/opensts"
)

// MaxAssertionSize is the longest SAMLAssertion STS accepts, in base64
// characters (the model's bound, roles-spec §4.1; IAM's quota "SAML
// authentication response base64 encoded: 100,000 characters").
const MaxAssertionSize = 100000

// Bounds on the XML an unauthenticated caller sends. 100,000 base64
// characters are 75,000 bytes of XML; a real response nests about ten
// deep and has tens to a few hundred elements.
const (
	maxDepth      = 48
	maxElements   = 10000
	maxAttributes = 64 // per element
)

// SAML 2.0 and XML-DSig namespaces.
const (
	nsProtocol  = "urn:oasis:names:tc:SAML:2.0:protocol"
	nsAssertion = "urn:oasis:names:tc:SAML:2.0:assertion"
	nsDSig      = "http://www.w3.org/2000/09/xmldsig#"
)

// Response is a decoded, not yet verified, samlp:Response.
type Response struct {
	root   *etree.Element // the samlp:Response
	issuer string
}

// Issuer is the response's issuer, unverified: the Issuer of its one
// Assertion, else the Response's own Issuer; "" when there is neither.
func (r *Response) Issuer() string { return r.issuer }

func invalid(msg string) error { return opensts.Errorf(opensts.ErrInvalidIdentityToken, "%s", msg) }

// Decode base64-decodes samlAssertion (standard alphabet, padded or not,
// line breaks ignored) and parses the samlp:Response it holds (UTF-8, a
// byte order mark ignored). It refuses,
// before decoding, anything over MaxAssertionSize characters, and XML with
// a document type declaration (so no entity can be defined or expanded),
// duplicate attributes, more than 48 levels of nesting, 10,000 elements or
// 64 attributes on an element, or a root other than samlp:Response.
// Nothing is verified: Verify does that. Errors are of kind
// opensts.ErrInvalidIdentityToken.
func Decode(samlAssertion string) (*Response, error) {
	if len(samlAssertion) > MaxAssertionSize {
		return nil, invalid(msgTooLarge)
	}
	s := strings.TrimRight(samlAssertion, " \t\r\n")
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		raw, err = base64.RawStdEncoding.DecodeString(s)
	}
	if err != nil {
		return nil, &opensts.Error{Kind: opensts.ErrInvalidIdentityToken, Message: msgMalformed, Err: err}
	}
	raw = bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf")) // a UTF-8 byte order mark
	if err := scan(raw); err != nil {
		return nil, &opensts.Error{Kind: opensts.ErrInvalidIdentityToken, Message: msgMalformed, Err: err}
	}
	doc := etree.NewDocument()
	doc.ReadSettings.MaxDepth = maxDepth
	if err := doc.ReadFromBytes(raw); err != nil {
		return nil, &opensts.Error{Kind: opensts.ErrInvalidIdentityToken, Message: msgMalformed, Err: err}
	}
	root := doc.Root()
	if root == nil || !is(root, nsProtocol, "Response") {
		return nil, invalid(msgMalformed)
	}
	r := &Response{root: root}
	if as := children(root, nsAssertion, "Assertion"); len(as) == 1 {
		r.issuer = issuerOf(as[0])
	}
	if r.issuer == "" {
		r.issuer = issuerOf(root)
	}
	return r, nil
}

// scan reads the XML once with encoding/xml's strict decoder, which
// expands no entity but the five predefined ones, and refuses what the
// package does not want parsed: a DOCTYPE (or any other <!…> directive),
// duplicate attributes, excessive depth, element or attribute counts.
func scan(raw []byte) error {
	d := xml.NewDecoder(bytes.NewReader(raw))
	d.Strict = true
	depth, elements := 0, 0
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			if depth != 0 || elements == 0 {
				return errors.New("truncated document")
			}
			return nil
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 && elements > 0 {
				return errors.New("more than one root element")
			}
			depth++
			elements++
			if depth > maxDepth {
				return errors.New("too deeply nested")
			}
			if elements > maxElements {
				return errors.New("too many elements")
			}
			if len(t.Attr) > maxAttributes {
				return errors.New("too many attributes")
			}
			for i := range t.Attr {
				for j := range i {
					if t.Attr[i].Name == t.Attr[j].Name {
						return errors.New("duplicate attribute")
					}
				}
			}
		case xml.EndElement:
			depth--
		case xml.Directive:
			return errors.New("document type declarations are refused")
		case xml.CharData:
			if depth == 0 && len(bytes.TrimSpace(t)) != 0 {
				return errors.New("text outside the root element")
			}
		}
	}
}

// is reports whether el is the element {ns}tag.
func is(el *etree.Element, ns, tag string) bool {
	return el.Tag == tag && el.NamespaceURI() == ns
}

// children returns el's child elements {ns}tag.
func children(el *etree.Element, ns, tag string) []*etree.Element {
	var out []*etree.Element
	for _, c := range el.ChildElements() {
		if is(c, ns, tag) {
			out = append(out, c)
		}
	}
	return out
}

// child returns el's only child element {ns}tag; nil when there is none
// or more than one.
func child(el *etree.Element, ns, tag string) *etree.Element {
	if cs := children(el, ns, tag); len(cs) == 1 {
		return cs[0]
	}
	return nil
}

// text is el's character data: every text and CDATA child joined, comments
// skipped (a comment inside a signed value must not cut it short), with
// surrounding white space removed.
func text(el *etree.Element) string {
	var b strings.Builder
	for _, t := range el.Child {
		if cd, ok := t.(*etree.CharData); ok {
			b.WriteString(cd.Data)
		}
	}
	return strings.TrimSpace(b.String())
}

func issuerOf(el *etree.Element) string {
	if iss := child(el, nsAssertion, "Issuer"); iss != nil {
		return text(iss)
	}
	return ""
}
