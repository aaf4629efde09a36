package api

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/internal/jsonw"
)

// secretResponse names response elements that are never audited.
var secretResponse = map[string]bool{"SecretAccessKey": true, "SessionToken": true, "Base32StringSeed": true, "QRCodePNG": true, "WebIdentityToken": true}

// audit records one request as a CloudTrail-shaped event.
func (s *Server) audit(ctx context.Context, c *call, svc *service, op *operation, result *node, we *wireError) {
	e := opensts.Event{
		Time: c.start.UTC(), Source: svc.endpoint, Name: op.name, RequestID: c.requestID,
		Region: s.cfg.Region, SourceIP: c.sourceIP, UserAgent: c.r.UserAgent(),
	}
	c.auditParams = auditParams{p: c.p, op: op}
	switch c.auditParams.shape() {
	case flatParams:
		e.RequestObject = &c.auditParams
	case nestedParams:
		e.RequestParameters = requestParameters(c.p, op)
	}
	if c.sig != nil {
		e.Region = c.sig.Region
		e.Identity.AccessKeyID = c.sig.AccessKeyID
	}
	if c.identity != nil {
		e.Identity = *c.identity
	}
	if p := c.caller; p != nil {
		e.Identity = opensts.EventIdentity{
			Type: p.IdentityType(), PrincipalID: p.UserID(), ARN: p.ARN(), AccountID: p.AccountID,
			AccessKeyID: p.AccessKeyID,
		}
		if p.Type == opensts.HolderUser { // also for the user's sessions and federated users
			e.Identity.UserName = p.Name
		}
	}
	if we != nil {
		e.ErrorCode, e.ErrorMessage = we.Code, we.Message
	} else if result != nil && len(result.kids) > 0 {
		e.ResponseObject = (*auditResponse)(result)
	}
	s.cfg.Auditor.Record(ctx, e)
}

// auditParams writes a request's parameters into its audit record
// directly when every audited name is flat (no "." path), as most
// requests' are: lowerCamel names in sorted order, the values as strings,
// exactly what requestParameters and the audit trail's encoding would
// make of them, without building the map.
type auditParams struct {
	p  params
	op *operation
}

// paramsShape is what the audit trail has to record of a request.
type paramsShape int

const (
	noParams     paramsShape = iota // nothing: requestParameters is null
	flatParams                      // flat names only: auditParams writes them
	nestedParams                    // list or nested names: requestParameters builds the tree
)

// audited reports whether the audit trail records parameter k.
func (a *auditParams) audited(k string, vs []string) bool {
	return k != "Action" && k != "Version" && !a.op.isSecret(k) && len(vs) > 0
}

func (a *auditParams) shape() paramsShape {
	shape := noParams
	for k, vs := range a.p {
		if !a.audited(k, vs) {
			continue
		}
		if strings.IndexByte(k, '.') >= 0 {
			return nestedParams
		}
		shape = flatParams
	}
	return shape
}

// AppendJSON writes the flat parameters as one object. Names equal once
// lowered keep the value of the greatest original name, as the map would.
func (a *auditParams) AppendJSON(b []byte, secret func(string) bool) ([]byte, string) {
	var small [16]member
	ms := small[:0]
	for k, vs := range a.p {
		if a.audited(k, vs) {
			ms = append(ms, member{name: lowerFirst(k), key: k})
		}
	}
	slices.SortFunc(ms, member.compare)
	dropped := ""
	b = append(b, '{')
	for i, m := range written(ms, secret, &dropped) {
		b = m.appendName(b, i)
		b = jsonw.AppendString(b, a.p[m.key][0])
	}
	return append(b, '}'), dropped
}

// written keeps, in place, the sorted members the record gets: of equal
// names the last, and no secret name (the first one left out is noted in
// dropped).
func written(ms []member, secret func(string) bool, dropped *string) []member {
	out := ms[:0]
	for i, m := range ms {
		if i+1 < len(ms) && ms[i+1].name == m.name {
			continue
		}
		if secret(m.name) {
			if *dropped == "" {
				*dropped = m.name
			}
			continue
		}
		out = append(out, m)
	}
	return out
}

// appendName writes the member's name and colon, after a comma unless it
// is the object's first (i == 0).
func (m member) appendName(b []byte, i int) []byte {
	if i > 0 {
		b = append(b, ',')
	}
	b = jsonw.AppendString(b, m.name)
	return append(b, ':')
}

// member is one member of an audited object: its lowerCamel name, and the
// parameter name or response element it comes from.
type member struct {
	name string
	key  string
	kid  *node
}

func (m member) compare(o member) int {
	if c := strings.Compare(m.name, o.name); c != 0 {
		return c
	}
	return strings.Compare(m.key, o.key)
}

// auditResponse writes a response's elements into its audit record as
// CloudTrail names them (lowerCamel, sorted), leaving out the elements
// that are never audited and the names the auditor calls secret: what
// node.object(auditKey) and the audit trail's encoding would make of
// them, without building maps.
type auditResponse node

func (r *auditResponse) AppendJSON(b []byte, secret func(string) bool) ([]byte, string) {
	dropped := ""
	b = (*node)(r).appendAuditObject(b, secret, &dropped)
	return b, dropped
}

func (n *node) appendAuditObject(b []byte, secret func(string) bool, dropped *string) []byte {
	var small [16]member
	ms := small[:0]
	for _, k := range n.kids {
		if name, ok := auditKey(k.name); ok {
			ms = append(ms, member{name: name, kid: k})
		}
	}
	// Stable: of equal names, the last element wins, as in a map.
	slices.SortStableFunc(ms, func(a, b member) int { return strings.Compare(a.name, b.name) })
	b = append(b, '{')
	for i, m := range written(ms, secret, dropped) {
		b = m.appendName(b, i)
		b = m.kid.appendAuditValue(b, secret, dropped)
	}
	return append(b, '}')
}

func (n *node) appendAuditValue(b []byte, secret func(string) bool, dropped *string) []byte {
	switch {
	case n.leaf:
		return jsonw.AppendString(b, n.text)
	case n.isList:
		b = append(b, '[')
		for i, k := range n.kids {
			if i > 0 {
				b = append(b, ',')
			}
			b = k.appendAuditValue(b, secret, dropped)
		}
		return append(b, ']')
	}
	return n.appendAuditObject(b, secret, dropped)
}

// requestParameters turns the flattened Query parameters into CloudTrail's
// nested lowerCamel form: Tags.member.1.Key=k becomes
// {"tags":[{"key":"k"}]}. Secrets and signing parameters are left out.
//
// The request may not be authenticated (refused requests are audited too),
// so the tree is bounded: at most maxAuditNodes maps, list slots and values
// in all (a list index N costs N slots, so sparse indices cannot inflate it),
// and parameters beyond the budget are left out. Names are already bounded
// in length and depth by decodeParams.
func requestParameters(p params, op *operation) map[string]any {
	var small [16]string // most requests: no allocation for the names
	keys := small[:0]
	for k, vs := range p {
		if k == "Action" || k == "Version" || op.isSecret(k) || len(vs) == 0 {
			continue
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil
	}
	slices.Sort(keys)
	out := make(map[string]any, len(keys))
	budget := maxAuditNodes
	var segs [8]string
	for _, k := range keys {
		if !insert(out, splitPath(segs[:0], k), p[k][0], &budget) {
			out["requestParametersTruncated"] = true
			break
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// splitPath appends the dot-separated segments of name to segs.
func splitPath(segs []string, name string) []string {
	for {
		i := strings.IndexByte(name, '.')
		if i < 0 {
			return append(segs, name)
		}
		segs = append(segs, name[:i])
		name = name[i+1:]
	}
}

// maxAuditNodes bounds the audited request tree. A legitimate request uses
// about one node per parameter, and maxParams bounds those.
const maxAuditNodes = 2 * maxParams

// insert places value at path: "member" segments followed by an index
// become list positions. It reports false, having changed nothing it cannot
// keep, when the budget would be exceeded.
func insert(m map[string]any, path []string, value string, budget *int) bool {
	key := lowerFirst(path[0])
	if len(path) == 1 {
		if *budget < 1 {
			return false
		}
		*budget--
		m[key] = value
		return true
	}
	if path[1] == "member" && len(path) >= 3 {
		i, err := strconv.Atoi(path[2])
		if err != nil || i < 1 || i > maxListMembers {
			return true // not a list position: ignored, as the handlers ignore it
		}
		list, _ := m[key].([]any)
		grow := max(0, i-len(list))
		if len(path) > 3 {
			if i > len(list) {
				grow++ // the element's map
			} else if _, ok := list[i-1].(map[string]any); !ok {
				grow++
			}
		}
		if *budget < grow+1 {
			return false
		}
		*budget -= grow
		for len(list) < i {
			list = append(list, nil)
		}
		if len(path) == 3 {
			*budget--
			list[i-1] = value
		} else {
			elem, _ := list[i-1].(map[string]any)
			if elem == nil {
				elem = map[string]any{}
			}
			list[i-1] = elem
			if !insert(elem, path[3:], value, budget) {
				m[key] = list
				return false
			}
		}
		m[key] = list
		return true
	}
	sub, _ := m[key].(map[string]any)
	if sub == nil {
		if *budget < 2 {
			return false
		}
		*budget--
		sub = map[string]any{}
		m[key] = sub
	}
	return insert(sub, path[1:], value, budget)
}

// auditKey names response members as CloudTrail does, with a lower-case
// first letter, and leaves secret elements out.
func auditKey(element string) (string, bool) {
	return lowerFirst(element), !secretResponse[element]
}

// lowerFirst lower-cases the first letter of a member name. Names are
// few (the API's own, and the parameter names clients send, which
// decodeParams bounds), so results are kept: every audited request needs
// a dozen of them.
func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	if c := s[0]; c < utf8.RuneSelf && (c < 'A' || c > 'Z') {
		return s
	}
	if l, ok := lowerNames.Load(s); ok {
		return l.(string)
	}
	var l string
	if c := s[0]; c < utf8.RuneSelf {
		l = string(c+'a'-'A') + s[1:]
	} else {
		r, n := utf8.DecodeRuneInString(s)
		l = string(unicode.ToLower(r)) + s[n:]
	}
	if lowerNamesCount.Add(1) <= maxLowerNames {
		lowerNames.Store(s, l)
	}
	return l
}

// lowerNames caches lowerFirst; maxLowerNames bounds it, so names clients
// make up cannot grow it without end (past the bound they are lowered
// each time).
var (
	lowerNames      sync.Map // string → string
	lowerNamesCount atomic.Int64
)

const maxLowerNames = 4096
