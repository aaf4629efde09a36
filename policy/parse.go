package policy

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// SyntaxError reports a malformed policy document. The API renders it as
// MalformedPolicyDocument with Message as the message.
type SyntaxError struct {
	// Message is safe to show to the client: IAM's own text where IAM's is
	// specific (see the msg constants), otherwise a precise description of
	// what is wrong and where.
	Message string
	// Line and Column locate the problem when known (1-based), else 0.
	Line, Column int
}

func (e *SyntaxError) Error() string { return "malformed policy document: " + e.Message }

// IAM's own MalformedPolicyDocument messages, used verbatim.
const (
	msgPrincipalNotAllowed = "Policy document should not specify a principal."
	msgNoActions           = "Policy statement must contain actions."
	msgNoResources         = "Policy statement must contain resources."
	msgSidNotUnique        = "Statement IDs (SID) in a single policy must be unique."
	msgSidNotAlnum         = "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*"
	msgActionNoVendor      = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
	msgActionColons        = "Actions/Condition can contain only one colon."
	msgActionVendorWild    = "Action vendors (e.g., aws, ec2, etc.) must not contain wildcards."
	msgResourceVendor      = "Resource vendor must be fully qualified and cannot contain regexes."
	msgVersionRequired     = "Policy document must be version 2012-10-17 or greater."
)

func msgVendorInvalid(v string) string { return fmt.Sprintf("Vendor %s is not valid", v) }

func msgResourceFormat(r string) string {
	return fmt.Sprintf("Resource %s must be in ARN format or \"*\".", r)
}

func msgIAMRegion(r string) string {
	return fmt.Sprintf("IAM resource %s cannot contain region information.", r)
}

func msgInvalidPrincipal(typ, v string) string {
	return fmt.Sprintf("Invalid principal in policy: %q:%q", typ, v)
}

// Parse parses, validates and compiles a policy document of the given kind.
// Errors are *SyntaxError. Parse does not enforce size quotas, which depend
// on where the policy is used; see Size.
func Parse(doc string, kind Kind) (*Document, error) {
	if kind != Identity && kind != Session && kind != Resource && kind != Trust {
		return nil, fmt.Errorf("policy: unknown kind %d", int(kind))
	}
	if err := checkCharacters(doc); err != nil {
		return nil, err
	}
	root, serr := readJSON(doc)
	if serr != nil {
		return nil, serr
	}
	v := validator{kind: kind}
	d, serr := v.document(root)
	if serr != nil {
		return nil, serr
	}
	return d, nil
}

// checkCharacters enforces the policy character set: TAB, LF, CR and
// U+0020–U+00FF (the Policy parameter's pattern in the STS and IAM models).
func checkCharacters(doc string) *SyntaxError {
	line, col := 1, 1
	for i := 0; i < len(doc); {
		r, w := utf8.DecodeRuneInString(doc[i:])
		switch {
		case r == utf8.RuneError && w == 1:
			return &SyntaxError{
				Message: fmt.Sprintf("The policy is not valid UTF-8 (line %d, column %d)", line, col),
				Line:    line, Column: col,
			}
		case r == '\t' || r == '\n' || r == '\r' || (r >= 0x20 && r <= 0xff):
		default:
			return &SyntaxError{
				Message: fmt.Sprintf("Character U+%04X is not allowed in a policy: use only tab, line feed, carriage return and U+0020 to U+00FF (line %d, column %d)", r, line, col),
				Line:    line, Column: col,
			}
		}
		switch {
		case r == '\n' || (r == '\r' && !strings.HasPrefix(doc[i+1:], "\n")):
			line, col = line+1, 1
		case r == '\r':
		default:
			col++
		}
		i += w
	}
	return nil
}

type validator struct {
	kind Kind
	vars bool // policy variables are recognised (Version 2012-10-17)
}

// errAt reports an error located at p; where names the element.
func errAt(p Position, where, format string, args ...any) *SyntaxError {
	msg := fmt.Sprintf(format, args...)
	if where != "" {
		msg = where + ": " + msg
	}
	return &SyntaxError{
		Message: fmt.Sprintf("%s (line %d, column %d)", msg, p.Line, p.Column),
		Line:    p.Line,
		Column:  p.Column,
	}
}

// verbatim reports one of IAM's own messages, located at p.
func verbatim(p Position, msg string) *SyntaxError {
	return &SyntaxError{Message: msg, Line: p.Line, Column: p.Column}
}

func (v *validator) document(root *node) (*Document, *SyntaxError) {
	if root.kind != kindObject {
		return nil, errAt(root.pos, "", "The policy document must be a JSON object, not %s", root.kind)
	}
	d := &Document{Kind: v.kind}
	for _, m := range root.members {
		switch m.key {
		case "Version", "Id", "Statement":
		default:
			return nil, errAt(m.pos, "", "Unknown element %q at the top level of the policy: allowed elements are Version, Id and Statement", m.key)
		}
	}
	if m := root.get("Version"); m != nil {
		if m.val.kind != kindString {
			return nil, errAt(m.val.pos, "Version", "must be a string, not %s", m.val.kind)
		}
		if m.val.str != Version2012 && m.val.str != Version2008 {
			return nil, errAt(m.val.pos, "Version", "must be %q or %q, not %q", Version2012, Version2008, m.val.str)
		}
		d.Version = m.val.str
	}
	v.vars = d.Version == Version2012
	if m := root.get("Id"); m != nil {
		if m.val.kind != kindString {
			return nil, errAt(m.val.pos, "Id", "must be a string, not %s", m.val.kind)
		}
		d.ID = m.val.str
	}
	m := root.get("Statement")
	if m == nil {
		return nil, errAt(root.pos, "", "The policy has no Statement element")
	}
	var stmts []*node
	switch m.val.kind {
	case kindObject:
		stmts = []*node{m.val}
	case kindArray:
		if len(m.val.elems) == 0 {
			return nil, errAt(m.val.pos, "Statement", "must contain at least one statement")
		}
		stmts = m.val.elems
	default:
		return nil, errAt(m.val.pos, "Statement", "must be an object or an array of objects, not %s", m.val.kind)
	}
	d.Statements = make([]Statement, len(stmts))
	sids := make(map[string]bool, len(stmts))
	for i, n := range stmts {
		where := fmt.Sprintf("Statement[%d]", i)
		if n.kind != kindObject {
			return nil, errAt(n.pos, where, "must be an object, not %s", n.kind)
		}
		if err := v.statement(n, where, &d.Statements[i]); err != nil {
			return nil, err
		}
		if sid := d.Statements[i].Sid; sid != "" {
			if sids[sid] {
				return nil, verbatim(n.get("Sid").val.pos, msgSidNotUnique)
			}
			sids[sid] = true
		}
	}
	return d, nil
}

var statementElements = []string{"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"}

func (v *validator) statement(n *node, where string, s *Statement) *SyntaxError {
	for _, m := range n.members {
		known := false
		for _, e := range statementElements {
			if m.key == e {
				known = true
				break
			}
		}
		if !known {
			return errAt(m.pos, where, "unknown element %q: allowed elements are %s", m.key, strings.Join(statementElements, ", "))
		}
	}
	s.Start = Position{Line: n.pos.Line, Column: n.pos.Column + 1}
	s.End = n.end

	if m := n.get("Sid"); m != nil {
		if m.val.kind != kindString {
			return errAt(m.val.pos, where+".Sid", "must be a string, not %s", m.val.kind)
		}
		s.Sid = m.val.str
		if v.kind != Resource && !isAlnum(s.Sid) {
			return verbatim(m.val.pos, msgSidNotAlnum)
		}
	}

	m := n.get("Effect")
	if m == nil {
		return errAt(n.pos, where, "Effect is missing: every statement needs \"Effect\": \"Allow\" or \"Deny\"")
	}
	if m.val.kind != kindString || (m.val.str != "Allow" && m.val.str != "Deny") {
		got := m.val.kind.String()
		if m.val.kind == kindString {
			got = fmt.Sprintf("%q", m.val.str)
		}
		return errAt(m.val.pos, where+".Effect", "must be \"Allow\" or \"Deny\" (case-sensitive), not %s", got)
	}
	s.Effect = m.val.str

	pm, npm := n.get("Principal"), n.get("NotPrincipal")
	switch v.kind {
	case Identity, Session:
		if pm != nil {
			return verbatim(pm.pos, msgPrincipalNotAllowed)
		}
		if npm != nil {
			return verbatim(npm.pos, msgPrincipalNotAllowed)
		}
	case Resource:
		switch {
		case pm != nil && npm != nil:
			return errAt(npm.pos, where, "a statement may have Principal or NotPrincipal, not both")
		case pm == nil && npm == nil:
			return errAt(n.pos, where, "a resource-based policy statement must name who it applies to with Principal or NotPrincipal")
		}
	case Trust:
		// NotPrincipal, Resource and NotResource are refused here, so
		// below npm, rm and nrm are nil.
		if err := trustElements(n); err != nil {
			return err
		}
	}

	am, nam := n.get("Action"), n.get("NotAction")
	if am != nil && nam != nil {
		return errAt(nam.pos, where, "a statement may have Action or NotAction, not both")
	}
	rm, nrm := n.get("Resource"), n.get("NotResource")
	if rm != nil && nrm != nil {
		return errAt(nrm.pos, where, "a statement may have Resource or NotResource, not both")
	}
	var err *SyntaxError
	if am != nil {
		s.Action, err = stringList(am, where)
	} else if nam != nil {
		s.NotAction, err = stringList(nam, where)
	}
	if err != nil {
		return err
	}
	if len(s.Action) == 0 && len(s.NotAction) == 0 {
		p := n.pos
		if am != nil || nam != nil {
			p = firstNonNil(am, nam).val.pos
		}
		return verbatim(p, msgNoActions)
	}
	if rm != nil {
		s.Resource, err = stringList(rm, where)
	} else if nrm != nil {
		s.NotResource, err = stringList(nrm, where)
	}
	if err != nil {
		return err
	}
	if len(s.Resource) == 0 && len(s.NotResource) == 0 && (v.kind != Resource && v.kind != Trust || rm != nil || nrm != nil) {
		p := n.pos
		if rm != nil || nrm != nil {
			p = firstNonNil(rm, nrm).val.pos
		}
		return verbatim(p, msgNoResources)
	}

	c := &compiled{deny: s.Effect == "Deny"}
	s.c = c

	if pm != nil {
		if s.Principal, c.principals, err = v.principal(pm, where); err != nil {
			return err
		}
	} else if npm != nil {
		if s.NotPrincipal, c.principals, err = v.principal(npm, where); err != nil {
			return err
		}
		c.notPrincipal = true
	}
	c.hasPrincipal = pm != nil || npm != nil

	actions, actionsM := s.Action, am
	if actions == nil {
		actions, actionsM, c.notAction = s.NotAction, nam, true
	}
	for i, a := range actions {
		ap, err := compileAction(a, valuePos(actionsM, i))
		if err != nil {
			return err
		}
		if v.kind == Trust && !c.notAction && !ap.isTrustAction() {
			return verbatim(valuePos(actionsM, i), msgTrustActions)
		}
		c.actions = append(c.actions, ap)
		switch {
		case ap.all:
			c.anyAction = true
		case len(c.vendors) > 16 || !slices.Contains(c.vendors, ap.vendor):
			c.vendors = append(c.vendors, ap.vendor)
		}
	}
	if len(c.vendors) > 16 {
		// Past 16 vendors they were appended without looking.
		c.vendors = dedupeStrings(c.vendors)
	}

	resources, resourcesM := s.Resource, rm
	if resources == nil {
		resources, resourcesM, c.notResource = s.NotResource, nrm, true
	}
	c.anyResource = resourcesM == nil
	for i, r := range resources {
		p := valuePos(resourcesM, i)
		if err := checkResource(r, p); err != nil {
			return err
		}
		rp := compilePattern(r, true, v.vars)
		c.allKeys = rp.varKeys(c.allKeys, r)
		c.resources = append(c.resources, rp)
	}

	if m := n.get("Condition"); m != nil {
		if err := v.conditions(m, where, s, c); err != nil {
			return err
		}
	}
	if len(c.allKeys) > 16 {
		c.allKeys = dedupeKeyRefs(c.allKeys)
	}
	return nil
}

func firstNonNil(a, b *member) *member {
	if a != nil {
		return a
	}
	return b
}

func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// stringList reads an element whose value is a string or an array of
// strings.
func stringList(m *member, where string) ([]string, *SyntaxError) {
	switch m.val.kind {
	case kindString:
		return []string{m.val.str}, nil
	case kindArray:
		out := make([]string, len(m.val.elems))
		for i, e := range m.val.elems {
			if e.kind != kindString {
				return nil, errAt(e.pos, fmt.Sprintf("%s.%s[%d]", where, m.key, i), "must be a string, not %s", e.kind)
			}
			out[i] = e.str
		}
		return out, nil
	}
	return nil, errAt(m.val.pos, where+"."+m.key, "must be a string or an array of strings, not %s", m.val.kind)
}

// valuePos is where the i-th value of a string-or-list element sits.
func valuePos(m *member, i int) Position {
	if m.val.kind == kindArray {
		return m.val.elems[i].pos
	}
	return m.val.pos
}

// compileAction validates "service:ActionName" or "*" and compiles it
// lowercased: action matching is case-insensitive
// (reference_policies_elements_action).
func compileAction(a string, p Position) (actionPattern, *SyntaxError) {
	if a == "*" {
		return actionPattern{all: true}, nil
	}
	vendor, name, ok := strings.Cut(a, ":")
	if !ok {
		return actionPattern{}, verbatim(p, msgActionNoVendor)
	}
	if strings.Contains(name, ":") {
		return actionPattern{}, verbatim(p, msgActionColons)
	}
	if strings.ContainsAny(vendor, "*?") {
		return actionPattern{}, verbatim(p, msgActionVendorWild)
	}
	if !validVendor(vendor) {
		return actionPattern{}, verbatim(p, msgVendorInvalid(vendor))
	}
	return actionPattern{
		vendor: lowerASCII(vendor),
		name:   compilePattern(lowerASCII(name), true, false),
	}, nil
}

// validVendor accepts service prefixes such as s3, sts, execute-api and
// a4b.
func validVendor(v string) bool {
	if v == "" {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-' || c == '.' || c == '_') {
			return false
		}
	}
	return true
}

// checkResource validates a Resource or NotResource value: "*" or an ARN
// whose partition and service are literal
// (reference_policies_elements_resource).
func checkResource(r string, p Position) *SyntaxError {
	if r == "*" {
		return nil
	}
	if !strings.HasPrefix(r, "arn:") {
		return verbatim(p, msgResourceFormat(r))
	}
	parts := strings.SplitN(r, ":", 6)
	if len(parts) < 3 || parts[2] == "" || strings.ContainsAny(parts[2], "*?${}") || strings.ContainsAny(parts[1], "${}") {
		return verbatim(p, msgResourceVendor)
	}
	if len(parts) < 6 && !strings.HasSuffix(r, "*") {
		// A trailing * may stand for the remaining parts, colons included
		// ("arn:aws:sqs:us-east-2:*").
		return errAt(p, "", "Resource %s is not a valid ARN: an ARN has six colon-separated parts, arn:partition:service:region:account-id:resource", r)
	}
	if parts[2] == "iam" && len(parts) > 3 && parts[3] != "" && !strings.ContainsAny(parts[3], "*?") {
		return verbatim(p, msgIAMRegion(r))
	}
	return nil
}

func (v *validator) principal(m *member, where string) (*Principal, []principalMatcher, *SyntaxError) {
	where += "." + m.key
	switch m.val.kind {
	case kindString:
		if m.val.str != "*" {
			return nil, nil, errAt(m.val.pos, where, "must be \"*\" or an object such as {\"AWS\": \"arn:aws:iam::123456789012:user/name\"}, not %q", m.val.str)
		}
		if v.kind == Trust {
			return nil, nil, verbatim(m.val.pos, msgTrustStar)
		}
		return &Principal{All: true}, []principalMatcher{{any: true}}, nil
	case kindObject:
	default:
		return nil, nil, errAt(m.val.pos, where, "must be \"*\" or an object, not %s", m.val.kind)
	}
	if len(m.val.members) == 0 {
		return nil, nil, errAt(m.val.pos, where, "must name at least one principal")
	}
	p := &Principal{Values: make(map[string][]string, len(m.val.members))}
	var ms []principalMatcher
	for i := range m.val.members {
		e := &m.val.members[i]
		switch e.key {
		case "AWS", "Federated", "Service", "CanonicalUser":
		default:
			return nil, nil, errAt(e.pos, where, "unknown principal type %q: use AWS, Federated, Service or CanonicalUser", e.key)
		}
		vals, err := stringList(e, where)
		if err != nil {
			return nil, nil, err
		}
		if len(vals) == 0 {
			return nil, nil, errAt(e.val.pos, where+"."+e.key, "must name at least one principal")
		}
		for j, val := range vals {
			pm, msg := v.principalValue(e.key, val)
			if msg != "" {
				return nil, nil, verbatim(valuePos(e, j), msg)
			}
			ms = append(ms, pm)
		}
		p.Values[e.key] = vals
	}
	return p, ms, nil
}

// principalValue validates and compiles one principal identifier by the
// rules of v's kind, returning IAM's message when it is refused.
func (v *validator) principalValue(typ, val string) (principalMatcher, string) {
	if v.kind == Trust {
		return compileTrustPrincipal(typ, val)
	}
	pm, ok := compilePrincipal(typ, val)
	if !ok {
		return pm, msgInvalidPrincipal(typ, val)
	}
	return pm, ""
}

// compilePrincipal validates one principal identifier of a resource-based
// policy. AWS principals are "*", a 12-digit account id, or an ARN without
// wildcards (reference_policies_elements_principal); any other type takes
// any non-empty value. Trust policies are stricter: compileTrustPrincipal.
func compilePrincipal(typ, val string) (principalMatcher, bool) {
	if val == "" {
		return principalMatcher{}, false
	}
	switch typ {
	case "AWS":
	case "Federated":
		// Matches web-identity and SAML callers (PrincipalInfo.Federated).
		return principalMatcher{federated: val}, true
	default:
		// Service and CanonicalUser principals never match an OpenSTS
		// caller, but are valid in a resource-based policy.
		return principalMatcher{none: true}, true
	}
	switch {
	case val == "*":
		return principalMatcher{any: true, awsOnly: true}, true
	case isAccountID(val):
		return principalMatcher{account: val}, true
	case strings.HasPrefix(val, "arn:"):
		parts := strings.SplitN(val, ":", 6)
		if len(parts) < 6 || parts[2] == "" || strings.ContainsAny(val, "*?") {
			return principalMatcher{}, false
		}
		if parts[2] == "iam" && parts[5] == "root" {
			if !isAccountID(parts[4]) {
				return principalMatcher{}, false
			}
			return principalMatcher{account: parts[4]}, true
		}
		return principalMatcher{arn: val}, true
	}
	return principalMatcher{}, false
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func (v *validator) conditions(m *member, where string, s *Statement, c *compiled) *SyntaxError {
	where += ".Condition"
	if m.val.kind != kindObject {
		return errAt(m.val.pos, where, "must be an object mapping condition operators to {key: values}, not %s", m.val.kind)
	}
	s.Condition = []Condition{}
	for i := range m.val.members {
		om := &m.val.members[i]
		op, ok := parseOperator(om.key)
		if !ok {
			return errAt(om.pos, where, "unknown condition operator %q", om.key)
		}
		ow := where + "." + om.key
		if om.val.kind != kindObject {
			return errAt(om.val.pos, ow, "must be an object mapping condition keys to values, not %s", om.val.kind)
		}
		for j := range om.val.members {
			km := &om.val.members[j]
			kw := fmt.Sprintf("%s[%q]", ow, km.key)
			if km.key == "" {
				return errAt(km.pos, ow, "condition key must not be empty")
			}
			vals, positions, err := conditionValues(km, kw)
			if err != nil {
				return err
			}
			cc, bad, msg := compileCondition(op, km.key, vals, v.vars)
			if msg != "" {
				return errAt(positions[bad], kw, "%q %s", vals[bad], msg)
			}
			c.conds = append(c.conds, cc)
			c.allKeys = appendKeyRef(c.allKeys, keyRef{lower: cc.key, name: km.key})
			for k := range cc.strs {
				c.allKeys = cc.strs[k].varKeys(c.allKeys, vals[k])
			}
			for k := range cc.arns {
				for _, comp := range cc.arns[k].comps {
					c.allKeys = comp.varKeys(c.allKeys, vals[k])
				}
			}
			s.Condition = append(s.Condition, Condition{Operator: om.key, Key: km.key, Values: vals})
		}
	}
	return nil
}

// conditionValues reads condition values: a string, number or Boolean, or
// an array of them. Numbers and Booleans are kept as their JSON text.
func conditionValues(m *member, where string) ([]string, []Position, *SyntaxError) {
	scalar := func(n *node) bool {
		return n.kind == kindString || n.kind == kindNumber || n.kind == kindBool
	}
	if scalar(m.val) {
		return []string{m.val.str}, []Position{m.val.pos}, nil
	}
	if m.val.kind != kindArray {
		return nil, nil, errAt(m.val.pos, where, "must be a string, number or Boolean, or an array of them, not %s", m.val.kind)
	}
	vals := make([]string, len(m.val.elems))
	pos := make([]Position, len(m.val.elems))
	for i, e := range m.val.elems {
		if !scalar(e) {
			return nil, nil, errAt(e.pos, fmt.Sprintf("%s[%d]", where, i), "must be a string, number or Boolean, not %s", e.kind)
		}
		vals[i], pos[i] = e.str, e.pos
	}
	return vals, pos, nil
}
