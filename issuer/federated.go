package issuer

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/token"
)

// FederatedTrust decides a federated caller's request on a role's trust
// policy alone (access.Authorizer.AuthorizeFederated).
type FederatedTrust interface {
	AuthorizeFederated(ctx context.Context, providerARN, roleARN, trustPolicy string, actions []string, extra func(action string) map[string][]string) error
}

// federatedRequest is what AssumeRoleWithWebIdentity and
// AssumeRoleWithSAML hand the part of issuing they share, once their
// identity provider has vouched for the caller.
type federatedRequest struct {
	action      string // sts:AssumeRoleWithWebIdentity or sts:AssumeRoleWithSAML
	trust       FederatedTrust
	providerARN string
	roleARN     string
	// identity is the session name, source identity, tags and transitive
	// keys the token or assertion carries.
	sessionName, sourceIdentity string
	tags                        []opensts.Tag
	transitive                  []string
	// providerKeys are the provider's condition keys for the trust policy.
	providerKeys map[string][]string
	// claims holds the session's kind and federated fields (Kind,
	// ProviderID, Subject, Audience, SubjectType); the rest is filled here.
	claims token.Claims
	// The request's DurationSeconds, Policy, PolicyArns and
	// MinimumSessionTokenSize.
	duration   *int64
	policy     *string
	policyARNs []*string
	minSize    *int64
	// shorten may cut the session's lifetime (SAML's SessionDuration and
	// SessionNotOnOrAfter); nil keeps it.
	shorten func(now time.Time, d time.Duration) (time.Duration, error)
}

// federatedSession authorizes a federated request on the role's trust
// policy — action, plus sts:TagSession for tags and sts:SetSourceIdentity
// for a source identity — then checks the duration against the role's
// maximum and the session policies, and seals the role session.
func (s *Issuer) federatedSession(ctx context.Context, r federatedRequest) (RoleSession, error) {
	role, err := s.roleByARN(ctx, r.roleARN)
	if err != nil {
		return RoleSession{}, err
	}
	tags := make([]token.Tag, 0, len(r.tags))
	for _, t := range r.tags {
		transitive := slices.ContainsFunc(r.transitive, func(k string) bool { return strings.EqualFold(k, t.Key) })
		tags = append(tags, token.Tag{Key: t.Key, Value: t.Value, Transitive: transitive})
	}
	facts := opensts.RequestFacts{RoleSessionName: r.sessionName, Tags: r.tags, TransitiveTagKeys: r.transitive,
		SourceIdentity: r.sourceIdentity, ResourceTags: role.Tags}
	keys := func(action string) map[string][]string {
		keys := opensts.ConditionContext(action, facts)
		if keys == nil {
			keys = make(map[string][]string, len(r.providerKeys))
		}
		for k, v := range r.providerKeys {
			keys[k] = v
		}
		return keys
	}
	actions := []string{r.action}
	if len(tags) > 0 {
		actions = append(actions, "sts:TagSession")
	}
	if r.sourceIdentity != "" {
		actions = append(actions, "sts:SetSourceIdentity")
	}
	if err := r.trust.AuthorizeFederated(ctx, r.providerARN, r.roleARN, role.TrustPolicy, actions, keys); err != nil {
		return RoleSession{}, err
	}

	d := int64(RoleDefaultDuration)
	if r.duration != nil {
		d = *r.duration
	}
	if d > int64(role.SessionLimit()) {
		return RoleSession{}, errMaxSessionDuration
	}
	now := s.cfg.Now()
	lifetime := time.Duration(d) * time.Second
	if r.shorten != nil {
		if lifetime, err = r.shorten(now, lifetime); err != nil {
			return RoleSession{}, err
		}
	}
	c := r.claims
	c.Holder, c.AccountID, c.HolderID = token.Role, role.AccountID, role.ID
	c.SessionName, c.SourceIdentity, c.Tags = r.sessionName, r.sourceIdentity, tags
	c.MinTokenLen = minTokenLen(r.minSize)
	if c.Policy, c.PolicyARNs, err = sessionPolicies(r.policy, r.policyARNs, role.AccountID); err != nil {
		return RoleSession{}, err
	}
	creds, packed, err := s.seal(c, now, lifetime)
	if err != nil {
		return RoleSession{}, err
	}
	return RoleSession{
		Credentials:      creds,
		AssumedRoleARN:   opensts.AssumedRoleARN(role.AccountID, role.Name, c.SessionName),
		AssumedRoleID:    role.ID + ":" + c.SessionName,
		SourceIdentity:   c.SourceIdentity,
		PackedPolicySize: packed,
		HasPackedPolicy:  r.policy != nil || len(r.policyARNs) > 0 || len(c.Tags) > 0,
	}, nil
}

// federatedModel checks the members AssumeRoleWithWebIdentity and
// AssumeRoleWithSAML share, after their own: PolicyArns, Policy,
// DurationSeconds and MinimumSessionTokenSize, in the model's order.
func federatedModel(v *opensts.ValidationError, policyARNs []*string, policy *string, duration, minSize *int64) {
	checkPolicyARNMembers(v, policyARNs)
	v.CheckString("policy", policy, ruleSessionPolicy)
	v.CheckInt("durationSeconds", duration, false, MinDuration, RoleMaxDuration)
	checkMinimumSize(v, minSize)
}
