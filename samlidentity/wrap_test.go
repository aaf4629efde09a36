package samlidentity_test

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/crewjam/saml"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/samlidentity"
)

// evilAssertion is an unsigned assertion for another session name and
// role, given id (the signed assertion's, for the wrapping attacks).
func evilAssertion(id string) *etree.Element {
	a := assertion(withoutAttr(attrSessionName), withoutAttr(attrRole),
		withAttrs(attr(attrSessionName, "mallory"), attr(attrRole, otherRole+","+providerARN)))
	a.ID = id
	return a.Element()
}

func idOf(el *etree.Element) string { return el.SelectAttrValue("ID", "") }

// TestVerify_signatureWrapping: rearrangements of a signed response that
// keep a valid signature somewhere in the document while offering other
// content (XML signature wrapping, Somorovsky et al. 2012). Each must be
// refused, and in particular never yield the evil assertion's session.
func TestVerify_signatureWrapping(t *testing.T) {
	testKeys(t)
	i := newIdP(t, idpKey, idpCert)
	evil := newIdP(t, evilKey, evilCrt)
	tests := map[string]func(t *testing.T) *etree.Element{
		"fail/unsigned assertion before the signed one": func(t *testing.T) *etree.Element {
			r := i.response(t, assertion(), signAssertion)
			signed := find(r, "Assertion")
			r.InsertChildAt(signed.Index(), evilAssertion(idOf(signed)))
			return r
		},
		"fail/unsigned assertion after the signed one": func(t *testing.T) *etree.Element {
			r := i.response(t, assertion(), signAssertion)
			r.AddChild(evilAssertion(idOf(find(r, "Assertion"))))
			return r
		},
		"fail/signed assertion moved into Extensions, evil one in its place": func(t *testing.T) *etree.Element {
			r := i.response(t, assertion(), signAssertion)
			signed := find(r, "Assertion")
			r.RemoveChild(signed)
			ext := etree.NewElement("samlp:Extensions")
			ext.AddChild(signed)
			r.InsertChildAt(find(r, "Status").Index(), ext)
			r.AddChild(evilAssertion(idOf(signed)))
			return r
		},
		"fail/evil assertion with the signed one's ID and Signature": func(t *testing.T) *etree.Element {
			r := i.response(t, assertion(), signAssertion)
			signed := find(r, "Assertion")
			e := evilAssertion(idOf(signed))
			e.InsertChildAt(1, find(signed, "Signature").Copy())
			r.RemoveChild(signed)
			r.AddChild(e)
			return r
		},
		"fail/signed assertion inside the Signature's Object of an evil one": func(t *testing.T) *etree.Element {
			r := i.response(t, assertion(), signAssertion)
			signed := find(r, "Assertion")
			e := evilAssertion(idOf(signed))
			sig := find(signed, "Signature").Copy()
			obj := etree.NewElement("ds:Object")
			obj.AddChild(signed.Copy())
			sig.AddChild(obj)
			e.InsertChildAt(1, sig)
			r.RemoveChild(signed)
			r.AddChild(e)
			return r
		},
		"fail/signed response wrapped in an evil response's Extensions": func(t *testing.T) *etree.Element {
			orig := i.response(t, assertion(), signResponse)
			r := i.response(t, assertion(), signNone)
			r.RemoveChild(find(r, "Assertion"))
			r.CreateAttr("ID", idOf(orig))
			r.InsertChildAt(1, find(orig, "Signature").Copy())
			ext := etree.NewElement("samlp:Extensions")
			ext.AddChild(orig)
			r.InsertChildAt(find(r, "Status").Index(), ext)
			r.AddChild(evilAssertion("evil-1"))
			return r
		},
		"fail/evil assertion added to a signed response": func(t *testing.T) *etree.Element {
			r := i.response(t, assertion(), signResponse)
			r.AddChild(evilAssertion("evil-2"))
			return r
		},
		"fail/assertion replaced in a signed response": func(t *testing.T) *etree.Element {
			r := i.response(t, assertion(), signResponse)
			a := find(r, "Assertion")
			r.RemoveChild(a)
			r.AddChild(evilAssertion(idOf(a)))
			return r
		},
		"fail/response signed by another key around an assertion signed by the IdP": func(t *testing.T) *etree.Element {
			a := i.response(t, assertion(), signAssertion)
			signed := find(a, "Assertion")
			req := &saml.IdpAuthnRequest{IDP: evil.IdentityProvider, Now: t0, AssertionEl: signed,
				ACSEndpoint: &saml.IndexedEndpoint{Location: signinURL}, SPSSODescriptor: &saml.SPSSODescriptor{}}
			if err := req.MakeResponse(); err != nil {
				t.Fatal(err)
			}
			return req.ResponseEl
		},
		"fail/attribute tampered after signing the response": func(t *testing.T) *etree.Element {
			r := i.response(t, assertion(), signResponse)
			find(r, "AttributeStatement").FindElement(".//Attribute[@Name='" + attrSessionName + "']/AttributeValue").SetText("mallory")
			return r
		},
		"fail/attribute tampered after signing the assertion": func(t *testing.T) *etree.Element {
			r := i.response(t, assertion(), signAssertion)
			find(r, "AttributeStatement").FindElement(".//Attribute[@Name='" + attrRole + "']/AttributeValue").SetText(otherRole + "," + providerARN)
			return r
		},
		"fail/NameID tampered after signing both": func(t *testing.T) *etree.Element {
			r := i.response(t, assertion(), signBoth)
			find(r, "NameID").SetText("root")
			return r
		},
		"fail/signature removed from a response signed twice, then tampered": func(t *testing.T) *etree.Element {
			r := i.response(t, assertion(), signBoth)
			r.RemoveChild(find(r, "Signature")) // the Response's (first)
			find(r, "NameID").SetText("root")
			return r
		},
	}
	for name, build := range tests {
		t.Run(name, func(t *testing.T) {
			v := samlidentity.New(samlidentity.Config{Now: (&clock{now: t0}).Now})
			raw := encode(t, build(t))
			for _, role := range []string{roleARN, otherRole} {
				got, err := verify(v, raw, provider(idpCert), role)
				if err == nil {
					t.Fatalf("accepted for %s: session %q, subject %q", role, got.SessionName, got.Subject)
				}
				var e *opensts.Error
				if !errors.As(err, &e) || !errors.Is(err, opensts.ErrInvalidIdentityToken) ||
					(e.Message != msgSignature && e.Message != msgAssertionCount) {
					t.Fatalf("error %v: want InvalidIdentityToken %q or %q", err, msgSignature, msgAssertionCount)
				}
			}
		})
	}
}

func TestVerify_replay(t *testing.T) {
	testKeys(t)
	i := newIdP(t, idpKey, idpCert)
	c := &clock{now: t0}
	v := samlidentity.New(samlidentity.Config{Now: c.Now})
	second := provider(idpCert)
	second.Name, second.ARN = "Second", "arn:aws:iam::123456789012:saml-provider/Second"
	a := assertion(withAttrs(attr(attrRole, roleARN+","+second.ARN)))
	raw := encode(t, i.response(t, a, signAssertion))
	if _, err := verify(v, raw, provider(idpCert), roleARN); err != nil {
		t.Fatal(err)
	}
	t.Run("fail/same response again", func(t *testing.T) {
		_, err := verify(v, raw, provider(idpCert), roleARN)
		checkErr(t, err, opensts.ErrInvalidIdentityToken, msgReplayed)
	})
	t.Run("fail/through another provider with the same certificates", func(t *testing.T) {
		_, err := verify(v, raw, second, roleARN)
		checkErr(t, err, opensts.ErrInvalidIdentityToken, msgReplayed)
	})
	t.Run("fail/the signed assertion in a new response", func(t *testing.T) {
		r := i.response(t, assertion(), signNone)
		r.RemoveChild(find(r, "Assertion"))
		dec, _ := samlidentity.Decode(raw)
		_ = dec
		orig := mustParse(t, raw)
		r.AddChild(find(orig, "Assertion"))
		_, err := verify(v, encode(t, r), provider(idpCert), roleARN)
		checkErr(t, err, opensts.ErrInvalidIdentityToken, msgReplayed)
	})
	t.Run("ok/same issuer and ID from another key (another account's provider) first", func(t *testing.T) {
		evil := newIdP(t, evilKey, evilCrt)
		real := assertion()
		fake := assertion()
		fake.ID = real.ID
		if _, err := verify(v, encode(t, evil.response(t, fake, signResponse)), provider(evilCrt), roleARN); err != nil {
			t.Fatal(err)
		}
		if _, err := verify(v, encode(t, i.response(t, real, signResponse)), provider(idpCert), roleARN); err != nil {
			t.Fatalf("the real assertion was refused: %v", err)
		}
	})
	t.Run("fail/after it expired, expired rather than accepted", func(t *testing.T) {
		c.now = t0.Add(11 * time.Minute)
		defer func() { c.now = t0 }()
		_, err := verify(v, raw, provider(idpCert), roleARN)
		checkErr(t, err, opensts.ErrIdentityTokenExpired, "")
	})
}

func mustParse(t *testing.T, raw string) *etree.Element {
	t.Helper()
	xml, err := base64Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromString(xml); err != nil {
		t.Fatal(err)
	}
	return doc.Root()
}

// TestVerify_replayConcurrent: of many concurrent uses of one assertion,
// exactly one is accepted.
func TestVerify_replayConcurrent(t *testing.T) {
	testKeys(t)
	i := newIdP(t, idpKey, idpCert)
	v := samlidentity.New(samlidentity.Config{Now: (&clock{now: t0}).Now})
	raw := encode(t, i.response(t, assertion(), signResponse))
	var ok atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := verify(v, raw, provider(idpCert), roleARN); err == nil {
				ok.Add(1)
			} else if !errors.Is(err, opensts.ErrInvalidIdentityToken) {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if ok.Load() != 1 {
		t.Errorf("%d of 8 accepted, want 1", ok.Load())
	}
}

// TestVerify_replayCacheFull: a full cache refuses (Throttled) rather
// than forget an assertion that could be replayed, and frees entries as
// they expire.
func TestVerify_replayCacheFull(t *testing.T) {
	testKeys(t)
	i := newIdP(t, idpKey, idpCert)
	c := &clock{now: t0}
	v := samlidentity.New(samlidentity.Config{Now: c.Now, ReplayCacheSize: 2})
	short := func(a *saml.Assertion) {
		a.Subject.SubjectConfirmations[0].SubjectConfirmationData.NotOnOrAfter = t0.Add(time.Minute)
	}
	for range 2 {
		if _, err := verify(v, encode(t, i.response(t, assertion(short), signResponse)), provider(idpCert), roleARN); err != nil {
			t.Fatal(err)
		}
	}
	late := encode(t, i.response(t, assertion(func(a *saml.Assertion) {
		a.Conditions.NotBefore = t0
	}), signResponse))
	_, err := verify(v, late, provider(idpCert), roleARN)
	checkErr(t, err, opensts.ErrThrottled, "Rate exceeded")
	c.now = t0.Add(4 * time.Minute) // the two are within skew still
	_, err = verify(v, late, provider(idpCert), roleARN)
	checkErr(t, err, opensts.ErrThrottled, "Rate exceeded")
	c.now = t0.Add(6*time.Minute + time.Second) // past NotOnOrAfter + skew
	if _, err := verify(v, late, provider(idpCert), roleARN); err != nil {
		t.Fatal(err)
	}
}

// TestDecode_entitiesRefusedFast: a billion-laughs document is refused at
// its DOCTYPE, before any expansion.
func TestDecode_entitiesRefusedFast(t *testing.T) {
	raw := b64(billionLaughs)
	start := time.Now()
	for range 100 {
		if _, err := samlidentity.Decode(raw); err == nil {
			t.Fatal("accepted")
		}
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("100 refusals took %v", d)
	}
}
