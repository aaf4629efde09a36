package api

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/access"
	"github.com/opensts/opensts/iam"
	"github.com/opensts/opensts/policy"
)

// maxForwardedBody bounds the body of a forwarded request (decoded).
const maxForwardedBody = 512 << 10

// authorizeRequest is OpenSTS's answer to "who signed this request, and may
// they do action A on resource R?" for services that receive requests
// signed with OpenSTS credentials. It is not an AWS action; it lives beside
// GetCallerIdentity (Version 2011-06-15) because it answers the same
// question and more. The caller needs opensts:AuthorizeRequest.
//
// Parameters: Method, Url (with the host the client signed), Headers.member.N
// .Name/.Value, Body (base64), Service (the signing name the client must
// have used; required, so that a signature for one service — a presigned STS
// GetCallerIdentity URL, say — never authorizes a request for another),
// SourceIp, SecureTransport, ActionNames.member.N (3–128 characters, as
// IAM's ActionNameType), ResourceArns.member.N (1–2048, ResourceNameType;
// at most 100 action × resource pairs), ResourcePolicy, ContextEntries (as
// in SimulateCustomPolicy). The evaluation work of one request is bounded
// (access.Check).
func (s *Server) authorizeRequest(ctx context.Context, c *call) (*node, error) {
	p := c.p
	var v opensts.ValidationError
	v.CheckString("method", p.get("Method"), opensts.StringRule{Required: true, Min: 1, Max: 16, Pattern: &patternMethod})
	v.CheckString("url", p.get("Url"), opensts.StringRule{Required: true, Min: 8, Max: 8192})
	v.CheckString("service", p.get("Service"), opensts.StringRule{Required: true, Min: 1})
	actions, resources := p.list("ActionNames"), p.list("ResourceArns")
	if actions == nil {
		v.Add("actionNames", nil, "not be null")
	}
	for i, a := range actions {
		v.CheckString("actionNames."+strconv.Itoa(i+1)+".member", &a, ruleActionName)
	}
	for i, r := range resources {
		v.CheckString("resourceArns."+strconv.Itoa(i+1)+".member", &r, ruleResourceName)
	}
	if len(actions)*max(1, len(resources)) > 100 {
		n := strconv.Itoa(len(actions) * max(1, len(resources)))
		v.Add("actionNames", &n, "have at most 100 action and resource pairs")
	}
	entries := contextEntries(p)
	for i, e := range entries {
		v.CheckString("contextEntries."+strconv.Itoa(i+1)+".member.contextKeyName", e.ContextKeyName, ruleContextKeyName)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	secure, err := p.bool("SecureTransport")
	if err != nil {
		return nil, err
	}
	body, err := base64.StdEncoding.DecodeString(p.value("Body"))
	if err != nil || len(body) > maxForwardedBody {
		return nil, &malformedInputError{msg: "Body must be the base64 of at most 512 KiB."}
	}
	u, err := url.Parse(*p.get("Url"))
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, opensts.Errorf(opensts.ErrInvalidParameter, "Url must be an absolute http or https URL.")
	}
	fwd, err := http.NewRequestWithContext(ctx, *p.get("Method"), u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, opensts.Errorf(opensts.ErrInvalidParameter, "The forwarded request is not valid.")
	}
	for _, h := range p.structs("Headers", "Name", "Value") {
		if h["Name"] == nil || h["Value"] == nil {
			continue
		}
		if strings.EqualFold(*h["Name"], "Host") {
			fwd.Host = *h["Value"]
			continue
		}
		fwd.Header.Add(*h["Name"], *h["Value"])
	}
	check := access.Check{
		Request: fwd, Body: body, Service: p.value("Service"),
		Actions: actions, Resources: resources,
		Context: map[string][]string{}, SourceIP: p.value("SourceIp"), SecureTransport: secure != nil && *secure,
	}
	for _, e := range entries {
		if e.ContextKeyName != nil {
			check.Context[*e.ContextKeyName] = e.ContextKeyValues
		}
	}
	if err := s.cfg.Authorizer.Authorize(ctx, c.caller, "opensts:AuthorizeRequest", "*", nil); err != nil {
		return nil, err
	}
	// Parsed once the caller may ask: up to a body's worth of policy.
	if rp := p.get("ResourcePolicy"); rp != nil {
		doc, err := policy.Parse(*rp, policy.Resource)
		if err != nil {
			return nil, err
		}
		check.ResourcePolicy = doc
	}
	res, err := check.Run(ctx, s.cfg.Authenticator, s.cfg.Authorizer)
	if err != nil {
		return nil, err
	}
	if res.Principal == nil {
		we := toWire(res.AuthError, stsService)
		return el("", boolLeaf("Authenticated", false), leaf("ErrorCode", we.Code), leaf("ErrorMessage", we.Message), boolLeaf("Allowed", false)), nil
	}
	pr := res.Principal
	principal := el("Principal",
		leaf("Arn", pr.ARN()), leaf("UserId", pr.UserID()), leaf("Account", pr.AccountID),
		leaf("Type", pr.PrincipalType()), leaf("AccessKeyId", pr.AccessKeyID))
	if pr.Session != nil {
		principal.kids = append(principal.kids, leaf("SessionType", pr.Session.Kind.String()),
			boolLeaf("MultiFactorAuthPresent", pr.Session.MFA()), timeLeaf("Expiration", pr.Session.ExpiresAt))
	}
	results := make([]*node, 0, len(res.Decisions))
	for _, d := range res.Decisions {
		n := evaluationNode(iam.EvaluationResult{Action: d.Action, Resource: d.Resource, Decision: d.Decision})
		// A denial carries AWS's encoded authorization failure message, for
		// the service to pass on (DecodeAuthorizationMessage reads it).
		if m := s.cfg.Messages; m != nil && !d.Decision.IsAllowed() {
			n.kids = append(n.kids, leaf("EncodedAuthorizationMessage", m.Encode(pr, d.Action, d.Resource, d.Decision, check.Context)))
		}
		results = append(results, n)
	}
	return el("", boolLeaf("Authenticated", true), principal, boolLeaf("Allowed", res.Allowed()), list("EvaluationResults", results)), nil
}

var (
	patternMethod = opensts.NewPattern(`[A-Z]+`, `[A-Z]+`)
	// IAM's ActionNameType, ResourceNameType and ContextKeyNameType (botocore
	// iam service-2.json), shared with the simulator's parameters.
	ruleActionName     = opensts.StringRule{Min: 3, Max: 128}
	ruleResourceName   = opensts.StringRule{Min: 1, Max: 2048}
	ruleContextKeyName = opensts.StringRule{Min: 5, Max: 256}
)
