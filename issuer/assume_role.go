package issuer

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/token"
)

// AssumeRole's bounds (botocore sts model; roles-spec §2.1, §2.6).
const (
	RoleMaxDuration     = 43200
	RoleDefaultDuration = 3600
	// ChainMaxDuration limits sessions assumed with role-session or
	// GetSessionToken credentials (role chaining).
	ChainMaxDuration = 3600
)

// Roles reads the roles a caller assumes.
type Roles interface {
	GetRole(ctx context.Context, accountID, name string) (opensts.Role, error)
}

// TrustAuthorizer decides actions on a role against its trust policy and
// the caller's own policies (access.Authorizer.AuthorizeTrust).
type TrustAuthorizer interface {
	AuthorizeTrust(ctx context.Context, p *opensts.Principal, roleARN, trustPolicy string, trustedIDs map[string]string, actions []string, extra func(action string) map[string][]string) error
}

var (
	patternSessionName    = opensts.NewPattern(`[\w+=,.@-]*`, `[\w+=,.@-]*`)
	patternExternalID     = opensts.NewPattern(`[\w+=,.@:\/-]*`, `[\w+=,.@:\/-]*`)
	ruleRoleSessionName   = opensts.StringRule{Required: true, Min: 2, Max: 64, Pattern: &patternSessionName}
	ruleSourceIdentity    = opensts.StringRule{Min: 2, Max: 64, Pattern: &patternSessionName}
	ruleRoleARN           = opensts.StringRule{Required: true, Min: 20, Max: 2048, Pattern: &opensts.PatternARN}
	ruleExternalID        = opensts.StringRule{Min: 2, Max: 1224, Pattern: &patternExternalID}
	ruleUnlimitedPolicy   = opensts.StringRule{Min: 1, Pattern: &opensts.PatternPolicyText}
	ruleTagKey            = opensts.StringRule{Required: true, Min: 1, Max: 128, Pattern: &opensts.PatternTagKey}
	ruleTagValue          = opensts.StringRule{Required: true, Max: 256, Pattern: &opensts.PatternTagValue}
	ruleTransitiveTagKey  = opensts.StringRule{Min: 1, Max: 128, Pattern: &opensts.PatternTagKey}
	errProvidedContexts   = opensts.Errorf(opensts.ErrInvalidParameter, "ProvidedContexts is not supported: OpenSTS has no context providers, and a session without the context would be wider than asked for.")
	errRootAssumesRole    = opensts.Errorf(opensts.ErrAccessDenied, "Roles may not be assumed by root accounts.")
	errChainDuration      = opensts.Errorf(opensts.ErrInvalidRequest, "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	errMaxSessionDuration = opensts.Errorf(opensts.ErrInvalidRequest, "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
)

// AssumeRoleInput mirrors the STS request (roles-spec §2.1). PolicyArns
// holds each PolicyArns.member.N.arn, nil where the member had no arn.
type AssumeRoleInput struct {
	RoleArn           *string
	RoleSessionName   *string
	Policy            *string
	PolicyArns        []*string
	DurationSeconds   *int64
	Tags              []TagInput
	TransitiveTagKeys []string
	ExternalID        *string
	SerialNumber      *string
	TokenCode         *string
	SourceIdentity    *string
	// ProvidedContexts is the number of ProvidedContexts members passed.
	ProvidedContexts int
	// MinimumSessionTokenSize pads the token to at least this many bytes.
	MinimumSessionTokenSize *int64
}

// Validate checks the model constraints, every failing member listed, in
// the model's member order.
func (in AssumeRoleInput) Validate() error {
	var v opensts.ValidationError
	v.CheckString("roleArn", in.RoleArn, ruleRoleARN)
	v.CheckString("roleSessionName", in.RoleSessionName, ruleRoleSessionName)
	checkPolicyARNMembers(&v, in.PolicyArns)
	v.CheckString("policy", in.Policy, ruleUnlimitedPolicy)
	v.CheckInt("durationSeconds", in.DurationSeconds, false, MinDuration, RoleMaxDuration)
	if len(in.Tags) > MaxSessionTags {
		n := strconv.Itoa(len(in.Tags))
		v.Add("tags", &n, "have length less than or equal to "+strconv.Itoa(MaxSessionTags))
	}
	for i, t := range in.Tags {
		prefix := "tags." + strconv.Itoa(i+1) + ".member."
		v.CheckString(prefix+"key", t.Key, ruleTagKey)
		v.CheckString(prefix+"value", t.Value, ruleTagValue)
	}
	if len(in.TransitiveTagKeys) > MaxSessionTags {
		n := strconv.Itoa(len(in.TransitiveTagKeys))
		v.Add("transitiveTagKeys", &n, "have length less than or equal to "+strconv.Itoa(MaxSessionTags))
	}
	for i, k := range in.TransitiveTagKeys {
		v.CheckString("transitiveTagKeys."+strconv.Itoa(i+1)+".member", &k, ruleTransitiveTagKey)
	}
	v.CheckString("externalId", in.ExternalID, ruleExternalID)
	v.CheckString("serialNumber", in.SerialNumber, opensts.StringRule{Min: 9, Max: 256, Pattern: &opensts.PatternSerialNumber})
	v.CheckString("tokenCode", in.TokenCode, opensts.StringRule{Min: 6, Max: 6, Pattern: &opensts.PatternTokenCode})
	v.CheckString("sourceIdentity", in.SourceIdentity, ruleSourceIdentity)
	checkMinimumSize(&v, in.MinimumSessionTokenSize)
	return v.Err()
}

// RoleSession is AssumeRole's result.
type RoleSession struct {
	Credentials
	AssumedRoleARN string
	AssumedRoleID  string
	SourceIdentity string
	// PackedPolicySize is the packed session policy's share of its budget;
	// HasPackedPolicy is false when no policy, ARN or tag was passed.
	PackedPolicySize int
	HasPackedPolicy  bool
}

// AssumeRole issues a session of a role (roles-spec §2), in AWS's order of
// checks: the model, the ARN's shape, the caller (not the root), MFA when a
// code is given, authorization against the trust policy and the caller's
// policies (also for a missing role, which is told apart from a denial by
// nothing), then the duration and the session policy and tags.
func (s *Issuer) AssumeRole(ctx context.Context, caller *opensts.Principal, in AssumeRoleInput) (RoleSession, error) {
	if err := in.Validate(); err != nil {
		return RoleSession{}, err
	}
	roleARN := *in.RoleArn
	if !arnShaped(roleARN) {
		return RoleSession{}, opensts.Errorf(opensts.ErrInvalidRequest, "%s is invalid", roleARN)
	}
	if caller.IsRoot() || caller.Type == opensts.HolderRoot {
		return RoleSession{}, errRootAssumesRole
	}
	if in.ProvidedContexts > 0 {
		return RoleSession{}, errProvidedContexts
	}
	if s.cfg.Roles == nil || s.cfg.Trust == nil {
		return RoleSession{}, opensts.Errorf(opensts.ErrAccessDenied, "User: %s is not authorized to perform: sts:AssumeRole on resource: %s", caller.ARN(), roleARN)
	}
	facts := opensts.RequestFacts{RoleSessionName: *in.RoleSessionName, TransitiveTagKeys: in.TransitiveTagKeys}
	if in.ExternalID != nil {
		facts.ExternalID = *in.ExternalID
	}
	for _, t := range in.Tags {
		facts.Tags = append(facts.Tags, opensts.Tag{Key: *t.Key, Value: *t.Value})
	}
	// A source identity, once set, stays for the whole chain.
	inherited := ""
	if caller.Session != nil {
		inherited = caller.Session.SourceIdentity
	}
	facts.SourceIdentity = inherited
	if in.SourceIdentity != nil {
		facts.SourceIdentity = *in.SourceIdentity
	}

	var mfaKeys map[string][]string
	if in.SerialNumber != nil || in.TokenCode != nil {
		if in.SerialNumber == nil || in.TokenCode == nil || s.cfg.MFA == nil {
			return RoleSession{}, opensts.ErrMFAUnknownDevice
		}
		if _, err := s.cfg.MFA.VerifyMFA(ctx, caller, *in.SerialNumber, *in.TokenCode); err != nil {
			return RoleSession{}, err
		}
		mfaKeys = map[string][]string{"aws:MultiFactorAuthPresent": {"true"}, "aws:MultiFactorAuthAge": {"0"}}
	}

	role, err := s.roleByARN(ctx, roleARN)
	if err != nil {
		return RoleSession{}, err
	}
	keys := func(action string) map[string][]string {
		f := facts
		if role.ID != "" {
			f.ResourceTags = role.Tags
		}
		keys := opensts.ConditionContext(action, f)
		for k, v := range mfaKeys {
			if keys == nil {
				keys = map[string][]string{}
			}
			keys[k] = v
		}
		return keys
	}
	actions := []string{"sts:AssumeRole"}
	inheritedTags := inheritedTransitive(caller)
	if len(in.Tags) > 0 || len(in.TransitiveTagKeys) > 0 || len(inheritedTags) > 0 {
		actions = append(actions, "sts:TagSession")
	}
	if facts.SourceIdentity != "" {
		actions = append(actions, "sts:SetSourceIdentity")
	}
	if err := s.cfg.Trust.AuthorizeTrust(ctx, caller, roleARN, role.TrustPolicy, role.TrustedIDs, actions, keys); err != nil {
		return RoleSession{}, err
	}

	d := int64(RoleDefaultDuration)
	if in.DurationSeconds != nil {
		d = *in.DurationSeconds
	}
	chained := caller.SessionKind() == opensts.SessionToken || caller.SessionKind().RoleSession()
	switch {
	case chained && d > ChainMaxDuration:
		return RoleSession{}, errChainDuration
	case d > int64(role.SessionLimit()):
		return RoleSession{}, errMaxSessionDuration
	}
	if in.SourceIdentity != nil {
		if strings.HasPrefix(strings.ToLower(*in.SourceIdentity), "aws:") {
			return RoleSession{}, opensts.Errorf(opensts.ErrInvalidParameter, "SourceIdentity may not begin with the reserved prefix aws:.")
		}
		if inherited != "" && *in.SourceIdentity != inherited {
			return RoleSession{}, opensts.Errorf(opensts.ErrInvalidParameter, "The source identity of a role chain cannot be changed: the calling session's is %s.", inherited)
		}
	}

	c := token.Claims{
		Kind: token.AssumedRole, Holder: token.Role, AccountID: role.AccountID, HolderID: role.ID,
		SessionName: *in.RoleSessionName, SourceAccessKeyID: sourceKey(caller), SourceIdentity: facts.SourceIdentity,
		MinTokenLen: minTokenLen(in.MinimumSessionTokenSize),
	}
	if c.Tags, err = roleSessionTags(in, inheritedTags); err != nil {
		return RoleSession{}, err
	}
	if c.Policy, c.PolicyARNs, err = sessionPolicies(in.Policy, in.PolicyArns, role.AccountID); err != nil {
		return RoleSession{}, err
	}
	creds, packed, err := s.seal(c, s.cfg.Now(), time.Duration(d)*time.Second)
	if err != nil {
		return RoleSession{}, err
	}
	return RoleSession{
		Credentials:      creds,
		AssumedRoleARN:   opensts.AssumedRoleARN(role.AccountID, role.Name, c.SessionName),
		AssumedRoleID:    role.ID + ":" + c.SessionName,
		SourceIdentity:   c.SourceIdentity,
		PackedPolicySize: packed,
		HasPackedPolicy:  in.Policy != nil || len(in.PolicyArns) > 0 || len(c.Tags) > 0,
	}, nil
}

// roleByARN finds the role an ARN names exactly: the name compares with
// its case (roles-spec §1.1), the path too. A role that does not exist is
// returned empty (no trust policy): authorization then refuses it like any
// denial.
func (s *Issuer) roleByARN(ctx context.Context, arn string) (opensts.Role, error) {
	acct, kind, path, name, ok := opensts.ParseIAMARN(arn)
	if !ok || kind != "role" {
		return opensts.Role{}, nil
	}
	r, err := s.cfg.Roles.GetRole(ctx, acct, name)
	if errors.Is(err, opensts.ErrNotFound) || (err == nil && (r.Name != name || r.Path != path)) {
		return opensts.Role{}, nil
	}
	if err != nil {
		return opensts.Role{}, err // the store's error names what it looked up
	}
	return r, nil
}

// arnShaped is AWS's shape check of a RoleArn (roles-spec §2.2): six
// colon-separated parts with a partition, a service and a resource.
func arnShaped(arn string) bool {
	parts := strings.SplitN(arn, ":", 6)
	return len(parts) == 6 && parts[0] == "arn" && parts[1] != "" && parts[2] != "" && parts[5] != ""
}

// sourceKey is the long-term key behind a session the caller requests:
// its own key, or the one behind its own session.
func sourceKey(p *opensts.Principal) string {
	if p.Session != nil {
		return p.Session.SourceAccessKeyID
	}
	return p.AccessKeyID
}

// inheritedTransitive is the calling session's transitive tags, which a
// chained session carries on.
func inheritedTransitive(p *opensts.Principal) []opensts.Tag {
	if p.Session == nil {
		return nil
	}
	var out []opensts.Tag
	for _, t := range p.Session.Tags {
		if slices.ContainsFunc(p.Session.TransitiveTagKeys, func(k string) bool { return strings.EqualFold(k, t.Key) }) {
			out = append(out, t)
		}
	}
	return out
}

// roleSessionTags are the new session's tags (roles-spec §2.8): the
// requested ones (AWS's key rules), those named by TransitiveTagKeys
// transitive, then the calling session's transitive tags, which they may
// not override.
func roleSessionTags(in AssumeRoleInput, inherited []opensts.Tag) ([]token.Tag, error) {
	tags, err := sessionTags(in.Tags)
	if err != nil {
		return nil, err
	}
	for _, k := range in.TransitiveTagKeys {
		i := slices.IndexFunc(tags, func(t token.Tag) bool { return strings.EqualFold(t.Key, k) })
		if i < 0 {
			return nil, opensts.Errorf(opensts.ErrInvalidParameter, "The specified transitive tag key must be included in the requested tags.")
		}
		tags[i].Transitive = true
	}
	for _, t := range inherited {
		if slices.ContainsFunc(tags, func(r token.Tag) bool { return strings.EqualFold(r.Key, t.Key) }) {
			return nil, opensts.Errorf(opensts.ErrInvalidParameter, "One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the calling session.")
		}
		tags = append(tags, token.Tag{Key: t.Key, Value: t.Value, Transitive: true})
	}
	return tags, nil
}
