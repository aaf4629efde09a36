package api

import (
	"context"
	"strconv"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/access"
	"github.com/opensts/opensts/issuer"
)

func (s *Server) getCallerIdentity(ctx context.Context, c *call) (*node, error) {
	id := s.cfg.Issuer.GetCallerIdentity(ctx, c.caller)
	return el("", leaf("Arn", id.ARN), leaf("UserId", id.UserID), leaf("Account", id.Account)), nil
}

// credentialsNode is the Credentials element. Every issuing call answers
// one, so its five nodes are allocated together.
func credentialsNode(cr issuer.Credentials) *node {
	b := new(struct {
		el     node
		leaves [4]node
		kids   [4]*node
	})
	b.leaves = [4]node{
		{name: "AccessKeyId", text: cr.AccessKeyID, leaf: true},
		{name: "SecretAccessKey", text: cr.SecretAccessKey, leaf: true},
		{name: "SessionToken", text: cr.SessionToken, leaf: true},
		{name: "Expiration", text: formatTime(cr.Expiration), leaf: true},
	}
	for i := range b.leaves {
		b.kids[i] = &b.leaves[i]
	}
	b.el = node{name: "Credentials", kids: b.kids[:]}
	return &b.el
}

// tokenSizeNodes are SessionTokenSize and SessionTokenUtilization,
// allocated together.
func tokenSizeNodes(cr issuer.Credentials) []*node {
	b := new(struct {
		leaves [2]node
		kids   [2]*node
	})
	b.leaves = [2]node{
		{name: "SessionTokenSize", text: strconv.Itoa(cr.SessionTokenSize()), leaf: true},
		{name: "SessionTokenUtilization", text: strconv.Itoa(cr.SessionTokenUtilization()), leaf: true},
	}
	b.kids = [2]*node{&b.leaves[0], &b.leaves[1]}
	return b.kids[:]
}

// tokenLifetimeAndSize reads the DurationSeconds and MinimumSessionTokenSize
// that GetSessionToken and GetFederationToken both take.
func tokenLifetimeAndSize(p params) (d, minSize *int64, err error) {
	if d, err = p.int32("DurationSeconds"); err != nil {
		return nil, nil, err
	}
	if minSize, err = p.int32("MinimumSessionTokenSize"); err != nil {
		return nil, nil, err
	}
	return d, minSize, nil
}

// policyARNs reads PolicyArns.member.N.arn, nil where a member has no arn.
func policyARNs(p params) []*string {
	var out []*string
	for _, m := range p.structs("PolicyArns", "arn") {
		out = append(out, m["arn"])
	}
	return out
}

// sessionTags reads Tags.member.N.Key and .Value.
func sessionTags(p params) []issuer.TagInput {
	var out []issuer.TagInput
	for _, m := range p.structs("Tags", "Key", "Value") {
		out = append(out, issuer.TagInput{Key: m["Key"], Value: m["Value"]})
	}
	return out
}

// assumedRoleUser is a role session's AssumedRoleUser element.
func assumedRoleUser(rs issuer.RoleSession) *node {
	return el("AssumedRoleUser", leaf("AssumedRoleId", rs.AssumedRoleID), leaf("Arn", rs.AssumedRoleARN))
}

// packedPolicySize is PackedPolicySize, omitted (nil) when the session
// packs no policy, policy ARN or tag.
func packedPolicySize(has bool, size int) *node {
	if !has {
		return nil
	}
	return leaf("PackedPolicySize", strconv.Itoa(size))
}

// sourceIdentity is a role session's SourceIdentity, omitted when unset.
func sourceIdentity(rs issuer.RoleSession) *node {
	if rs.SourceIdentity == "" {
		return nil
	}
	return leaf("SourceIdentity", rs.SourceIdentity)
}

func (s *Server) getSessionToken(ctx context.Context, c *call) (*node, error) {
	d, minSize, err := tokenLifetimeAndSize(c.p)
	if err != nil {
		return nil, err
	}
	in := issuer.GetSessionTokenInput{DurationSeconds: d, SerialNumber: c.p.get("SerialNumber"), TokenCode: c.p.get("TokenCode"), MinimumSessionTokenSize: minSize}
	cr, err := s.cfg.Issuer.GetSessionToken(ctx, c.caller, in)
	if err != nil {
		return nil, err
	}
	s.countIssued("GetSessionToken", in.SerialNumber != nil)
	return el("", append([]*node{credentialsNode(cr)}, tokenSizeNodes(cr)...)...), nil
}

func (s *Server) getFederationToken(ctx context.Context, c *call) (*node, error) {
	d, minSize, err := tokenLifetimeAndSize(c.p)
	if err != nil {
		return nil, err
	}
	in := issuer.GetFederationTokenInput{Name: c.p.get("Name"), Policy: c.p.get("Policy"), PolicyArns: policyARNs(c.p), Tags: sessionTags(c.p),
		DurationSeconds: d, MinimumSessionTokenSize: minSize}
	ft, err := s.cfg.Issuer.GetFederationToken(ctx, c.caller, in)
	if err != nil {
		return nil, err
	}
	s.countIssued("GetFederationToken", false)
	res := el("",
		credentialsNode(ft.Credentials),
		el("FederatedUser", leaf("FederatedUserId", ft.FederatedUserID), leaf("Arn", ft.FederatedUserARN)),
		packedPolicySize(ft.HasPackedPolicy, ft.PackedPolicySize))
	res.kids = append(res.kids, tokenSizeNodes(ft.Credentials)...)
	return res, nil
}

// assumeRole answers AssumeRoleResult in AWS's element order:
// AssumedRoleUser, Credentials, then PackedPolicySize and SourceIdentity
// when they apply (roles-spec §2.11).
func (s *Server) assumeRole(ctx context.Context, c *call) (*node, error) {
	d, minSize, err := tokenLifetimeAndSize(c.p)
	if err != nil {
		return nil, err
	}
	in := issuer.AssumeRoleInput{
		RoleArn: c.p.get("RoleArn"), RoleSessionName: c.p.get("RoleSessionName"), Policy: c.p.get("Policy"),
		DurationSeconds: d, TransitiveTagKeys: c.p.list("TransitiveTagKeys"), ExternalID: c.p.get("ExternalId"),
		SerialNumber: c.p.get("SerialNumber"), TokenCode: c.p.get("TokenCode"), SourceIdentity: c.p.get("SourceIdentity"),
		ProvidedContexts: len(c.p.structs("ProvidedContexts", "ProviderArn", "ContextAssertion")), MinimumSessionTokenSize: minSize,
		PolicyArns: policyARNs(c.p), Tags: sessionTags(c.p),
	}
	rs, err := s.cfg.Issuer.AssumeRole(ctx, c.caller, in)
	if err != nil {
		return nil, err
	}
	s.countIssued("AssumeRole", in.TokenCode != nil)
	res := el("",
		assumedRoleUser(rs),
		credentialsNode(rs.Credentials),
		packedPolicySize(rs.HasPackedPolicy, rs.PackedPolicySize),
		sourceIdentity(rs))
	res.kids = append(res.kids, tokenSizeNodes(rs.Credentials)...)
	return res, nil
}

// assumeRoleWithWebIdentity answers AssumeRoleWithWebIdentityResult in
// AWS's element order (roles-spec §3.7): Credentials,
// SubjectFromWebIdentityToken, AssumedRoleUser, PackedPolicySize when it
// applies, Provider, Audience, SourceIdentity when set. The request is not
// signed: whatever credentials a client attached are ignored.
func (s *Server) assumeRoleWithWebIdentity(ctx context.Context, c *call) (*node, error) {
	d, minSize, err := tokenLifetimeAndSize(c.p)
	if err != nil {
		return nil, err
	}
	in := issuer.AssumeRoleWithWebIdentityInput{
		RoleArn: c.p.get("RoleArn"), RoleSessionName: c.p.get("RoleSessionName"), WebIdentityToken: c.p.get("WebIdentityToken"),
		ProviderID: c.p.get("ProviderId"), Policy: c.p.get("Policy"), PolicyArns: policyARNs(c.p), DurationSeconds: d, MinimumSessionTokenSize: minSize,
	}
	ws, err := s.cfg.Issuer.AssumeRoleWithWebIdentity(ctx, in)
	if err != nil {
		return nil, err
	}
	s.countIssued("AssumeRoleWithWebIdentity", false)
	// CloudTrail's userIdentity of a web identity caller.
	c.identity = &opensts.EventIdentity{
		Type: "WebIdentityUser", PrincipalID: ws.Provider + ":" + ws.Audience + ":" + ws.Subject,
		UserName: ws.Subject, IdentityProvider: ws.Provider,
	}
	res := el("",
		credentialsNode(ws.Credentials),
		leaf("SubjectFromWebIdentityToken", ws.Subject),
		assumedRoleUser(ws.RoleSession),
		packedPolicySize(ws.HasPackedPolicy, ws.PackedPolicySize),
		leaf("Provider", ws.Provider),
		leaf("Audience", ws.Audience),
		sourceIdentity(ws.RoleSession))
	res.kids = append(res.kids, tokenSizeNodes(ws.Credentials)...)
	return res, nil
}

// assumeRoleWithSAML answers AssumeRoleWithSAMLResult in AWS's element
// order (roles-spec §4.5): Credentials, AssumedRoleUser, PackedPolicySize
// when it applies, Subject, SubjectType, Issuer, Audience, NameQualifier,
// SourceIdentity when set. The request is not signed: whatever credentials
// a client attached are ignored.
func (s *Server) assumeRoleWithSAML(ctx context.Context, c *call) (*node, error) {
	d, minSize, err := tokenLifetimeAndSize(c.p)
	if err != nil {
		return nil, err
	}
	in := issuer.AssumeRoleWithSAMLInput{
		RoleArn: c.p.get("RoleArn"), PrincipalArn: c.p.get("PrincipalArn"), SAMLAssertion: c.p.get("SAMLAssertion"),
		Policy: c.p.get("Policy"), PolicyArns: policyARNs(c.p), DurationSeconds: d, MinimumSessionTokenSize: minSize,
	}
	ss, err := s.cfg.Issuer.AssumeRoleWithSAML(ctx, in)
	if err != nil {
		return nil, err
	}
	s.countIssued("AssumeRoleWithSAML", false)
	// CloudTrail's userIdentity of a SAML caller.
	c.identity = &opensts.EventIdentity{
		Type: "SAMLUser", PrincipalID: ss.NameQualifier + ":" + ss.Subject, UserName: ss.Subject, IdentityProvider: ss.NameQualifier,
	}
	res := el("",
		credentialsNode(ss.Credentials),
		assumedRoleUser(ss.RoleSession),
		packedPolicySize(ss.HasPackedPolicy, ss.PackedPolicySize),
		leaf("Subject", ss.Subject),
		leaf("SubjectType", ss.SubjectType),
		leaf("Issuer", ss.Issuer),
		leaf("Audience", ss.Audience),
		leaf("NameQualifier", ss.NameQualifier),
		sourceIdentity(ss.RoleSession))
	res.kids = append(res.kids, tokenSizeNodes(ss.Credentials)...)
	return res, nil
}

// getWebIdentityToken answers GetWebIdentityTokenResult: WebIdentityToken
// and Expiration.
func (s *Server) getWebIdentityToken(ctx context.Context, c *call) (*node, error) {
	d, err := c.p.int32("DurationSeconds")
	if err != nil {
		return nil, err
	}
	in := issuer.GetWebIdentityTokenInput{Audience: c.p.list("Audience"), DurationSeconds: d, SigningAlgorithm: c.p.get("SigningAlgorithm"), Tags: sessionTags(c.p)}
	tok, err := s.cfg.Issuer.GetWebIdentityToken(ctx, c.caller, in)
	if err != nil {
		return nil, err
	}
	s.countIssued("GetWebIdentityToken", false)
	return el("", leaf("WebIdentityToken", tok.Token), timeLeaf("Expiration", tok.Expiration)), nil
}

func (s *Server) getAccessKeyInfo(ctx context.Context, c *call) (*node, error) {
	acct, err := s.cfg.Issuer.GetAccessKeyInfo(ctx, c.caller, issuer.GetAccessKeyInfoInput{AccessKeyID: c.p.get("AccessKeyId")})
	if err != nil {
		return nil, err
	}
	return el("", leaf("Account", acct)), nil
}

// decodeAuthorizationMessage returns the document behind an encoded
// authorization failure message (roles-spec §5); the caller needs
// sts:DecodeAuthorizationMessage.
func (s *Server) decodeAuthorizationMessage(ctx context.Context, c *call) (*node, error) {
	var v opensts.ValidationError
	v.CheckString("encodedMessage", c.p.get("EncodedMessage"), opensts.StringRule{Required: true, Min: 1, Max: access.MaxEncodedMessage})
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := s.cfg.Authorizer.Authorize(ctx, c.caller, "sts:DecodeAuthorizationMessage", "*", nil); err != nil {
		return nil, err
	}
	if s.cfg.Messages == nil {
		return nil, opensts.Errorf(opensts.ErrInvalidAuthorizationMessage, "This server encodes no authorization messages.")
	}
	doc, err := s.cfg.Messages.Decode(*c.p.get("EncodedMessage"))
	if err != nil {
		return nil, err
	}
	return el("", leaf("DecodedMessage", doc)), nil
}
