package issuer

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
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
	// Trust is access.Authorizer.AuthorizeFederated.
	Trust interface {
		AuthorizeFederated(ctx context.Context, providerARN, roleARN, trustPolicy string, actions []string, extra func(action string) map[string][]string) error
	}

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
	for i, arn := range in.PolicyArns {
		v.CheckString("policyArns."+strconv.Itoa(i+1)+".member.arn", arn,
			opensts.StringRule{Required: true, Min: 20, Max: 2048, Pattern: &opensts.PatternARN})
	}
	v.CheckString("policy", in.Policy, ruleSessionPolicy)
	v.CheckInt("durationSeconds", in.DurationSeconds, false, MinDuration, RoleMaxDuration)
	checkMinimumSize(&v, in.MinimumSessionTokenSize)
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

	role, err := s.roleByARN(ctx, roleARN)
	if err != nil {
		return SAMLSession{}, err
	}
	tags := make([]token.Tag, 0, len(a.Tags))
	for _, t := range a.Tags {
		transitive := slices.ContainsFunc(a.TransitiveTagKeys, func(k string) bool { return strings.EqualFold(k, t.Key) })
		tags = append(tags, token.Tag{Key: t.Key, Value: t.Value, Transitive: transitive})
	}
	facts := opensts.RequestFacts{RoleSessionName: a.SessionName, Tags: a.Tags, TransitiveTagKeys: a.TransitiveTagKeys,
		SourceIdentity: a.SourceIdentity, ResourceTags: role.Tags}
	keys := func(action string) map[string][]string {
		keys := opensts.ConditionContext(action, facts)
		if keys == nil {
			keys = make(map[string][]string, len(a.ConditionKeys)+1)
		}
		for k, v := range a.ConditionKeys {
			keys[k] = v
		}
		keys["aws:FederatedProvider"] = []string{provider.ARN()}
		return keys
	}
	actions := []string{"sts:AssumeRoleWithSAML"}
	if len(tags) > 0 {
		actions = append(actions, "sts:TagSession")
	}
	if a.SourceIdentity != "" {
		actions = append(actions, "sts:SetSourceIdentity")
	}
	if err := w.Trust.AuthorizeFederated(ctx, provider.ARN(), roleARN, role.TrustPolicy, actions, keys); err != nil {
		return SAMLSession{}, err
	}

	d := int64(RoleDefaultDuration)
	if in.DurationSeconds != nil {
		d = *in.DurationSeconds
	}
	if d > int64(role.SessionLimit()) {
		return SAMLSession{}, errMaxSessionDuration
	}
	// The assertion's SessionDuration and SessionNotOnOrAfter may shorten
	// the session, never lengthen it.
	if a.SessionDuration > 0 && int64(a.SessionDuration) < d {
		d = int64(a.SessionDuration)
	}
	now := s.cfg.Now()
	lifetime := time.Duration(d) * time.Second
	if !a.SessionNotOnOrAfter.IsZero() {
		left := a.SessionNotOnOrAfter.Sub(now.UTC().Truncate(time.Second))
		if left < time.Second {
			return SAMLSession{}, errSAMLSessionExpiry
		}
		lifetime = min(lifetime, left.Truncate(time.Second))
	}
	c := token.Claims{
		Kind: token.SAML, Holder: token.Role, AccountID: role.AccountID, HolderID: role.ID,
		SessionName: a.SessionName, SourceIdentity: a.SourceIdentity, Tags: tags,
		ProviderID: provider.ID, Subject: a.Subject, Audience: a.Audience, SubjectType: a.SubjectType,
		MinTokenLen: minTokenLen(in.MinimumSessionTokenSize),
	}
	if c.Policy, c.PolicyARNs, err = sessionPolicies(in.Policy, in.PolicyArns, role.AccountID); err != nil {
		return SAMLSession{}, err
	}
	creds, packed, err := s.seal(c, now, lifetime)
	if err != nil {
		return SAMLSession{}, err
	}
	return SAMLSession{
		RoleSession: RoleSession{
			Credentials:      creds,
			AssumedRoleARN:   opensts.AssumedRoleARN(role.AccountID, role.Name, c.SessionName),
			AssumedRoleID:    role.ID + ":" + c.SessionName,
			SourceIdentity:   c.SourceIdentity,
			PackedPolicySize: packed,
			HasPackedPolicy:  in.Policy != nil || len(in.PolicyArns) > 0 || len(c.Tags) > 0,
		},
		Subject: a.Subject, SubjectType: a.SubjectType, Issuer: a.Issuer, Audience: a.Audience, NameQualifier: a.NameQualifier,
	}, nil
}

// The session token's bounds of a federated subject (token.Claims).
const (
	maxClaimSubject     = 255
	maxClaimSubjectType = 64
)
