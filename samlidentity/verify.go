package samlidentity

import (
	"crypto/x509"
	"regexp"
	"strings"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/russellhaering/goxmldsig/etreeutils"

	"github.com/opensts/opensts"
)

// AWS's messages (roles-spec §4.3, §4.7).
const (
	msgSignature      = "Response signature invalid"
	msgAudience       = "Response does not contain the required audience."
	msgNoSessionName  = "RoleSessionName is required in AuthnResponse"
	msgBadSessionName = "RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}"
	msgSourceIdentity = `Source Identity must match [a-zA-Z_0-9+=,.@-]{2,64} and not begin with "aws:"`
	msgNotAuthorized  = "Not authorized to perform sts:AssumeRoleWithSAML"
	// The console's text for a wrong issuer (roles-spec §4.3 #3); STS's is
	// unknown.
	msgIssuer = "Issuer not present in specified provider"
	// OpenSTS's own where AWS's text is unknown (docs/compatibility.md).
	msgMalformed       = "The SAML assertion provided is not a base64-encoded SAML 2.0 Response"
	msgTooLarge        = "The SAML assertion provided is longer than 100000 characters"
	msgStatus          = "The SAML response's status is not Success"
	msgEncrypted       = "Encrypted SAML assertions are not supported"
	msgAssertionCount  = "The SAML response must contain exactly one Assertion"
	msgConfirmation    = "The SAML assertion must contain exactly one bearer SubjectConfirmation whose SubjectConfirmationData has NotOnOrAfter and Recipient"
	msgRecipient       = "The SAML assertion's Recipient is not an accepted sign-in URL"
	msgDestination     = "The SAML response's Destination is not an accepted sign-in URL"
	msgConditions      = "The SAML assertion has no Conditions or a condition OpenSTS does not understand"
	msgTime            = "The SAML assertion has a malformed date/time"
	msgReplayed        = "The SAML assertion has already been used"
	msgNoID            = "The SAML assertion has no ID"
	msgSessionDuration = "SessionDuration in AuthnResponse must be an integer from 900 to 43200"
	msgBusy            = "Rate exceeded"
)

// AWS's service provider: its entity id and sign-in URLs (roles-spec §4.3
// #6, #7).
const (
	audienceAWS    = "urn:amazon:webservices"
	audienceSignin = "https://signin.aws.amazon.com/saml"
	recipientGlob  = "https://signin.aws.amazon.com/saml"
	recipientStat  = "https://signin.aws.amazon.com/static/saml"
	methodBearer   = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
	statusSuccess  = "urn:oasis:names:tc:SAML:2.0:status:Success"
	formatPrefix   = "urn:oasis:names:tc:SAML:2.0:nameid-format:"
	// formatUnspecified is the NameID Format when it has none (SAML core
	// §8.3.1).
	formatUnspecified = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"
)

var regionalRecipient = regexp.MustCompile(`\Ahttps://[a-z]{2,4}(-[a-z]+)+-[0-9]+\.signin\.aws\.amazon\.com/saml\z`)

// maxCertificates bounds the certificates tried per signature (IAM allows
// 10 signing keys per provider, roles-spec §4.2).
const maxCertificates = 10

// Provider is the IAM SAML provider a request names (PrincipalArn).
type Provider struct {
	ARN, AccountID, Name, EntityID string
	// Certificates are the IdP's signing certificates from its metadata.
	Certificates []*x509.Certificate
}

// Assertion is what a verified response says: the facts STS returns
// (roles-spec §4.5), writes into the session and offers as condition keys
// (§4.6).
type Assertion struct {
	ID, Issuer string
	// Subject is the NameID; SubjectType its Format without the prefix
	// urn:oasis:names:tc:SAML:2.0:nameid-format: (other formats whole).
	Subject, SubjectType string
	// NameQualifier is Base64(SHA1(Issuer + AccountID + "/" + provider
	// name)).
	NameQualifier string
	// Audience is the SubjectConfirmationData Recipient.
	Audience string
	// SessionName is the RoleSessionName attribute.
	SessionName string
	// SessionDuration is the SessionDuration attribute, 0 if absent. For
	// AssumeRoleWithSAML it may shorten the session, never extend it (IAM
	// User Guide).
	SessionDuration int
	// SessionNotOnOrAfter is the AuthnStatement's SessionNotOnOrAfter
	// (the earliest, if several), zero if absent.
	SessionNotOnOrAfter time.Time
	// NotOnOrAfter is the earliest NotOnOrAfter of the assertion (subject
	// confirmation, conditions).
	NotOnOrAfter   time.Time
	SourceIdentity string
	// Tags are the PrincipalTag:<Key> attributes, in key order.
	Tags              []opensts.Tag
	TransitiveTagKeys []string
	// ConditionKeys are the saml:* keys of the trust policy (roles-spec
	// §4.6): saml:aud, saml:iss, saml:sub, saml:sub_type,
	// saml:namequalifier, saml:doc and the mapped attributes.
	ConditionKeys map[string][]string
}

// Verify checks r for a request naming roleARN and provider p, in the
// order of roles-spec §4.3: status, one plain assertion, issuer, signature,
// subject, conditions, destination, then the attributes (Role,
// RoleSessionName, SessionDuration, SourceIdentity, tags); finally the
// assertion is remembered until it expires and refused if it was accepted
// before.
func (v *Verifier) Verify(r *Response, p Provider, roleARN string) (*Assertion, error) {
	if r == nil || r.root == nil {
		return nil, invalid(msgMalformed)
	}
	resp := r.root
	if !success(resp) {
		return nil, invalid(msgStatus)
	}
	if len(children(resp, nsAssertion, "EncryptedAssertion")) > 0 {
		return nil, invalid(msgEncrypted)
	}
	if len(children(resp, nsAssertion, "Assertion")) != 1 {
		return nil, invalid(msgAssertionCount)
	}
	if !issuedBy(resp, p.EntityID) || !issuedBy(child(resp, nsAssertion, "Assertion"), p.EntityID) {
		return nil, invalid(msgIssuer)
	}
	verifiedResp, a, signer, err := v.verifySignatures(resp, p.Certificates)
	if err != nil {
		return nil, err
	}
	// From here on only verified elements are read (a, and verifiedResp
	// when the Response was signed).
	if !issuedBy(a, p.EntityID) || (verifiedResp != nil && !issuedBy(verifiedResp, p.EntityID)) {
		return nil, invalid(msgIssuer)
	}
	out := &Assertion{ID: a.SelectAttrValue("ID", ""), Issuer: p.EntityID}
	if out.ID == "" {
		return nil, invalid(msgNoID)
	}
	now := v.now()
	if err := v.subject(a, out, now); err != nil {
		return nil, err
	}
	if err := v.conditions(a, out, now); err != nil {
		return nil, err
	}
	dest := resp
	if verifiedResp != nil {
		dest = verifiedResp
	}
	if d := dest.SelectAttr("Destination"); d != nil && !v.recipient(d.Value) {
		return nil, invalid(msgDestination)
	}
	for _, st := range children(a, nsAssertion, "AuthnStatement") {
		if s := st.SelectAttr("SessionNotOnOrAfter"); s != nil {
			t, err := parseTime(s.Value)
			if err != nil {
				return nil, err
			}
			if out.SessionNotOnOrAfter.IsZero() || t.Before(out.SessionNotOnOrAfter) {
				out.SessionNotOnOrAfter = t
			}
		}
	}
	if err := attributes(a, out, p, roleARN); err != nil {
		return nil, err
	}
	out.NameQualifier = NameQualifier(out.Issuer, p.AccountID, p.Name)
	out.ConditionKeys = conditionKeys(a, out, p)

	switch v.use(newReplayKey(out.Issuer, out.ID, signer), out.NotOnOrAfter.Add(v.skew), now) {
	case useReplayed:
		return nil, invalid(msgReplayed)
	case useFull:
		return nil, opensts.Errorf(opensts.ErrThrottled, "%s", msgBusy)
	}
	return out, nil
}

// NameQualifier is AWS's NameQualifier (roles-spec §4.5):
// Base64(SHA1(issuer + accountID + "/" + providerName)).
func NameQualifier(issuer, accountID, providerName string) string {
	return opensts.SAMLProvider{EntityID: issuer, AccountID: accountID, Name: providerName}.NameQualifier()
}

func success(resp *etree.Element) bool {
	st := child(resp, nsProtocol, "Status")
	if st == nil {
		return false
	}
	sc := child(st, nsProtocol, "StatusCode")
	return sc != nil && sc.SelectAttrValue("Value", "") == statusSuccess
}

// issuedBy reports whether el's Issuer, when it has one, is entityID. An
// Assertion must have one; a Response need not.
func issuedBy(el *etree.Element, entityID string) bool {
	iss := children(el, nsAssertion, "Issuer")
	switch {
	case len(iss) == 0:
		return el.Tag != "Assertion"
	case len(iss) > 1:
		return false
	}
	return entityID != "" && text(iss[0]) == entityID
}

// verifySignatures checks the Response's signature when it has one, else
// the Assertion's, and the Assertion's too when both have one. It returns
// the verified Response (nil when it was not signed), the verified
// Assertion (elements rebuilt from the bytes whose digests were checked)
// and the public key that signed the assertion's content (the Response's
// signer when the Response was signed).
func (v *Verifier) verifySignatures(resp *etree.Element, certs []*x509.Certificate) (verifiedResp, assertion *etree.Element, signer []byte, err error) {
	if len(certs) == 0 || len(certs) > maxCertificates {
		return nil, nil, nil, invalid(msgSignature)
	}
	if signed(resp) {
		vr, cert, err := validate(resp, certs)
		if err != nil {
			return nil, nil, nil, &opensts.Error{Kind: opensts.ErrInvalidIdentityToken, Message: msgSignature, Err: err}
		}
		verifiedResp, signer = vr, cert.RawSubjectPublicKeyInfo
		if len(children(vr, nsAssertion, "Assertion")) != 1 || len(children(vr, nsAssertion, "EncryptedAssertion")) != 0 {
			return nil, nil, nil, invalid(msgAssertionCount)
		}
		assertion = child(vr, nsAssertion, "Assertion")
		if !signed(assertion) {
			return verifiedResp, assertion, signer, nil
		}
	} else {
		assertion = child(resp, nsAssertion, "Assertion")
		if !signed(assertion) {
			return nil, nil, nil, invalid(msgSignature)
		}
	}
	va, cert, err := validate(assertion, certs)
	if err != nil {
		return nil, nil, nil, &opensts.Error{Kind: opensts.ErrInvalidIdentityToken, Message: msgSignature, Err: err}
	}
	if !is(va, nsAssertion, "Assertion") {
		return nil, nil, nil, invalid(msgSignature)
	}
	if signer == nil {
		signer = cert.RawSubjectPublicKeyInfo
	}
	return verifiedResp, va, signer, nil
}

// signed reports whether el has a ds:Signature child.
func signed(el *etree.Element) bool { return len(children(el, nsDSig, "Signature")) > 0 }

// validate checks el's enveloped signature against each certificate in
// turn and returns the element goxmldsig rebuilt from the verified bytes
// and the certificate that verified it.
// The signature's KeyInfo is dropped first: the key is the provider's
// certificate, whatever the signature says (KeyInfo is outside what is
// signed). The certificates' validity periods are not checked: they are
// trust anchors the account uploaded, as AWS appears to treat them
// (docs/compatibility.md).
func validate(el *etree.Element, certs []*x509.Certificate) (*etree.Element, *x509.Certificate, error) {
	ctx, err := etreeutils.NSBuildParentContext(el)
	if err != nil {
		return nil, nil, err
	}
	detached, err := etreeutils.NSDetatch(ctx, el) // a copy carrying the namespaces in scope
	if err != nil {
		return nil, nil, err
	}
	for _, sig := range children(detached, nsDSig, "Signature") {
		for _, ki := range children(sig, nsDSig, "KeyInfo") {
			sig.RemoveChild(ki)
		}
	}
	var last error
	for _, c := range certs {
		vc := dsig.NewDefaultValidationContext(&dsig.MemoryX509CertificateStore{Roots: []*x509.Certificate{c}})
		vc.Clock = dsig.NewFakeClockAt(c.NotBefore)
		out, err := vc.Validate(detached)
		if err == nil {
			return out, c, nil
		}
		last = err
	}
	return nil, nil, last
}

// subject checks the NameID and the one bearer SubjectConfirmation
// (roles-spec §4.3 #6).
func (v *Verifier) subject(a *etree.Element, out *Assertion, now time.Time) error {
	sub := child(a, nsAssertion, "Subject")
	if sub == nil {
		return opensts.Errorf(opensts.ErrAccessDenied, "%s", msgNotAuthorized)
	}
	nameID := child(sub, nsAssertion, "NameID")
	if nameID == nil || text(nameID) == "" {
		return opensts.Errorf(opensts.ErrAccessDenied, "%s", msgNotAuthorized)
	}
	out.Subject = text(nameID)
	format := nameID.SelectAttrValue("Format", formatUnspecified)
	out.SubjectType = strings.TrimPrefix(format, formatPrefix)

	// "There must be exactly one SubjectConfirmation element" (IAM User
	// Guide), a bearer one.
	confs := children(sub, nsAssertion, "SubjectConfirmation")
	if len(confs) != 1 || confs[0].SelectAttrValue("Method", "") != methodBearer {
		return invalid(msgConfirmation)
	}
	scd := child(confs[0], nsAssertion, "SubjectConfirmationData")
	if scd == nil || scd.SelectAttr("NotOnOrAfter") == nil || scd.SelectAttr("Recipient") == nil {
		return invalid(msgConfirmation)
	}
	notOnOrAfter, err := parseTime(scd.SelectAttrValue("NotOnOrAfter", ""))
	if err != nil {
		return err
	}
	if err := v.window(scd, notOnOrAfter, now); err != nil {
		return err
	}
	out.NotOnOrAfter = notOnOrAfter
	out.Audience = scd.SelectAttrValue("Recipient", "")
	if !v.recipient(out.Audience) {
		return invalid(msgRecipient)
	}
	return nil
}

// conditions checks the Conditions window and audience restrictions
// (roles-spec §4.3 #7). Each AudienceRestriction must name an accepted
// audience (SAML core §2.5.1.4); OneTimeUse (the replay cache is one) and
// ProxyRestriction are allowed; any other condition is not understood and
// makes the assertion invalid (SAML core §2.5.1).
func (v *Verifier) conditions(a *etree.Element, out *Assertion, now time.Time) error {
	conds := children(a, nsAssertion, "Conditions")
	if len(conds) != 1 {
		return invalid(msgConditions)
	}
	c := conds[0]
	if s := c.SelectAttr("NotOnOrAfter"); s != nil {
		t, err := parseTime(s.Value)
		if err != nil {
			return err
		}
		if t.Before(out.NotOnOrAfter) {
			out.NotOnOrAfter = t
		}
	}
	if err := v.window(c, out.NotOnOrAfter, now); err != nil {
		return err
	}
	restrictions := 0
	for _, el := range c.ChildElements() {
		switch {
		case is(el, nsAssertion, "AudienceRestriction"):
			restrictions++
			ok := false
			for _, au := range children(el, nsAssertion, "Audience") {
				if v.audiences[text(au)] {
					ok = true
				}
			}
			if !ok {
				return invalid(msgAudience)
			}
		case is(el, nsAssertion, "OneTimeUse"), is(el, nsAssertion, "ProxyRestriction"):
		default:
			return invalid(msgConditions)
		}
	}
	if restrictions == 0 {
		return invalid(msgAudience)
	}
	return nil
}

// window checks el's NotBefore (if any) and notOnOrAfter against now,
// with the skew.
func (v *Verifier) window(el *etree.Element, notOnOrAfter, now time.Time) error {
	if !now.Before(notOnOrAfter.Add(v.skew)) {
		return opensts.Errorf(opensts.ErrIdentityTokenExpired,
			"SAML assertion expired: current date/time %s must be before the NotOnOrAfter date/time %s",
			now.UTC().Format(time.RFC3339), notOnOrAfter.UTC().Format(time.RFC3339))
	}
	if s := el.SelectAttr("NotBefore"); s != nil {
		nb, err := parseTime(s.Value)
		if err != nil {
			return err
		}
		if nb.After(now.Add(v.skew)) {
			return opensts.Errorf(opensts.ErrInvalidIdentityToken,
				"SAML assertion not yet valid: current date/time %s must be after the NotBefore date/time %s",
				now.UTC().Format(time.RFC3339), nb.UTC().Format(time.RFC3339))
		}
	}
	return nil
}

// recipient reports whether u is one of AWS's sign-in URLs or a configured
// one.
func (v *Verifier) recipient(u string) bool {
	return u == recipientGlob || u == recipientStat || regionalRecipient.MatchString(u) || v.recipients[u]
}

// parseTime reads an xs:dateTime as SAML uses it (UTC, optional
// fraction); an offset is accepted, and a time without a zone is taken as
// UTC (SAML core §1.3.3 requires UTC).
func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t, err = time.Parse("2006-01-02T15:04:05.999999999", s)
	}
	if err != nil {
		return time.Time{}, &opensts.Error{Kind: opensts.ErrInvalidIdentityToken, Message: msgTime, Err: err}
	}
	return t.UTC(), nil
}
