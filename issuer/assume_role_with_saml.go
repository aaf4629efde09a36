package issuer

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sync"
	"time"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/samlidentity"
	"github.com/opensts/opensts/token"
)

// SAML serves AssumeRoleWithSAML: the account's SAML providers, the
// verification of their assertions, and decisions against the trust
// policies of the roles that trust them.
type SAML struct {
	Providers interface {
		GetSAMLProvider(ctx context.Context, accountID, name string) (opensts.SAMLProvider, error)
	}
	Verifier interface {
		Verify(r *samlidentity.Response, p samlidentity.Provider, roleARN string) (*samlidentity.Assertion, error)
	}
	Trust FederatedTrust

	// metadata remembers each provider's parsed metadata document.
	metadata struct {
		sync.Mutex
		m map[string]parsedMetadata
	}
}

type parsedMetadata struct {
	doc string
	md  samlidentity.Metadata
	err error
}

// maxParsedMetadata bounds the parsed-metadata cache; when full it starts
// over.
const maxParsedMetadata = 1024

// signers returns the provider's entity id and signing certificates from
// its metadata, parsed once per document: the document compares with the
// one parsed before in constant time while it is the same string (the
// provider cache hands out the same value), and in one pass when it was
// read again.
func (s *SAML) signers(p opensts.SAMLProvider) (samlidentity.Metadata, error) {
	s.metadata.Lock()
	e, ok := s.metadata.m[p.ID]
	s.metadata.Unlock()
	if ok && e.doc == p.MetadataDocument {
		return e.md, e.err
	}
	md, err := samlidentity.ParseMetadata(p.MetadataDocument)
	s.metadata.Lock()
	if s.metadata.m == nil || len(s.metadata.m) >= maxParsedMetadata {
		s.metadata.m = make(map[string]parsedMetadata)
	}
	s.metadata.m[p.ID] = parsedMetadata{doc: p.MetadataDocument, md: md, err: err}
	s.metadata.Unlock()
	return md, err
}

// AssumeRoleWithSAML's bounds (botocore sts model; roles-spec §4.1).
var (
	ruleSAMLAssertion    = opensts.StringRule{Required: true, Min: 4, Max: samlidentity.MaxAssertionSize, Sensitive: true}
	errSAMLRequestARN    = opensts.Errorf(opensts.ErrInvalidRequest, "Request ARN is invalid")
	errSAMLNoProvider    = opensts.Errorf(opensts.ErrInvalidIdentityToken, "Specified provider doesn't exist.")
	errSAMLDenied        = opensts.Errorf(opensts.ErrAccessDenied, "Not authorized to perform sts:AssumeRoleWithSAML")
	errSAMLSessionExpiry = opensts.Errorf(opensts.ErrIdentityTokenExpired, "The assertion's SessionNotOnOrAfter has passed.")
)

// AssumeRoleWithSAMLInput mirrors the STS request (roles-spec §4.1).
type AssumeRoleWithSAMLInput struct {
	RoleArn                 *string
	PrincipalArn            *string
	SAMLAssertion           *string
	PolicyArns              []*string
	Policy                  *string
	DurationSeconds         *int64
	MinimumSessionTokenSize *int64
}

// Validate checks the model constraints, every failing member listed, in
// the model's member order. The assertion's value is never part of a
// message.
func (in AssumeRoleWithSAMLInput) Validate() error {
	var v opensts.ValidationError
	v.CheckString("roleArn", in.RoleArn, ruleRoleARN)
	v.CheckString("principalArn", in.PrincipalArn, ruleRoleARN)
	v.CheckString("sAMLAssertion", in.SAMLAssertion, ruleSAMLAssertion)
	federatedModel(&v, in.PolicyArns, in.Policy, in.DurationSeconds, in.MinimumSessionTokenSize)
	return v.Err()
}

// SAMLSession is AssumeRoleWithSAML's result.
type SAMLSession struct {
	RoleSession
	// Subject, SubjectType, Issuer, Audience and NameQualifier are the
	// response's members of those names (roles-spec §4.5).
	Subject, SubjectType, Issuer, Audience, NameQualifier string
}

// AssumeRoleWithSAML issues a session of a role to the bearer of a SAML
// assertion (roles-spec §4), in the order of §4.3: the model, the ARNs, the
// assertion's form, the provider in the role's account, the assertion's
// signature, issuer, subject, conditions and attributes (the role pair
// among them), then the role's trust policy (which alone decides), the
// duration and the session policies.
func (s *Issuer) AssumeRoleWithSAML(ctx context.Context, in AssumeRoleWithSAMLInput) (SAMLSession, error) {
	if err := in.Validate(); err != nil {
		return SAMLSession{}, err
	}
	roleARN, providerARN := *in.RoleArn, *in.PrincipalArn
	roleAcct, kind, _, _, isIAM := opensts.ParseIAMARN(roleARN)
	provAcct, provName, isProvider := opensts.ParseSAMLProviderARN(providerARN)
	if !isIAM || kind != "role" || !isProvider {
		return SAMLSession{}, errSAMLRequestARN
	}
	w := s.cfg.SAML
	if w == nil || s.cfg.Roles == nil {
		return SAMLSession{}, errSAMLDenied
	}
	resp, err := samlidentity.Decode(*in.SAMLAssertion)
	if err != nil {
		return SAMLSession{}, err
	}
	if provAcct != roleAcct {
		return SAMLSession{}, errSAMLNoProvider
	}
	provider, err := w.Providers.GetSAMLProvider(ctx, provAcct, provName)
	if errors.Is(err, opensts.ErrNotFound) || (err == nil && provider.Name != provName) {
		return SAMLSession{}, errSAMLNoProvider
	}
	if err != nil {
		return SAMLSession{}, fmt.Errorf("get SAML provider: %w", err)
	}
	md, err := w.signers(provider)
	if err != nil {
		return SAMLSession{}, fmt.Errorf("SAML provider %s: stored metadata: %w", provider.ARN(), err)
	}
	a, err := w.Verifier.Verify(resp, samlidentity.Provider{ARN: provider.ARN(), AccountID: provider.AccountID, Name: provider.Name,
		EntityID: md.EntityID, Certificates: md.Certificates}, roleARN)
	if err != nil {
		return SAMLSession{}, err
	}
	if len(a.Subject) > maxClaimSubject || len(a.SubjectType) > maxClaimSubjectType {
		return SAMLSession{}, opensts.Errorf(opensts.ErrInvalidIdentityToken, "The assertion's NameID is longer than %d bytes or its Format longer than %d.", maxClaimSubject, maxClaimSubjectType)
	}

	providerKeys := maps.Clone(a.ConditionKeys)
	if providerKeys == nil {
		providerKeys = map[string][]string{}
	}
	providerKeys["aws:FederatedProvider"] = []string{provider.ARN()}
	rs, err := s.federatedSession(ctx, federatedRequest{
		action: "sts:AssumeRoleWithSAML", trust: w.Trust, providerARN: provider.ARN(), roleARN: roleARN,
		sessionName: a.SessionName, sourceIdentity: a.SourceIdentity, tags: a.Tags, transitive: a.TransitiveTagKeys,
		providerKeys: providerKeys,
		claims:       token.Claims{Kind: token.SAML, ProviderID: provider.ID, Subject: a.Subject, Audience: a.Audience, SubjectType: a.SubjectType},
		duration:     in.DurationSeconds, policy: in.Policy, policyARNs: in.PolicyArns, minSize: in.MinimumSessionTokenSize,
		shorten: func(now time.Time, d time.Duration) (time.Duration, error) { return samlLifetime(a, now, d) },
	})
	if err != nil {
		return SAMLSession{}, err
	}
	return SAMLSession{
		RoleSession: rs,
		Subject:     a.Subject, SubjectType: a.SubjectType, Issuer: a.Issuer, Audience: a.Audience, NameQualifier: a.NameQualifier,
	}, nil
}

// samlLifetime cuts a session's lifetime d to the assertion's
// SessionDuration and SessionNotOnOrAfter: they may shorten the session,
// never lengthen it.
func samlLifetime(a *samlidentity.Assertion, now time.Time, d time.Duration) (time.Duration, error) {
	if a.SessionDuration > 0 {
		d = min(d, time.Duration(a.SessionDuration)*time.Second)
	}
	if !a.SessionNotOnOrAfter.IsZero() {
		left := a.SessionNotOnOrAfter.Sub(now.UTC().Truncate(time.Second))
		if left < time.Second {
			return 0, errSAMLSessionExpiry
		}
		d = min(d, left.Truncate(time.Second))
	}
	return d, nil
}

// The session token's bounds of a federated subject (token.Claims).
const (
	maxClaimSubject     = 255
	maxClaimSubjectType = 64
)
