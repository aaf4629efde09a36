package policy

import (
	"slices"
	"sort"
	"unicode/utf8"
)

// Kind says what a policy document is attached to, which decides whether it
// may name principals.
type Kind int

const (
	// Identity policies are attached to users and groups (inline or
	// managed) or serve as permissions boundaries. They must not contain
	// Principal or NotPrincipal.
	Identity Kind = iota
	// Session policies are passed to GetFederationToken (inline Policy and
	// PolicyArns). They must not contain Principal or NotPrincipal.
	Session
	// Resource policies are attached to resources. Every statement must name
	// exactly one of Principal or NotPrincipal; Resource and NotResource are
	// optional (absent means the resource the policy is attached to).
	Resource
	// Trust policies are a role's AssumeRolePolicyDocument: the resource-based
	// policy of the role (id_roles_terms-and-concepts). Every statement must
	// have Principal, naming AWS principals (not the bare "*"), services or
	// identity providers; NotPrincipal, Resource and NotResource are refused;
	// Action lists only the STS actions that act on a role (sts:AssumeRole,
	// sts:AssumeRoleWithSAML, sts:AssumeRoleWithWebIdentity, sts:TagSession,
	// sts:SetSourceIdentity, sts:SetContext) or wildcards matching some of
	// them. Evaluate treats a Trust document passed as Input.Resource as
	// applying to the role it is attached to, and requires it to allow.
	Trust
)

func (k Kind) String() string {
	switch k {
	case Identity:
		return "identity"
	case Session:
		return "session"
	case Resource:
		return "resource"
	case Trust:
		return "trust"
	}
	return "unknown"
}

// Policy language versions (reference_policies_elements_version).
const (
	Version2012 = "2012-10-17" // current; supports policy variables
	Version2008 = "2008-10-17" // legacy; ${…} is literal text
)

// Position is a place in the policy text: 1-based line and column, columns
// counting characters.
type Position struct {
	Line, Column int
}

// Document is a parsed, validated and compiled policy. Documents come only
// from Parse and are safe for concurrent use.
type Document struct {
	Kind Kind
	// Version is the Version element as written; empty when absent, which
	// means the 2008-10-17 language.
	Version    string
	ID         string
	Statements []Statement
}

// Statement is one statement of a document. List elements are nil when
// absent; Principal and NotPrincipal are nil when absent.
type Statement struct {
	Sid          string
	Effect       string // "Allow" or "Deny"
	Principal    *Principal
	NotPrincipal *Principal
	Action       []string
	NotAction    []string
	Resource     []string
	NotResource  []string
	// Condition lists (operator, key, values) in document order.
	Condition []Condition
	// Start and End are where the statement object sits in the text, as
	// SimulateCustomPolicy's MatchedStatements report them: Start is just
	// after the opening brace and End just after the closing brace.
	Start, End Position

	c *compiled
}

// Principal is the value of a Principal or NotPrincipal element.
type Principal struct {
	// All is true for the bare form "Principal": "*".
	All bool
	// Values maps a principal type (AWS, Federated, Service, CanonicalUser)
	// to its identifiers.
	Values map[string][]string
}

// Condition is one condition key under one operator.
type Condition struct {
	Operator string // as written, e.g. "ForAnyValue:StringLikeIfExists"
	Key      string // as written, e.g. "aws:PrincipalTag/team"
	Values   []string
}

// ContextKeys returns the context keys the document's conditions and policy
// variables refer to, each once (compared case-insensitively), in order of
// first appearance: GetContextKeysForCustomPolicy's answer.
func (d *Document) ContextKeys() []string {
	var refs []keyRef
	for i := range d.Statements {
		if c := d.Statements[i].c; c != nil {
			refs = append(refs, c.allKeys...)
		}
	}
	refs = dedupeKeyRefs(refs)
	keys := make([]string, len(refs))
	for i, r := range refs {
		keys[i] = r.name
	}
	return keys
}

// RequireCurrentVersion reports a *SyntaxError unless the document declares
// Version 2012-10-17. IAM requires it of managed policies (CreatePolicy,
// CreatePolicyVersion), though not of inline or session policies.
func (d *Document) RequireCurrentVersion() error {
	if d.Version != Version2012 {
		return &SyntaxError{Message: msgVersionRequired}
	}
	return nil
}

// Size is the length of a policy as IAM counts it against its quotas:
// characters, not counting white space (reference_iam-quotas).
func Size(doc string) int {
	n := 0
	for _, r := range doc {
		switch r {
		case ' ', '\t', '\n', '\r':
		default:
			n++
		}
	}
	return n
}

// MarshalJSON renders the document in a canonical form: elements in a fixed
// order, a single value as a string and several as an array, Statement
// always an array, condition values as strings, and characters outside the
// policy character set escaped. Parsing the result with the same Kind gives an
// equivalent document.
func (d *Document) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 256)
	b = append(b, '{')
	if d.Version != "" {
		b = appendKey(b, "Version")
		b = appendString(b, d.Version)
	}
	if d.ID != "" {
		b = appendKey(b, "Id")
		b = appendString(b, d.ID)
	}
	b = appendKey(b, "Statement")
	b = append(b, '[')
	for i := range d.Statements {
		if i > 0 {
			b = append(b, ',')
		}
		b = d.Statements[i].appendJSON(b)
	}
	b = append(b, ']', '}')
	return b, nil
}

// appendKey appends the name of a member of the JSON object b is writing,
// after a comma unless it is the object's first member.
func appendKey(b []byte, name string) []byte {
	if b[len(b)-1] != '{' {
		b = append(b, ',')
	}
	b = appendString(b, name)
	return append(b, ':')
}

func (s *Statement) appendJSON(b []byte) []byte {
	b = append(b, '{')
	if s.Sid != "" {
		b = appendKey(b, "Sid")
		b = appendString(b, s.Sid)
	}
	b = appendKey(b, "Effect")
	b = appendString(b, s.Effect)
	if s.Principal != nil {
		b = appendKey(b, "Principal")
		b = s.Principal.appendJSON(b)
	}
	if s.NotPrincipal != nil {
		b = appendKey(b, "NotPrincipal")
		b = s.NotPrincipal.appendJSON(b)
	}
	for _, f := range []struct {
		name string
		vals []string
	}{{"Action", s.Action}, {"NotAction", s.NotAction}, {"Resource", s.Resource}, {"NotResource", s.NotResource}} {
		if f.vals != nil {
			b = appendKey(b, f.name)
			b = appendList(b, f.vals)
		}
	}
	if s.Condition != nil {
		b = appendKey(b, "Condition")
		b = appendConditions(b, s.Condition)
	}
	return append(b, '}')
}

func (p *Principal) appendJSON(b []byte) []byte {
	if p.All {
		return appendString(b, "*")
	}
	keys := make([]string, 0, len(p.Values))
	for k := range p.Values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	b = append(b, '{')
	for _, k := range keys {
		b = appendKey(b, k)
		b = appendList(b, p.Values[k])
	}
	return append(b, '}')
}

// appendConditions groups conditions by operator in order of first
// appearance.
func appendConditions(b []byte, conds []Condition) []byte {
	var ops []string
	for _, c := range conds {
		if !slices.Contains(ops, c.Operator) {
			ops = append(ops, c.Operator)
		}
	}
	b = append(b, '{')
	for _, op := range ops {
		b = appendKey(b, op)
		b = append(b, '{')
		for _, c := range conds {
			if c.Operator == op {
				b = appendKey(b, c.Key)
				b = appendList(b, c.Values)
			}
		}
		b = append(b, '}')
	}
	return append(b, '}')
}

func appendList(b []byte, vals []string) []byte {
	if len(vals) == 1 {
		return appendString(b, vals[0])
	}
	b = append(b, '[')
	for i, v := range vals {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, v)
	}
	return append(b, ']')
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string. Characters outside the policy
// character set (TAB, LF, CR, U+0020–U+00FF) are escaped so that the output
// is itself a valid policy.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	for _, r := range s {
		switch {
		case r == '"':
			b = append(b, '\\', '"')
		case r == '\\':
			b = append(b, '\\', '\\')
		case r == '\n':
			b = append(b, '\\', 'n')
		case r == '\r':
			b = append(b, '\\', 'r')
		case r == '\t':
			b = append(b, '\\', 't')
		case r >= 0x20 && r <= 0xff && r != 0x7f:
			b = utf8.AppendRune(b, r)
		case r > 0xffff:
			r1, r2 := surrogates(r)
			b = appendEscape(b, r1)
			b = appendEscape(b, r2)
		default:
			b = appendEscape(b, r)
		}
	}
	return append(b, '"')
}

func appendEscape(b []byte, r rune) []byte {
	return append(b, '\\', 'u', hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
}

func surrogates(r rune) (rune, rune) {
	r -= 0x10000
	return 0xd800 + (r>>10)&0x3ff, 0xdc00 + r&0x3ff
}

// keyRef is a context key a statement refers to: lowercased for lookups and
// as first written for reports. optional marks a key read only by variables
// with a default, which is never reported missing.
type keyRef struct {
	lower, name string
	optional    bool
}

// appendKeyRef appends k unless refs already holds its key. Past 16 keys
// it appends without looking, and dedupeKeyRefs finishes the job.
func appendKeyRef(refs []keyRef, k keyRef) []keyRef {
	if len(refs) <= 16 {
		for i := range refs {
			if refs[i].lower == k.lower {
				refs[i].optional = refs[i].optional && k.optional
				return refs
			}
		}
	}
	return append(refs, k)
}

// dedupeKeyRefs keeps the first of each key, in order; a key is optional
// only if every reference to it is. Long lists (a condition block may name
// thousands of keys) are indexed by map rather than scanned pairwise.
func dedupeKeyRefs(refs []keyRef) []keyRef {
	out := refs[:0]
	if len(refs) <= 16 {
		for _, k := range refs {
			if i := slices.IndexFunc(out, func(r keyRef) bool { return r.lower == k.lower }); i >= 0 {
				out[i].optional = out[i].optional && k.optional
				continue
			}
			out = append(out, k)
		}
		return out
	}
	at := make(map[string]int, len(refs))
	for _, k := range refs {
		if i, ok := at[k.lower]; ok {
			out[i].optional = out[i].optional && k.optional
			continue
		}
		at[k.lower] = len(out)
		out = append(out, k)
	}
	return out
}

// dedupeStrings keeps the first of each string, in order.
func dedupeStrings(ss []string) []string {
	out := ss[:0]
	if len(ss) <= 16 {
		for _, s := range ss {
			if !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
		return out
	}
	seen := make(map[string]struct{}, len(ss))
	for _, s := range ss {
		if _, ok := seen[s]; !ok {
			seen[s] = struct{}{}
			out = append(out, s)
		}
	}
	return out
}
