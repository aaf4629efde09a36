package samlidentity_test

import (
	"strings"
	"testing"

	"github.com/beevik/etree"
	"github.com/crewjam/saml"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/samlidentity"
)

// TestVerify_responseErrors: refusals that concern the Response around
// the assertion, each built by the IdP with the Response signed.
func TestVerify_responseErrors(t *testing.T) {
	testKeys(t)
	i := newIdP(t, idpKey, idpCert)
	signedResponse := func(t *testing.T, assertionEl *etree.Element, mod func(*saml.IdpAuthnRequest)) string {
		req := &saml.IdpAuthnRequest{IDP: i.IdentityProvider, Now: t0, AssertionEl: assertionEl,
			ACSEndpoint: &saml.IndexedEndpoint{Location: signinURL}, SPSSODescriptor: &saml.SPSSODescriptor{}}
		if mod != nil {
			mod(req)
		}
		if err := req.MakeResponse(); err != nil {
			t.Fatal(err)
		}
		return encode(t, req.ResponseEl)
	}
	encrypted := etree.NewElement("saml:EncryptedAssertion")
	encrypted.CreateElement("xenc:EncryptedData").CreateAttr("xmlns:xenc", "http://www.w3.org/2001/04/xmlenc#")
	tests := map[string]struct {
		raw  func(t *testing.T) string
		kind error
		msg  string
	}{
		"fail/encrypted assertion": {
			raw:  func(t *testing.T) string { return signedResponse(t, encrypted, nil) },
			kind: opensts.ErrInvalidIdentityToken, msg: "Encrypted SAML assertions are not supported",
		},
		"fail/wrong Destination": {
			raw: func(t *testing.T) string {
				return signedResponse(t, assertion().Element(), func(r *saml.IdpAuthnRequest) {
					r.ACSEndpoint.Location = "https://evil.example.com/saml"
				})
			},
			kind: opensts.ErrInvalidIdentityToken, msg: "The SAML response's Destination is not an accepted sign-in URL",
		},
		"fail/status not Success": {
			raw: func(t *testing.T) string {
				r := i.response(t, assertion(), signAssertion)
				find(r, "StatusCode").CreateAttr("Value", "urn:oasis:names:tc:SAML:2.0:status:Responder")
				return encode(t, r)
			},
			kind: opensts.ErrInvalidIdentityToken, msg: "The SAML response's status is not Success",
		},
		"fail/Response issuer differs": {
			raw: func(t *testing.T) string {
				r := i.response(t, assertion(), signAssertion)
				find(r, "Issuer").SetText("https://evil.example.com")
				return encode(t, r)
			},
			kind: opensts.ErrInvalidIdentityToken, msg: msgIssuer,
		},
		"fail/no Conditions": {
			raw: func(t *testing.T) string {
				return encode(t, i.response(t, assertion(func(a *saml.Assertion) { a.Conditions = nil }), signAssertion))
			},
			kind: opensts.ErrInvalidIdentityToken, msg: "The SAML assertion has no Conditions or a condition OpenSTS does not understand",
		},
		"fail/condition not understood": {
			raw: func(t *testing.T) string {
				a := assertion().Element()
				find(a, "Conditions").CreateElement("saml:Condition")
				return signedResponse(t, a, nil)
			},
			kind: opensts.ErrInvalidIdentityToken, msg: "The SAML assertion has no Conditions or a condition OpenSTS does not understand",
		},
		"fail/two source identities": {
			raw: func(t *testing.T) string {
				return encode(t, i.response(t, assertion(withAttrs(attr(attrSourceID, "alice", "bob"))), signResponse))
			},
			kind: opensts.ErrInvalidIdentityToken, msg: msgSourceIdentity,
		},
		"fail/malformed NotOnOrAfter": {
			raw: func(t *testing.T) string {
				a := assertion().Element()
				find(a, "SubjectConfirmationData").CreateAttr("NotOnOrAfter", "tomorrow")
				return signedResponse(t, a, nil)
			},
			kind: opensts.ErrInvalidIdentityToken, msg: "The SAML assertion has a malformed date/time",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			v := samlidentity.New(samlidentity.Config{Now: (&clock{now: t0}).Now})
			_, err := verify(v, tc.raw(t), provider(idpCert), roleARN)
			checkErr(t, err, tc.kind, tc.msg)
		})
	}
	t.Run("fail/nil response", func(t *testing.T) {
		_, err := samlidentity.New(samlidentity.Config{}).Verify(nil, provider(idpCert), roleARN)
		checkErr(t, err, opensts.ErrInvalidIdentityToken, msgMalformed)
	})
	t.Run("fail/no certificates", func(t *testing.T) {
		v := samlidentity.New(samlidentity.Config{Now: (&clock{now: t0}).Now})
		_, err := verify(v, encode(t, i.response(t, assertion(), signBoth)), provider(), roleARN)
		checkErr(t, err, opensts.ErrInvalidIdentityToken, msgSignature)
	})
}

// TestDecode_encodings: base64 as IdPs and tools post it: with line
// breaks, unpadded, with a trailing newline; Issuer is the Assertion's.
func TestDecode_encodings(t *testing.T) {
	testKeys(t)
	i := newIdP(t, idpKey, idpCert)
	raw := encode(t, i.response(t, assertion(), signBoth))
	var wrapped strings.Builder
	for k := 0; k < len(raw); k += 76 {
		wrapped.WriteString(raw[k:min(k+76, len(raw))])
		wrapped.WriteString("\r\n")
	}
	for name, s := range map[string]string{
		"line breaks": wrapped.String(),
		"unpadded":    strings.TrimRight(raw, "="),
		"newline":     raw + "\n",
		"byte order mark": func() string {
			x, _ := base64Decode(raw)
			return b64("\ufeff" + x)
		}(),
	} {
		t.Run(name, func(t *testing.T) {
			r, err := samlidentity.Decode(s)
			if err != nil {
				t.Fatal(err)
			}
			if r.Issuer() != entityID {
				t.Errorf("Issuer() = %q", r.Issuer())
			}
			v := samlidentity.New(samlidentity.Config{Now: (&clock{now: t0}).Now})
			if _, err := v.Verify(r, provider(idpCert), roleARN); err != nil {
				t.Fatal(err)
			}
		})
	}
}
