package issuer

import (
	"context"
	"strconv"
	"strings"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/token"
)

// Limits of GetFederationToken's session inputs (botocore sts model, IAM
// quotas; spec §2.3, §3.4).
const (
	MaxPolicyARNs  = 10
	MaxSessionTags = 50
)

// TagInput is one requested session tag; nil members were absent.
type TagInput struct {
	Key, Value *string
}

// GetFederationTokenInput mirrors the STS request
// (seeds/GetFederationTokenInput.txt). PolicyArns holds each
// PolicyArns.member.N.arn, nil where the member had no arn.
type GetFederationTokenInput struct {
	Name            *string
	Policy          *string
	PolicyArns      []*string
	DurationSeconds *int64
	Tags            []TagInput
	// MinimumSessionTokenSize pads the token to at least this many bytes.
	MinimumSessionTokenSize *int64
}

// Validate checks the model constraints in model member order and returns
// AWS's ValidationError: Name required, 2–32 of [\w+=,.@-]*; Policy 1–2048 of
// TAB/LF/CR/U+0020–U+00FF; each policy ARN 20–2048; DurationSeconds
// 900–129600; at most 50 tags, keys 1–128 and values 0–256 of the tag
// patterns.
func (in GetFederationTokenInput) Validate() error {
	var v opensts.ValidationError
	v.CheckString("name", in.Name, opensts.StringRule{Required: true, Min: 2, Max: 32, Pattern: &opensts.PatternName})
	v.CheckString("policy", in.Policy, opensts.StringRule{Min: 1, Max: 2048, Pattern: &opensts.PatternPolicyText})
	if len(in.PolicyArns) > MaxPolicyARNs {
		n := strconv.Itoa(len(in.PolicyArns))
		v.Add("policyArns", &n, "have length less than or equal to "+strconv.Itoa(MaxPolicyARNs))
	}
	checkPolicyARNMembers(&v, in.PolicyArns)
	v.CheckInt("durationSeconds", in.DurationSeconds, false, MinDuration, MaxDuration)
	if len(in.Tags) > MaxSessionTags {
		n := strconv.Itoa(len(in.Tags))
		v.Add("tags", &n, "have length less than or equal to "+strconv.Itoa(MaxSessionTags))
	}
	for i, t := range in.Tags {
		prefix := "tags." + strconv.Itoa(i+1) + ".member."
		v.CheckString(prefix+"key", t.Key, opensts.StringRule{Required: true, Min: 1, Max: 128, Pattern: &opensts.PatternTagKey})
		v.CheckString(prefix+"value", t.Value, opensts.StringRule{Required: true, Max: 256, Pattern: &opensts.PatternTagValue})
	}
	checkMinimumSize(&v, in.MinimumSessionTokenSize)
	return v.Err()
}

// FederationToken is GetFederationToken's result.
type FederationToken struct {
	Credentials
	FederatedUserARN string
	FederatedUserID  string
	// PackedPolicySize is the packed session policy's share of its budget in
	// percent; HasPackedPolicy is false when no policy, ARN or tag was passed
	// (AWS then omits the element).
	PackedPolicySize int
	HasPackedPolicy  bool
}

// GetFederationToken issues a federated-user session. The caller needs
// sts:GetFederationToken on the federated user's ARN (and sts:TagSession
// when tags are passed); the session's permissions are the intersection of
// the caller's identity policies and the session policy, and nothing at all
// when no session policy is passed (enforced when requests are authorized).
func (s *Issuer) GetFederationToken(ctx context.Context, caller *opensts.Principal, in GetFederationTokenInput) (FederationToken, error) {
	if err := in.Validate(); err != nil {
		return FederationToken{}, err
	}
	if caller.Temporary() {
		return FederationToken{}, opensts.SessionCredentialsError("GetFederationToken")
	}
	name := *in.Name
	arn := opensts.FederatedUserARN(caller.AccountID, name)
	// Both actions see the requested session tags (aws:RequestTag/<key>,
	// aws:TagKeys), as the condition-key table says.
	facts := opensts.RequestFacts{Tags: make([]opensts.Tag, 0, len(in.Tags))}
	for _, t := range in.Tags {
		facts.Tags = append(facts.Tags, opensts.Tag{Key: *t.Key, Value: *t.Value})
	}
	if err := s.cfg.Authorizer.Authorize(ctx, caller, "sts:GetFederationToken", arn, opensts.ConditionContext("sts:GetFederationToken", facts)); err != nil {
		return FederationToken{}, err
	}
	tags, err := sessionTags(in.Tags)
	if err != nil {
		return FederationToken{}, err
	}
	if len(tags) > 0 {
		if err := s.cfg.Authorizer.Authorize(ctx, caller, "sts:TagSession", arn, opensts.ConditionContext("sts:TagSession", facts)); err != nil {
			return FederationToken{}, err
		}
	}
	c := baseClaims(caller)
	c.Kind = token.Federation
	c.SessionName = name
	c.Tags = tags
	c.MinTokenLen = minTokenLen(in.MinimumSessionTokenSize)
	if c.Policy, c.PolicyARNs, err = sessionPolicies(in.Policy, in.PolicyArns, caller.AccountID); err != nil {
		return FederationToken{}, err
	}
	creds, packed, err := s.seal(c, s.cfg.Now(), duration(in.DurationSeconds, caller.IsRoot()))
	if err != nil {
		return FederationToken{}, err
	}
	return FederationToken{
		Credentials:      creds,
		FederatedUserARN: arn,
		FederatedUserID:  caller.AccountID + ":" + name,
		PackedPolicySize: packed,
		HasPackedPolicy:  c.Policy != "" || len(c.PolicyARNs) > 0 || len(tags) > 0,
	}, nil
}

// sessionTags checks the rules the model cannot express: no "aws:" prefix,
// and keys unique case-insensitively (spec §3.4).
func sessionTags(in []TagInput) ([]token.Tag, error) {
	seen := make(map[string]bool, len(in))
	out := make([]token.Tag, 0, len(in))
	for _, t := range in {
		k := strings.ToLower(*t.Key)
		if strings.HasPrefix(k, "aws:") {
			return nil, opensts.Errorf(opensts.ErrInvalidParameter, "Tag keys may not begin with the reserved prefix aws:. Key: %s", *t.Key)
		}
		if seen[k] {
			return nil, opensts.Errorf(opensts.ErrInvalidParameter, "Duplicate tag keys found. Please note that Tag keys are case insensitive.")
		}
		seen[k] = true
		out = append(out, token.Tag{Key: *t.Key, Value: *t.Value})
	}
	return out, nil
}

// checkPolicyARN accepts managed-policy ARNs of the caller's account and
// the AWS managed policies OpenSTS provides; the policy is resolved when
// requests are authorized, so a policy deleted later grants nothing.
func checkPolicyARN(arn, accountID string, n int) error {
	acct, kind, _, _, ok := opensts.ParseIAMARN(arn)
	if ok && kind == "policy" && acct == opensts.AWSAccount {
		if _, _, provided := opensts.AWSManagedPolicyByARN(arn); provided {
			return nil
		}
		// Accepting an AWS managed policy OpenSTS does not have would
		// grant nothing, silently.
		return opensts.Errorf(opensts.ErrInvalidParameter, "Policy ARN %s (PolicyArns member %d) is an AWS managed policy that OpenSTS does not provide; it provides %s.", arn, n, opensts.AWSManagedPolicyNames())
	}
	if !ok || kind != "policy" || acct != accountID {
		return opensts.Errorf(opensts.ErrInvalidParameter, "Policy ARN %s (PolicyArns member %d) is not a managed policy ARN in this account.", arn, n)
	}
	return nil
}
