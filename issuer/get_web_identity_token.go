package issuer

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/token"
)

// WebIdentityTokens serves GetWebIdentityToken: OpenSTS as an OpenID
// Connect issuer for the accounts that enabled outbound web identity
// federation (roles-spec §6.4).
type WebIdentityTokens struct {
	// IssuerURL is the URL the deployment is reached at (--issuer-url).
	IssuerURL string
	Outbound  interface {
		GetOutboundFederation(ctx context.Context, accountID string) (opensts.OutboundFederation, error)
	}
	// Keys signs a JWT payload with the current key of an algorithm
	// (jwtkeys.Manager).
	Keys interface {
		Sign(alg string, payload []byte) (string, error)
	}
}

// GetWebIdentityToken's bounds (botocore sts model).
const (
	MinWebIdentityTokenDuration     = 60
	MaxWebIdentityTokenDuration     = 3600
	DefaultWebIdentityTokenDuration = 300
	maxTokenAudiences               = 10
	// MaxJWTPayload bounds a token's claims (JWTPayloadSizeExceeded).
	MaxJWTPayload = 8192
	// ClaimNamespace holds AWS's own claims in a web identity token.
	ClaimNamespace = "https://sts.amazonaws.com/"
)

var ruleAudience = opensts.StringRule{Min: 1, Max: 1000}

// GetWebIdentityTokenInput mirrors the STS request.
type GetWebIdentityTokenInput struct {
	Audience         []string
	DurationSeconds  *int64
	SigningAlgorithm *string
	Tags             []TagInput
}

// Validate checks the model constraints, in the model's member order.
func (in GetWebIdentityTokenInput) Validate() error {
	var v opensts.ValidationError
	if len(in.Audience) == 0 {
		v.Add("audience", nil, "not be null")
	} else if len(in.Audience) > maxTokenAudiences {
		n := strconv.Itoa(len(in.Audience))
		v.Add("audience", &n, "have length less than or equal to "+strconv.Itoa(maxTokenAudiences))
	}
	for i, a := range in.Audience {
		v.CheckString("audience."+strconv.Itoa(i+1)+".member", &a, ruleAudience)
	}
	v.CheckInt("durationSeconds", in.DurationSeconds, false, MinWebIdentityTokenDuration, MaxWebIdentityTokenDuration)
	v.CheckEnum("signingAlgorithm", in.SigningAlgorithm, true, "RS256", "ES384")
	if len(in.Tags) > MaxSessionTags {
		n := strconv.Itoa(len(in.Tags))
		v.Add("tags", &n, "have length less than or equal to "+strconv.Itoa(MaxSessionTags))
	}
	for i, t := range in.Tags {
		prefix := "tags." + strconv.Itoa(i+1) + ".member."
		v.CheckString(prefix+"key", t.Key, ruleTagKey)
		v.CheckString(prefix+"value", t.Value, ruleTagValue)
	}
	return v.Err()
}

// WebIdentityToken is GetWebIdentityToken's result.
type WebIdentityToken struct {
	Token      string
	Expiration time.Time
}

// GetWebIdentityToken signs a JWT describing the caller for the audiences
// it names (roles-spec §6.4): the model, the account's switch, the
// caller's permission (sts:GetWebIdentityToken with
// sts:IdentityTokenAudience, sts:DurationSeconds, sts:SigningAlgorithm and
// the request tags), a lifetime within the caller's session, then the
// claims: iss, sub (the caller's identity: a role session's role), aud,
// iat, exp, jti, and AWS's namespace (account, principal, the caller's
// principal tags and source identity, the request's tags as
// request_tags).
func (s *Issuer) GetWebIdentityToken(ctx context.Context, caller *opensts.Principal, in GetWebIdentityTokenInput) (WebIdentityToken, error) {
	if err := in.Validate(); err != nil {
		return WebIdentityToken{}, err
	}
	w := s.cfg.WebIdentityTokens
	if w == nil || w.IssuerURL == "" {
		return WebIdentityToken{}, opensts.Errorf(opensts.ErrOutboundDisabled, "Outbound web identity federation is not available: this deployment has no --issuer-url.")
	}
	st, err := w.Outbound.GetOutboundFederation(ctx, caller.AccountID)
	if err != nil {
		return WebIdentityToken{}, fmt.Errorf("get outbound federation: %w", err)
	}
	if !st.Enabled {
		return WebIdentityToken{}, opensts.Errorf(opensts.ErrOutboundDisabled, "Outbound web identity federation is disabled for account %s; enable it with iam:EnableOutboundWebIdentityFederation.", caller.AccountID)
	}
	tags, err := sessionTags(in.Tags)
	if err != nil {
		return WebIdentityToken{}, err
	}
	d := int64(DefaultWebIdentityTokenDuration)
	if in.DurationSeconds != nil {
		d = *in.DurationSeconds
	}
	facts := opensts.RequestFacts{IdentityTokenAudience: in.Audience, DurationSeconds: strconv.FormatInt(d, 10), SigningAlgorithm: *in.SigningAlgorithm}
	for _, t := range tags {
		facts.Tags = append(facts.Tags, opensts.Tag{Key: t.Key, Value: t.Value})
	}
	keys := opensts.ConditionContext("sts:GetWebIdentityToken", facts)
	if err := s.cfg.Authorizer.Authorize(ctx, caller, "sts:GetWebIdentityToken", "*", keys); err != nil {
		return WebIdentityToken{}, err
	}

	now := s.cfg.Now().UTC().Truncate(time.Second)
	exp := now.Add(time.Duration(d) * time.Second)
	if caller.Session != nil && exp.After(caller.Session.ExpiresAt) {
		return WebIdentityToken{}, opensts.Errorf(opensts.ErrSessionDurationEscalation,
			"The requested DurationSeconds would make the token outlive the calling session, which expires at %s.", caller.Session.ExpiresAt.UTC().Format(time.RFC3339))
	}
	payload, err := tokenClaims(w.IssuerURL, caller, in.Audience, tags, now, exp)
	if err != nil {
		return WebIdentityToken{}, err
	}
	if len(payload) > MaxJWTPayload {
		return WebIdentityToken{}, opensts.Errorf(opensts.ErrJWTPayloadTooLarge, "The token's claims take %d bytes, more than the %d allowed; pass fewer or shorter tags or audiences.", len(payload), MaxJWTPayload)
	}
	tok, err := w.Keys.Sign(*in.SigningAlgorithm, payload)
	if err != nil {
		return WebIdentityToken{}, fmt.Errorf("sign web identity token: %w", err)
	}
	return WebIdentityToken{Token: tok, Expiration: exp}, nil
}

// tokenClaims is a web identity token's payload (AWS's claim set, IAM User
// Guide "Understanding token claims"): aud is a string for one audience
// and a list for several.
func tokenClaims(issuerURL string, p *opensts.Principal, audience []string, tags []token.Tag, now, exp time.Time) ([]byte, error) {
	var jti [16]byte
	if _, err := rand.Read(jti[:]); err != nil {
		return nil, err
	}
	subject := p.PrincipalARN() // a role session is the role
	aws := map[string]any{"aws_account": p.AccountID, "principal_id": subject}
	if pt := p.PrincipalTags(); len(pt) > 0 {
		tags := make(map[string]string, len(pt))
		for _, t := range pt {
			tags[t.Key] = t.Value
		}
		aws["principal_tags"] = tags
	}
	if p.Session != nil && p.Session.SourceIdentity != "" {
		aws["source_identity"] = p.Session.SourceIdentity
	}
	if len(tags) > 0 {
		rt := make(map[string]string, len(tags))
		for _, t := range tags {
			rt[t.Key] = t.Value
		}
		aws["request_tags"] = rt
	}
	claims := map[string]any{
		"iss": opensts.OutboundIssuer(issuerURL, p.AccountID), "sub": subject,
		"iat": now.Unix(), "exp": exp.Unix(), "jti": hex.EncodeToString(jti[:]),
		ClaimNamespace: aws,
	}
	if len(audience) == 1 {
		claims["aud"] = audience[0]
	} else {
		claims["aud"] = audience
	}
	return json.Marshal(claims)
}
