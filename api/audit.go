package api

import (
	"context"
	"strconv"
	"strings"
	"unicode"

	"github.com/opensts/opensts"
)

// audited reports whether an action is recorded in the audit trail: every
// issuance of credentials (granted or refused) and every IAM mutation.
func audited(svc *service, action string) bool {
	if svc == stsService {
		return action == "GetSessionToken" || action == "GetFederationToken"
	}
	for _, p := range []string{"Get", "List", "Simulate"} {
		if strings.HasPrefix(action, p) {
			return false
		}
	}
	_, known := svc.ops[action]
	return known
}

// secretParams never reach the audit trail (nor do X-Amz-* parameters of
// presigned requests, which include the session token).
var secretParams = map[string]bool{"TokenCode": true, "AuthenticationCode1": true, "AuthenticationCode2": true}

// secretResponse names response elements that are never audited.
var secretResponse = map[string]bool{"SecretAccessKey": true, "SessionToken": true, "Base32StringSeed": true, "QRCodePNG": true}

// audit records one request as a CloudTrail-shaped event.
func (s *Server) audit(ctx context.Context, c *call, svc *service, action string, result *node, we *wireError) {
	e := opensts.Event{
		Time: c.start.UTC(), Source: svc.endpoint, Name: action, RequestID: c.requestID, EventID: newUUID(),
		Region: s.cfg.Region, SourceIP: s.clientIP(c.r), UserAgent: c.r.UserAgent(),
		RequestParameters: requestParameters(c.p),
	}
	if c.sig != nil {
		e.Region = c.sig.Region
		e.Identity.AccessKeyID = c.sig.AccessKeyID
	}
	if p := c.caller; p != nil {
		e.Identity = opensts.EventIdentity{
			Type: identityType(p), PrincipalID: p.CallerUserID(), ARN: p.ARN(), AccountID: p.AccountID,
			AccessKeyID: p.AccessKeyID, UserName: p.UserName,
		}
	}
	if we != nil {
		e.ErrorCode, e.ErrorMessage = we.Code, we.Message
	} else if result != nil {
		if m, ok := lowerKeys(result.jsonValue()).(map[string]any); ok && len(m) > 0 {
			e.ResponseElements = m
		}
	}
	s.cfg.Auditor.Record(ctx, e)
}

// identityType is CloudTrail's userIdentity.type.
func identityType(p *opensts.Principal) string {
	switch p.Type {
	case opensts.PrincipalRoot:
		return "Root"
	case opensts.PrincipalFederated:
		return "FederatedUser"
	}
	return "IAMUser"
}

// requestParameters turns the flattened Query parameters into CloudTrail's
// nested lowerCamel form: Tags.member.1.Key=k becomes
// {"tags":[{"key":"k"}]}. Secrets and signing parameters are left out.
func requestParameters(p params) map[string]any {
	out := map[string]any{}
	for k, vs := range p {
		if k == "Action" || k == "Version" || strings.HasPrefix(k, "X-Amz-") || secretParams[k] || len(vs) == 0 {
			continue
		}
		insert(out, strings.Split(k, "."), vs[0])
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// insert places value at path: "member" segments followed by an index
// become list positions.
func insert(m map[string]any, path []string, value string) {
	key := lowerFirst(path[0])
	if len(path) == 1 {
		m[key] = value
		return
	}
	if path[1] == "member" && len(path) >= 3 {
		i, err := strconv.Atoi(path[2])
		if err != nil || i < 1 || i > maxListMembers {
			return
		}
		list, _ := m[key].([]any)
		for len(list) < i {
			list = append(list, nil)
		}
		if len(path) == 3 {
			list[i-1] = value
		} else {
			elem, _ := list[i-1].(map[string]any)
			if elem == nil {
				elem = map[string]any{}
			}
			insert(elem, path[3:], value)
			list[i-1] = elem
		}
		m[key] = list
		return
	}
	sub, _ := m[key].(map[string]any)
	if sub == nil {
		sub = map[string]any{}
	}
	insert(sub, path[1:], value)
	m[key] = sub
}

// lowerKeys lowers the first letter of every object key (CloudTrail's
// spelling) and drops secret elements.
func lowerKeys(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			if secretResponse[k] {
				continue
			}
			out[lowerFirst(k)] = lowerKeys(x)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = lowerKeys(x)
		}
		return out
	}
	return v
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = unicode.ToLower(r[0])
	return string(r)
}
