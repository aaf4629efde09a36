package samlidentity_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/crewjam/saml"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/samlidentity"
)

const (
	msgSignature      = "Response signature invalid"
	msgAudience       = "Response does not contain the required audience."
	msgNoSessionName  = "RoleSessionName is required in AuthnResponse"
	msgBadSessionName = "RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}"
	msgSourceIdentity = `Source Identity must match [a-zA-Z_0-9+=,.@-]{2,64} and not begin with "aws:"`
	msgNotAuthorized  = "Not authorized to perform sts:AssumeRoleWithSAML"
	msgIssuer         = "Issuer not present in specified provider"
	msgMalformed      = "The SAML assertion provided is not a base64-encoded SAML 2.0 Response"
	msgAssertionCount = "The SAML response must contain exactly one Assertion"
	msgReplayed       = "The SAML assertion has already been used"
)

func TestNameQualifier(t *testing.T) {
	tests := []struct{ issuer, account, name, want string }{
		{"https://example.com/saml", "123456789012", "MySAMLIdP", "1uAJanUnBc2XeUkHURMht+xam2c="},
		{"https://integ.example.com/idp/shibboleth", "123456789012", "SAML-test", "h+wxl3tEgK1s2mVZeB/3Iu3VyiM="},
	}
	for _, tc := range tests {
		if got := samlidentity.NameQualifier(tc.issuer, tc.account, tc.name); got != tc.want {
			t.Errorf("NameQualifier(%q, %q, %q) = %q, want %q", tc.issuer, tc.account, tc.name, got, tc.want)
		}
	}
}

func TestVerify_ok(t *testing.T) {
	testKeys(t)
	i := newIdP(t, idpKey, idpCert)
	sha1IdP := newIdP(t, idpKey, idpCert)
	sha1IdP.SignatureMethod = dsig.RSASHA1SignatureMethod
	c := &clock{now: t0}
	v := samlidentity.New(samlidentity.Config{Now: c.Now, Recipients: []string{"https://sts.example.org/saml"}})
	sessionEnd := t0.Add(8 * time.Hour)
	base := samlidentity.Assertion{
		Issuer: entityID, Subject: "alice", SubjectType: "persistent",
		NameQualifier: samlidentity.NameQualifier(entityID, account, "MySAMLIdP"),
		Audience:      signinURL, SessionName: "alice@example.com",
		SessionNotOnOrAfter: sessionEnd, NotOnOrAfter: t0.Add(5 * time.Minute),
	}
	keys := func(extra map[string][]string) map[string][]string {
		m := map[string][]string{
			"saml:aud": {signinURL}, "saml:iss": {entityID}, "saml:sub": {"alice"}, "saml:sub_type": {"persistent"},
			"saml:namequalifier": {base.NameQualifier}, "saml:doc": {account + "/MySAMLIdP"},
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	with := func(f func(*samlidentity.Assertion)) samlidentity.Assertion {
		a := base
		a.ConditionKeys = keys(nil)
		f(&a)
		return a
	}
	tests := map[string]struct {
		idp     *idp
		a       *saml.Assertion
		signing signing
		certs   []*x509Cert
		want    samlidentity.Assertion
	}{
		"ok/response signed":  {a: assertion(), signing: signResponse, want: with(func(*samlidentity.Assertion) {})},
		"ok/assertion signed": {a: assertion(), signing: signAssertion, want: with(func(*samlidentity.Assertion) {})},
		"ok/both signed":      {a: assertion(), signing: signBoth, want: with(func(*samlidentity.Assertion) {})},
		"ok/RSA-SHA1":         {idp: sha1IdP, a: assertion(), signing: signBoth, want: with(func(*samlidentity.Assertion) {})},
		"ok/several Role values, provider first": {
			a: assertion(withoutAttr(attrRole), withAttrs(attr(attrRole,
				otherRole+","+providerARN, providerARN+","+roleARN))),
			signing: signResponse, want: with(func(*samlidentity.Assertion) {}),
		},
		"ok/Role in two Attribute elements, spaces around the comma": {
			a: assertion(withoutAttr(attrRole), withAttrs(attr(attrRole, otherRole+","+providerARN),
				attr(attrRole, roleARN+" , "+providerARN))),
			signing: signAssertion, want: with(func(*samlidentity.Assertion) {}),
		},
		"ok/tags, transitive keys, source identity, session duration, mapped attributes": {
			a: assertion(withAttrs(
				attr(attrTag+"Project", "Automation"), attr(attrTag+"CostCenter", "987654"),
				attr(attrTransitive, "project", "Project"),
				attr(attrSourceID, "alice"), attr(attrDuration, "1800"),
				attr("urn:oid:0.9.2342.19200300.100.1.3", "alice@example.com"),
				attr("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress", "second@example.com"),
				attr("urn:oid:1.3.6.1.4.1.5923.1.1.1.1", "member", "staff"),
				attr("urn:oid:2.5.4.3", "Alice"),
				attr("2.5.4.45", "x500-id"),
				attr("http://schemas.microsoft.com/ws/2008/06/identity/claims/primarygroupsid", "S-1-5-21-513"),
				attr("urn:oid:0.9.2342.19200300.100.1.1", "second-uid"),
			)),
			signing: signBoth,
			want: with(func(a *samlidentity.Assertion) {
				a.Tags = []opensts.Tag{{Key: "CostCenter", Value: "987654"}, {Key: "Project", Value: "Automation"}}
				a.TransitiveTagKeys = []string{"project"}
				a.SourceIdentity, a.SessionDuration = "alice", 1800
				a.ConditionKeys = keys(map[string][]string{
					"saml:mail": {"alice@example.com"}, "saml:edupersonaffiliation": {"member", "staff"},
					"saml:cn": {"Alice"}, "saml:commonName": {"Alice"}, "saml:x500UniqueIdentifier": {"x500-id"},
					"saml:uid": {"S-1-5-21-513"}, "saml:primaryGroupSID": {"S-1-5-21-513"},
				})
			}),
		},
		"ok/transient NameID, regional recipient, sign-in audience, no SessionNotOnOrAfter": {
			a: assertion(func(a *saml.Assertion) {
				a.Subject.NameID.Format = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient"
				a.Subject.SubjectConfirmations[0].SubjectConfirmationData.Recipient = "https://eu-west-1.signin.aws.amazon.com/saml"
				a.Conditions.AudienceRestrictions[0].Audience.Value = signinURL
				a.AuthnStatements[0].SessionNotOnOrAfter = nil
			}),
			signing: signResponse,
			want: with(func(a *samlidentity.Assertion) {
				a.SubjectType, a.Audience, a.SessionNotOnOrAfter = "transient", "https://eu-west-1.signin.aws.amazon.com/saml", time.Time{}
				a.ConditionKeys["saml:sub_type"] = []string{"transient"}
				a.ConditionKeys["saml:aud"] = []string{a.Audience}
			}),
		},
		"ok/emailAddress NameID kept whole, configured recipient, earlier Conditions NotOnOrAfter": {
			a: assertion(func(a *saml.Assertion) {
				a.Subject.NameID.Format = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
				a.Subject.SubjectConfirmations[0].SubjectConfirmationData.Recipient = "https://sts.example.org/saml"
				a.Conditions.NotOnOrAfter = t0.Add(2 * time.Minute)
			}),
			signing: signAssertion,
			want: with(func(a *samlidentity.Assertion) {
				a.SubjectType, a.Audience = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress", "https://sts.example.org/saml"
				a.NotOnOrAfter = t0.Add(2 * time.Minute)
				a.ConditionKeys["saml:sub_type"] = []string{a.SubjectType}
				a.ConditionKeys["saml:aud"] = []string{a.Audience}
			}),
		},
		"ok/expired certificate (a trust anchor, not checked)": {
			a: assertion(), signing: signResponse, certs: []*x509Cert{expiredCert},
			want: with(func(*samlidentity.Assertion) {}),
		},
		"ok/second of two certificates": {
			a: assertion(), signing: signAssertion, certs: []*x509Cert{evilCrt, idpCert},
			want: with(func(*samlidentity.Assertion) {}),
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			signer := i
			if tc.idp != nil {
				signer = tc.idp
			}
			certs := tc.certs
			if certs == nil {
				certs = []*x509Cert{idpCert}
			}
			raw := encode(t, signer.response(t, tc.a, tc.signing))
			got, err := verify(v, raw, provider(certs...), roleARN)
			if err != nil {
				t.Fatal(err)
			}
			tc.want.ID = tc.a.ID
			if diff := cmp.Diff(&tc.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("assertion (-want +got):\n%s", diff)
			}
		})
	}
}

// TestVerify_commentInNameID: a comment inside a signed value does not
// change the signature (exclusive canonicalization drops comments) and
// must not cut the value short (the 2018 SAML comment truncation attack).
func TestVerify_commentInNameID(t *testing.T) {
	testKeys(t)
	i := newIdP(t, idpKey, idpCert)
	v := samlidentity.New(samlidentity.Config{Now: (&clock{now: t0}).Now})
	for _, s := range []signing{signResponse, signAssertion} {
		el := i.response(t, assertion(func(a *saml.Assertion) { a.Subject.NameID.Value = "alice@example.com.evil.org" }), s)
		raw := encode(t, el)
		xml, _ := base64Decode(raw)
		xml = strings.Replace(xml, "alice@example.com.evil.org", "alice@example.com<!---->.evil.org", 1)
		got, err := verify(v, b64(xml), provider(idpCert), roleARN)
		if err != nil {
			t.Fatal(err)
		}
		if got.Subject != "alice@example.com.evil.org" {
			t.Errorf("signing %d: Subject = %q", s, got.Subject)
		}
	}
}

func TestVerify_errors(t *testing.T) {
	testKeys(t)
	i := newIdP(t, idpKey, idpCert)
	evil := newIdP(t, evilKey, evilCrt)
	c := &clock{now: t0}
	v := samlidentity.New(samlidentity.Config{Now: c.Now})
	type tcase struct {
		raw  string
		role string
		kind error
		msg  string // "" when any message of kind will do
	}
	signedResp := func(mods ...func(*saml.Assertion)) string {
		return encode(t, i.response(t, assertion(mods...), signResponse))
	}
	signedAssertion := func(mods ...func(*saml.Assertion)) string {
		return encode(t, i.response(t, assertion(mods...), signAssertion))
	}
	tests := map[string]tcase{
		"fail/unsigned":                {raw: encode(t, i.response(t, assertion(), signNone)), kind: opensts.ErrInvalidIdentityToken, msg: msgSignature},
		"fail/signed by another key":   {raw: encode(t, evil.response(t, assertion(), signBoth)), kind: opensts.ErrInvalidIdentityToken, msg: msgSignature},
		"fail/wrong issuer":            {raw: signedResp(func(a *saml.Assertion) { a.Issuer.Value = "https://evil.example.com" }), kind: opensts.ErrInvalidIdentityToken, msg: msgIssuer},
		"fail/wrong audience":          {raw: signedResp(func(a *saml.Assertion) { a.Conditions.AudienceRestrictions[0].Audience.Value = "urn:evil" }), kind: opensts.ErrInvalidIdentityToken, msg: msgAudience},
		"fail/no audience restriction": {raw: signedAssertion(func(a *saml.Assertion) { a.Conditions.AudienceRestrictions = nil }), kind: opensts.ErrInvalidIdentityToken, msg: msgAudience},
		"fail/second restriction unmet": {raw: signedAssertion(func(a *saml.Assertion) {
			a.Conditions.AudienceRestrictions = append(a.Conditions.AudienceRestrictions, saml.AudienceRestriction{Audience: saml.Audience{Value: "urn:other"}})
		}), kind: opensts.ErrInvalidIdentityToken, msg: msgAudience},
		"fail/wrong recipient": {raw: signedResp(func(a *saml.Assertion) {
			a.Subject.SubjectConfirmations[0].SubjectConfirmationData.Recipient = "https://evil.example.com/saml"
		}), kind: opensts.ErrInvalidIdentityToken},
		"fail/recipient lookalike": {raw: signedResp(func(a *saml.Assertion) {
			a.Subject.SubjectConfirmations[0].SubjectConfirmationData.Recipient = "https://us-east-1.signin.aws.amazon.com.evil.org/saml"
		}), kind: opensts.ErrInvalidIdentityToken},
		"fail/expired subject confirmation": {raw: signedResp(func(a *saml.Assertion) {
			a.Subject.SubjectConfirmations[0].SubjectConfirmationData.NotOnOrAfter = t0.Add(-6 * time.Minute)
		}), kind: opensts.ErrIdentityTokenExpired},
		"fail/expired conditions":  {raw: signedResp(func(a *saml.Assertion) { a.Conditions.NotOnOrAfter = t0.Add(-6 * time.Minute) }), kind: opensts.ErrIdentityTokenExpired},
		"fail/NotBefore in future": {raw: signedResp(func(a *saml.Assertion) { a.Conditions.NotBefore = t0.Add(6 * time.Minute) }), kind: opensts.ErrInvalidIdentityToken},
		"fail/no NotOnOrAfter on confirmation": {raw: signedResp(func(a *saml.Assertion) {
			a.Subject.SubjectConfirmations[0].SubjectConfirmationData.NotOnOrAfter = time.Time{}
		}), kind: opensts.ErrInvalidIdentityToken},
		"fail/two bearer confirmations": {raw: signedResp(func(a *saml.Assertion) {
			a.Subject.SubjectConfirmations = append(a.Subject.SubjectConfirmations, a.Subject.SubjectConfirmations[0])
		}), kind: opensts.ErrInvalidIdentityToken},
		"fail/bearer and holder-of-key": {raw: signedResp(func(a *saml.Assertion) {
			a.Subject.SubjectConfirmations = append(a.Subject.SubjectConfirmations, saml.SubjectConfirmation{Method: "urn:oasis:names:tc:SAML:2.0:cm:holder-of-key"})
		}), kind: opensts.ErrInvalidIdentityToken},
		"fail/holder-of-key only": {raw: signedResp(func(a *saml.Assertion) {
			a.Subject.SubjectConfirmations[0].Method = "urn:oasis:names:tc:SAML:2.0:cm:holder-of-key"
		}), kind: opensts.ErrInvalidIdentityToken},
		"fail/missing NameID":          {raw: signedResp(func(a *saml.Assertion) { a.Subject.NameID = nil }), kind: opensts.ErrAccessDenied, msg: msgNotAuthorized},
		"fail/missing RoleSessionName": {raw: signedResp(withoutAttr(attrSessionName)), kind: opensts.ErrInvalidIdentityToken, msg: msgNoSessionName},
		"fail/bad RoleSessionName":     {raw: signedResp(withoutAttr(attrSessionName), withAttrs(attr(attrSessionName, "alice smith"))), kind: opensts.ErrInvalidIdentityToken, msg: msgBadSessionName},
		"fail/short RoleSessionName":   {raw: signedResp(withoutAttr(attrSessionName), withAttrs(attr(attrSessionName, "a"))), kind: opensts.ErrInvalidIdentityToken, msg: msgBadSessionName},
		"fail/two RoleSessionNames":    {raw: signedResp(withAttrs(attr(attrSessionName, "bob"))), kind: opensts.ErrInvalidIdentityToken, msg: msgBadSessionName},
		"fail/role not in assertion":   {raw: signedResp(), role: otherRole, kind: opensts.ErrAccessDenied, msg: msgNotAuthorized},
		"fail/role with another provider": {raw: signedResp(withoutAttr(attrRole), withAttrs(attr(attrRole, roleARN+",arn:aws:iam::123456789012:saml-provider/Other"))),
			kind: opensts.ErrAccessDenied, msg: msgNotAuthorized},
		"fail/no Role attribute":            {raw: signedResp(withoutAttr(attrRole)), kind: opensts.ErrAccessDenied, msg: msgNotAuthorized},
		"fail/aws: source identity":         {raw: signedResp(withAttrs(attr(attrSourceID, "aws:admin"))), kind: opensts.ErrInvalidIdentityToken, msg: msgSourceIdentity},
		"fail/SessionDuration out of range": {raw: signedResp(withAttrs(attr(attrDuration, "60"))), kind: opensts.ErrInvalidIdentityToken},
		"fail/aws: tag":                     {raw: signedResp(withAttrs(attr(attrTag+"aws:x", "v"))), kind: opensts.ErrInvalidIdentityToken},
		"fail/duplicate tag keys":           {raw: signedResp(withAttrs(attr(attrTag+"Team", "a"), attr(attrTag+"team", "b"))), kind: opensts.ErrInvalidIdentityToken},
		"fail/tag value too long":           {raw: signedResp(withAttrs(attr(attrTag+"Team", strings.Repeat("x", 257)))), kind: opensts.ErrInvalidIdentityToken},
		"fail/transitive key not a tag":     {raw: signedResp(withAttrs(attr(attrTag+"Team", "a"), attr(attrTransitive, "Other"))), kind: opensts.ErrInvalidIdentityToken},
		"fail/51 tags": {raw: signedResp(func(a *saml.Assertion) {
			for n := range 51 {
				withAttrs(attr(attrTag+"k"+strings.Repeat("x", n), "v"))(a)
			}
		}), kind: opensts.ErrInvalidIdentityToken},
		"fail/malformed base64":         {raw: "!!!not base64!!!", kind: opensts.ErrInvalidIdentityToken, msg: msgMalformed},
		"fail/not XML":                  {raw: b64("hello, world"), kind: opensts.ErrInvalidIdentityToken, msg: msgMalformed},
		"fail/truncated XML":            {raw: b64(`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">`), kind: opensts.ErrInvalidIdentityToken, msg: msgMalformed},
		"fail/not a Response":           {raw: b64(`<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"/>`), kind: opensts.ErrInvalidIdentityToken, msg: msgMalformed},
		"fail/two root elements":        {raw: b64(`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>`), kind: opensts.ErrInvalidIdentityToken, msg: msgMalformed},
		"fail/Response in no namespace": {raw: b64(`<Response/>`), kind: opensts.ErrInvalidIdentityToken, msg: msgMalformed},
		"fail/oversized":                {raw: strings.Repeat("A", samlidentity.MaxAssertionSize+4), kind: opensts.ErrInvalidIdentityToken},
		"fail/duplicate attribute":      {raw: b64(`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="a" ID="b"/>`), kind: opensts.ErrInvalidIdentityToken, msg: msgMalformed},
		"fail/too deep":                 {raw: b64(`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">` + strings.Repeat("<a>", 60) + strings.Repeat("</a>", 60) + `</samlp:Response>`), kind: opensts.ErrInvalidIdentityToken, msg: msgMalformed},
		"fail/billion laughs":           {raw: b64(billionLaughs), kind: opensts.ErrInvalidIdentityToken, msg: msgMalformed},
		"fail/external entity":          {raw: b64(`<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&x;</samlp:Response>`), kind: opensts.ErrInvalidIdentityToken, msg: msgMalformed},
		"fail/undeclared entity":        {raw: b64(`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&x;</samlp:Response>`), kind: opensts.ErrInvalidIdentityToken, msg: msgMalformed},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			role := tc.role
			if role == "" {
				role = roleARN
			}
			_, err := verify(v, tc.raw, provider(idpCert), role)
			checkErr(t, err, tc.kind, tc.msg)
		})
	}
}

const billionLaughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"><lolz>&lol9;</lolz></samlp:Response>`

// checkErr asserts err is an *opensts.Error of kind whose message is msg
// (when msg is set) and never contains the assertion.
func checkErr(t *testing.T, err error, kind error, msg string) {
	t.Helper()
	if err == nil {
		t.Fatal("accepted")
	}
	var e *opensts.Error
	if !errors.As(err, &e) || !errors.Is(err, kind) {
		t.Fatalf("error %v: want an *opensts.Error of kind %v", err, kind)
	}
	if msg != "" && e.Message != msg {
		t.Errorf("message %q, want %q", e.Message, msg)
	}
	if strings.Contains(e.Message, "<") || strings.Contains(e.Message, "alice") {
		t.Errorf("message %q shows part of the assertion", e.Message)
	}
}
