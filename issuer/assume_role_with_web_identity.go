package issuer

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/token"
	"github.com/opensts/opensts/webidentity"
)

// WebIdentity serves AssumeRoleWithWebIdentity: the account's OIDC
// providers, the verification of their tokens, and decisions against the
// trust policies of the roles that trust them.
type WebIdentity struct {
	Providers interface {
		GetOIDCProvider(ctx context.Context, accountID, url string) (opensts.OIDCProvider, error)
	}
	Verifier interface {
		Verify(ctx context.Context, t *webidentity.Token, p opensts.OIDCProvider) (*webidentity.Identity, error)
	}
	Trust FederatedTrust
}

// AssumeRoleWithWebIdentity's bounds (botocore sts model; roles-spec §3.2).
var (
	ruleWebIdentityToken = opensts.StringRule{Required: true, Min: 4, Max: 20000, Sensitive: true}
	ruleProviderID       = opensts.StringRule{Min: 4, Max: 2048}
	ruleSessionPolicy    = opensts.StringRule{Min: 1, Max: 2048, Pattern: &opensts.PatternPolicyText}
	errProviderID        = opensts.Errorf(opensts.ErrInvalidParameter, "ProviderId is only for OAuth 2.0 access tokens of www.amazon.com and graph.facebook.com, which OpenSTS does not accept; omit it for OpenID Connect ID tokens.")
)

// AssumeRoleWithWebIdentityInput mirrors the STS request (roles-spec §3.2).
type AssumeRoleWithWebIdentityInput struct {
	RoleArn          *string
	RoleSessionName  *string
	WebIdentityToken *string
	ProviderID       *string
	PolicyArns       []*string
	Policy           *string
	DurationSeconds  *int64
	// MinimumSessionTokenSize pads the token to at least this many bytes.
	MinimumSessionTokenSize *int64
}

// Validate checks the model constraints, every failing member listed, in
// the model's member order. The token's value is never part of a message.
func (in AssumeRoleWithWebIdentityInput) Validate() error {
	var v opensts.ValidationError
	v.CheckString("roleArn", in.RoleArn, ruleRoleARN)
	v.CheckString("roleSessionName", in.RoleSessionName, ruleRoleSessionName)
	v.CheckString("webIdentityToken", in.WebIdentityToken, ruleWebIdentityToken)
	v.CheckString("providerId", in.ProviderID, ruleProviderID)
	federatedModel(&v, in.PolicyArns, in.Policy, in.DurationSeconds, in.MinimumSessionTokenSize)
	return v.Err()
}

// WebIdentitySession is AssumeRoleWithWebIdentity's result.
type WebIdentitySession struct {
	RoleSession
	// Subject is the token's sub (SubjectFromWebIdentityToken); Provider
	// the ARN of the OIDC provider that vouched for it; Audience the
	// client id that matched.
	Subject, Provider, Audience string
}

// AssumeRoleWithWebIdentity issues a session of a role to the holder of an
// OpenID Connect ID token (roles-spec §3), in the order of §3.4: the model,
// the ARN's shape, the token's form, its issuer among the role account's
// OIDC providers, its signature, audience and times, the session tags and
// source identity it carries, then the role's trust policy (which alone
// decides: the caller has no policies), the duration and the session
// policies.
func (s *Issuer) AssumeRoleWithWebIdentity(ctx context.Context, in AssumeRoleWithWebIdentityInput) (WebIdentitySession, error) {
	if err := in.Validate(); err != nil {
		return WebIdentitySession{}, err
	}
	roleARN := *in.RoleArn
	if !arnShaped(roleARN) {
		return WebIdentitySession{}, opensts.Errorf(opensts.ErrInvalidRequest, "%s is invalid", roleARN)
	}
	if in.ProviderID != nil {
		return WebIdentitySession{}, errProviderID
	}
	w := s.cfg.WebIdentity
	if w == nil || s.cfg.Roles == nil {
		return WebIdentitySession{}, opensts.Errorf(opensts.ErrAccessDenied, "Not authorized to perform sts:AssumeRoleWithWebIdentity")
	}
	tok, err := webidentity.Parse(*in.WebIdentityToken)
	if err != nil {
		return WebIdentitySession{}, err
	}
	account := strings.SplitN(roleARN, ":", 6)[4]
	provider, err := w.Providers.GetOIDCProvider(ctx, account, tok.Issuer())
	if errors.Is(err, opensts.ErrNotFound) {
		return WebIdentitySession{}, opensts.Errorf(opensts.ErrInvalidIdentityToken, "No OpenIDConnect provider found in your account for %s", tok.Issuer())
	}
	if err != nil {
		return WebIdentitySession{}, fmt.Errorf("get OIDC provider: %w", err)
	}
	id, err := w.Verifier.Verify(ctx, tok, provider)
	if err != nil {
		return WebIdentitySession{}, err
	}
	rs, err := s.federatedSession(ctx, federatedRequest{
		action: "sts:AssumeRoleWithWebIdentity", trust: w.Trust, providerARN: provider.ARN(), roleARN: roleARN,
		sessionName: *in.RoleSessionName, sourceIdentity: id.SourceIdentity, tags: id.Tags, transitive: id.TransitiveTagKeys,
		providerKeys: providerKeys(provider, id),
		claims:       token.Claims{Kind: token.WebIdentity, ProviderID: provider.ID, Subject: id.Subject, Audience: id.Audience},
		duration:     in.DurationSeconds, policy: in.Policy, policyARNs: in.PolicyArns, minSize: in.MinimumSessionTokenSize,
	})
	if err != nil {
		return WebIdentitySession{}, err
	}
	return WebIdentitySession{RoleSession: rs, Subject: id.Subject, Provider: provider.ARN(), Audience: id.Audience}, nil
}

// providerKeys are the request-context keys a web identity token supplies
// to the trust policy (roles-spec §3.5): aws:FederatedProvider, and under
// the provider's host and path :aud, :sub, :amr when the token has one and
// :oaud, the token's aud values, when it has several or the audience
// matched through azp.
func providerKeys(p opensts.OIDCProvider, id *webidentity.Identity) map[string][]string {
	fp := opensts.FederatedProvider{ARN: p.ARN(), KeyPrefix: p.Host(), Subject: id.Subject, Audience: id.Audience}
	keys := fp.ConditionKeys()
	if len(id.AMR) > 0 {
		keys[fp.KeyPrefix+":amr"] = slices.Clone(id.AMR)
	}
	if len(id.OriginalAudience) > 1 || !slices.Contains(id.OriginalAudience, id.Audience) {
		keys[fp.KeyPrefix+":oaud"] = slices.Clone(id.OriginalAudience)
	}
	return keys
}
