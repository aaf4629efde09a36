package policy

import "strings"

// Type is the role a policy plays in a decision.
type Type int

const (
	// IdentityBased policies: the user's inline and attached managed
	// policies and those of the user's groups.
	IdentityBased Type = iota + 1
	// ResourceBased is the policy attached to the resource.
	ResourceBased
	// PermissionsBoundary is the user's permissions boundary.
	PermissionsBoundary
	// SessionPolicy policies were passed when the session was created.
	SessionPolicy
)

// String renders the type as IAM's AccessDenied messages name it
// ("… because no identity-based policy allows …").
func (t Type) String() string {
	switch t {
	case IdentityBased:
		return "identity-based"
	case ResourceBased:
		return "resource-based"
	case PermissionsBoundary:
		return "permissions boundary"
	case SessionPolicy:
		return "session"
	}
	return ""
}

// Effect is the outcome of a decision.
type Effect int

const (
	// ImplicitDeny is the zero value: nothing allowed the request.
	ImplicitDeny Effect = iota
	// Allowed: the request may proceed.
	Allowed
	// ExplicitDeny: a Deny statement applies; nothing can override it.
	ExplicitDeny
)

// String renders the effect as SimulateCustomPolicy's EvalDecision.
func (e Effect) String() string {
	switch e {
	case Allowed:
		return "allowed"
	case ExplicitDeny:
		return "explicitDeny"
	}
	return "implicitDeny"
}

// Named pairs a compiled document with where it came from. ID is what
// explanations and SimulateCustomPolicy's SourcePolicyId show: a policy name
// or ARN, or "PolicyInputList.1". Evaluate reports the type of the Input field
// a policy was passed in; Type describes the policy elsewhere.
type Named struct {
	ID   string
	Type Type
	Doc  *Document
}

// PrincipalInfo is who made the request, for matching the Principal element
// of a resource-based policy.
type PrincipalInfo struct {
	// ARN is the caller's own ARN: the IAM user, the account root, or the
	// federated user (arn:aws:sts::123456789012:federated-user/Bob). A
	// resource-based policy that allows this ARN grants access directly,
	// whatever the identity policies, boundary and session policies say.
	ARN string
	// Account is the caller's 12-digit account id. A resource-based policy
	// that allows the account delegates to the account's identity policies.
	Account string
	// SourceARN is, for a federated user, the IAM user (or root) that called
	// GetFederationToken, and for a role session the role's ARN. A
	// resource-based policy that allows it grants access still limited by
	// the boundary and the session policies.
	SourceARN string
	// Federated is set only for a caller of AssumeRoleWithWebIdentity or
	// AssumeRoleWithSAML, which is not an AWS principal: the ARN of the IAM
	// OIDC or SAML provider that vouched for the caller
	// (arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com,
	// arn:aws:iam::123456789012:saml-provider/MyIdP), or the domain of a
	// built-in web identity provider (accounts.google.com,
	// cognito-identity.amazonaws.com). A Federated principal equal to it
	// (compared exactly) names the caller and grants directly. Leave ARN,
	// Account and SourceARN empty for such a caller: AWS principals,
	// including {"AWS": "*"}, never name it, while the bare "Principal": "*"
	// does. No field names a service: Service principals never match.
	Federated string
}

// Request is what is being authorized.
type Request struct {
	Action    string // "sts:GetFederationToken"
	Resource  string // an ARN, or "*"
	Principal PrincipalInfo
	Context   *Context
	// Budget, when set, meters the evaluation's work and stops it when
	// spent or cancelled; the Decision then means nothing (see Budget).
	Budget *Budget
	// ResourceAccount is the account that owns the resource, when known.
	// When it is not the caller's (Principal.Account), the request is
	// cross-account: the resource's policy and the caller's own policies
	// must both allow (reference_policies_evaluation-logic-cross-account).
	ResourceAccount string
}

// Input is every policy that applies to a request.
type Input struct {
	// Root marks the account root, which is allowed everything that is not
	// explicitly denied.
	Root bool
	// Identity holds the user's inline, attached managed and group
	// policies.
	Identity []Named
	// Boundary is the permissions boundary, nil when none is set.
	Boundary *Named
	// Session holds the session policies (inline Policy and PolicyArns).
	Session []Named
	// SessionRequired marks federated-user sessions: with no session policy
	// they have no permissions.
	SessionRequired bool
	// Resource is the resource-based policy, nil when there is none.
	Resource *Named
}

// Match is a statement that decided the outcome.
type Match struct {
	PolicyID  string
	Type      Type
	Statement int // index in Doc.Statements
	Sid       string
	Start     Position
	End       Position
}

// Decision is the outcome of Evaluate.
type Decision struct {
	Effect Effect
	// DeniedBy is the policy type that caused a denial: the type holding the
	// explicit Deny, or the type in which no statement allowed the request.
	// Zero when allowed.
	DeniedBy Type
	// Matched lists the statements that decided: the Deny statements for an
	// explicit deny, the Allow statements that applied for an allow, none for
	// an implicit deny (as SimulateCustomPolicy's MatchedStatements).
	Matched []Match
	// MissingContextKeys lists the context keys that statements for the
	// action refer to but the request context lacks (SimulateCustomPolicy's
	// MissingContextValues).
	MissingContextKeys []string
}

// IsAllowed reports whether the request may proceed.
func (d Decision) IsAllowed() bool { return d.Effect == Allowed }

// compiled is a statement prepared for evaluation.
type compiled struct {
	deny         bool
	notAction    bool
	anyAction    bool     // an action value is "*"
	vendors      []string // the distinct service prefixes of the action values
	actions      []actionPattern
	notResource  bool
	anyResource  bool // no Resource element (resource-based policies only)
	resources    []pattern
	hasPrincipal bool
	notPrincipal bool
	principals   []principalMatcher
	conds        []cond
	allKeys      []keyRef // context keys the statement refers to
}

// actionPattern is one Action value, lowercased. Service prefixes cannot hold
// wildcards, so they are compared first.
type actionPattern struct {
	all    bool
	vendor string
	name   pattern
}

func (a *actionPattern) match(vendor, name string) bool {
	return a.all || (equalFoldASCII(vendor, a.vendor) && a.name.match(name, nil, true))
}

// principalMatcher is one compiled Principal value.
type principalMatcher struct {
	any       bool   // "*" or {"AWS": "*"}
	awsOnly   bool   // with any: {"AWS": "*"}, which does not name a Federated caller
	none      bool   // a Service or CanonicalUser principal: never an OpenSTS caller
	account   string // a bare account id or an account root ARN
	arn       string // an exact principal ARN
	federated string // a Federated principal: an identity provider's ARN or domain
}

// Grant levels of a resource-based Allow, from weakest to strongest
// (reference_policies_evaluation-logic, "Resource-based policies").
type grant uint8

const (
	grantNone    grant = iota
	grantAccount       // names the account: identity policies must still allow
	grantLimited       // names the IAM user that federated: boundary and session policies still apply
	grantDirect        // names the caller itself: allowed
)

// level returns how strongly the statement's principal names the caller.
func (c *compiled) level(p *PrincipalInfo) grant {
	if c.notPrincipal {
		// NotPrincipal excludes the caller only when every identity the
		// caller has is listed: its own ARN, the federating user and the
		// account (reference_policies_elements_notprincipal); a
		// web-identity or SAML caller has only its provider.
		if p.Federated != "" {
			if c.listsFederated(p.Federated) {
				return grantNone
			}
			return grantDirect
		}
		if c.lists(p.ARN, p.Account) && (p.SourceARN == "" || c.lists(p.SourceARN, p.Account)) && c.listsAccount(p.Account) {
			return grantNone
		}
		return grantDirect
	}
	best := grantNone
	for i := range c.principals {
		m := &c.principals[i]
		switch {
		case m.any:
			if !m.awsOnly || p.Federated == "" {
				return grantDirect
			}
		case m.none:
		case m.federated != "":
			if m.federated == p.Federated {
				return grantDirect
			}
		case m.arn != "":
			if m.arn == p.ARN {
				return grantDirect
			}
			if p.SourceARN != "" && m.arn == p.SourceARN {
				best = max(best, grantLimited)
			}
		case m.account != "":
			if m.account == p.Account {
				if isRootARN(p.ARN, p.Account) {
					return grantDirect // the root is the account
				}
				best = max(best, grantAccount)
			}
		}
	}
	return best
}

// lists reports whether a NotPrincipal names arn exactly, as the account
// root, or with "*".
func (c *compiled) lists(arn, account string) bool {
	for i := range c.principals {
		m := &c.principals[i]
		if m.any || (m.arn != "" && m.arn == arn) || (m.account != "" && m.account == account && isRootARN(arn, account)) {
			return true
		}
	}
	return false
}

// listsFederated reports whether a NotPrincipal names the identity provider
// of a web-identity or SAML caller, or is the bare "*".
func (c *compiled) listsFederated(provider string) bool {
	for i := range c.principals {
		if m := &c.principals[i]; (m.any && !m.awsOnly) || m.federated == provider {
			return true
		}
	}
	return false
}

func (c *compiled) listsAccount(account string) bool {
	for i := range c.principals {
		if m := &c.principals[i]; m.any || (m.account != "" && m.account == account) {
			return true
		}
	}
	return false
}

// isRootARN reports whether arn is the root of account
// (arn:<partition>:iam::<account>:root).
func isRootARN(arn, account string) bool {
	rest, ok := strings.CutPrefix(arn, "arn:")
	if !ok || account == "" {
		return false
	}
	i := strings.IndexByte(rest, ':')
	return i >= 0 && rest[i+1:] == "iam::"+account+":root"
}

// hit is a statement that applied to the request.
type hit struct {
	typ   Type
	named *Named
	index int
}

type evaluation struct {
	resource  string
	principal PrincipalInfo
	ctx       *Context
	vendor    string
	name      string
	budget    *Budget
	// hits holds the statements that applied: the first ones in an array
	// that stays on the stack, the rest in more.
	hits    [16]hit
	nhits   int
	more    []hit
	missing []string
	// missingSet indexes missing once it is long (see noteMissing).
	missingSet map[string]struct{}
	// results
	deny     Type
	allow    [SessionPolicy + 1]bool
	resGrant grant
}

// Evaluate decides whether the request is allowed, following
// reference_policies_evaluation-logic for requests within one account
// (across accounts, Request.ResourceAccount, the resource's policy and the
// caller's own must both allow, and then the boundary and session
// policies):
//
//  1. A Deny that applies, in any policy, is an explicit deny.
//     A trust policy (a document of Kind Trust passed as Input.Resource)
//     that does not allow is an implicit deny, denied by ResourceBased:
//     trust policies never grant implicitly, even to the account root.
//  2. The account root is allowed.
//  3. A resource-based Allow naming the caller's own ARN allows.
//  4. An identity-based Allow is needed, unless a resource-based Allow names
//     the IAM user that federated the caller.
//  5. A permissions boundary, when set, must also allow.
//  6. Session policies, when passed, must also allow; a federated user's
//     session without any is denied.
func Evaluate(in Input, req Request) Decision {
	e := evaluation{resource: req.Resource, principal: req.Principal, ctx: req.Context, budget: req.Budget}
	e.vendor, e.name, _ = strings.Cut(req.Action, ":")

	for i := range in.Identity {
		e.policy(&in.Identity[i], IdentityBased)
	}
	if in.Boundary != nil {
		e.policy(in.Boundary, PermissionsBoundary)
	}
	for i := range in.Session {
		e.policy(&in.Session[i], SessionPolicy)
	}
	if in.Resource != nil {
		e.policy(in.Resource, ResourceBased)
	}

	d := Decision{MissingContextKeys: e.missing}
	cross := req.ResourceAccount != "" && req.Principal.Account != "" && req.ResourceAccount != req.Principal.Account
	switch {
	case e.deny != 0:
		d.Effect, d.DeniedBy = ExplicitDeny, e.deny
	case in.Resource != nil && in.Resource.Doc != nil && in.Resource.Doc.Kind == Trust && !e.allow[ResourceBased]:
		d.DeniedBy = ResourceBased
	case cross && !e.allow[ResourceBased]:
		// Another account's resource: its policy must let the caller in.
		d.DeniedBy = ResourceBased
	case cross && !in.Root && !e.allow[IdentityBased]:
		// …and the caller's own account must let it out.
		d.DeniedBy = IdentityBased
	case cross:
		// Both sides allow; the caller's boundary and session policies
		// still apply.
		switch {
		case in.Boundary != nil && !e.allow[PermissionsBoundary]:
			d.DeniedBy = PermissionsBoundary
		case len(in.Session) > 0 && !e.allow[SessionPolicy], len(in.Session) == 0 && in.SessionRequired:
			d.DeniedBy = SessionPolicy
		default:
			d.Effect = Allowed
		}
	case in.Root, e.resGrant == grantDirect:
		d.Effect = Allowed
	case !e.allow[IdentityBased] && e.resGrant != grantLimited:
		d.DeniedBy = IdentityBased
	case in.Boundary != nil && !e.allow[PermissionsBoundary]:
		d.DeniedBy = PermissionsBoundary
	case len(in.Session) > 0 && !e.allow[SessionPolicy], len(in.Session) == 0 && in.SessionRequired:
		d.DeniedBy = SessionPolicy
	default:
		d.Effect = Allowed
	}
	if d.Effect != ImplicitDeny {
		d.Matched = e.matches(d.Effect == ExplicitDeny)
	}
	return d
}

func (e *evaluation) matches(deny bool) []Match {
	n := 0
	for i := 0; i < e.nhits+len(e.more); i++ {
		if h := e.hit(i); h.named.Doc.Statements[h.index].c.deny == deny {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	out := make([]Match, 0, n)
	for i := 0; i < e.nhits+len(e.more); i++ {
		h := e.hit(i)
		s := &h.named.Doc.Statements[h.index]
		if s.c.deny == deny {
			out = append(out, Match{PolicyID: h.named.ID, Type: h.typ, Statement: h.index, Sid: s.Sid, Start: s.Start, End: s.End})
		}
	}
	return out
}

func (e *evaluation) hit(i int) *hit {
	if i < e.nhits {
		return &e.hits[i]
	}
	return &e.more[i-e.nhits]
}

func (e *evaluation) addHit(h hit) {
	if e.nhits < len(e.hits) {
		e.hits[e.nhits] = h
		e.nhits++
		return
	}
	e.more = append(e.more, h)
}

func (e *evaluation) policy(n *Named, typ Type) {
	if n.Doc == nil {
		return
	}
	ctx, b := e.ctx, e.budget
	for i := range n.Doc.Statements {
		if b != nil && !b.charge(costStatement) {
			return
		}
		c := n.Doc.Statements[i].c
		if c == nil || !c.matchAction(e.vendor, e.name, b) {
			continue
		}
		if len(c.allKeys) > 0 {
			if b != nil && !b.charge(costKey*len(c.allKeys)) {
				return
			}
			e.noteMissing(c.allKeys)
		}
		if !c.matchResource(e.resource, ctx, b) {
			continue
		}
		g := grantDirect
		switch {
		case c.hasPrincipal:
			if g = c.level(&e.principal); g == grantNone {
				continue
			}
		case typ == ResourceBased:
			// A document without principals (not parsed as Resource or Trust)
			// grants nothing by itself from the resource side.
			g = grantAccount
		}
		if !c.matchConditions(ctx, b) {
			continue
		}
		if b != nil && !b.charge(costHit) {
			return
		}
		e.addHit(hit{typ: typ, named: n, index: i})
		if c.deny {
			if e.deny == 0 {
				e.deny = typ
			}
			continue
		}
		e.allow[typ] = true
		if typ == ResourceBased {
			e.resGrant = max(e.resGrant, g)
		}
	}
}

// Costs, in Budget units, of steps other than matching a pattern: visiting a
// statement, comparing a service prefix, looking a key up in the context
// (and noting it missing, which callers render), and a statement that
// applies, which callers render with its positions.
const (
	costStatement = 8
	costVendor    = 8
	costKey       = 256
	costHit       = 1024
)

func (e *evaluation) noteMissing(keys []keyRef) {
	for _, k := range keys {
		if k.optional {
			continue
		}
		if v, _ := e.ctx.lookup(k.lower); len(v) > 0 {
			continue
		}
		if e.missingSet == nil && len(e.missing) >= 16 {
			// Many keys missing: index them rather than scan per key.
			e.missingSet = make(map[string]struct{}, 2*len(e.missing))
			for _, m := range e.missing {
				e.missingSet[strings.ToLower(m)] = struct{}{}
			}
		}
		if e.missingSet != nil {
			if _, dup := e.missingSet[k.lower]; !dup {
				e.missingSet[k.lower] = struct{}{}
				e.missing = append(e.missing, k.name)
			}
			continue
		}
		dup := false
		for _, m := range e.missing {
			if strings.EqualFold(m, k.name) {
				dup = true
				break
			}
		}
		if !dup {
			e.missing = append(e.missing, k.name)
		}
	}
}

func (c *compiled) matchAction(vendor, name string, b *Budget) bool {
	if b != nil && !b.charge(costVendor*len(c.vendors)) {
		return false
	}
	if !c.anyAction {
		known := false
		for _, v := range c.vendors {
			if equalFoldASCII(vendor, v) {
				known = true
				break
			}
		}
		if !known {
			return c.notAction
		}
	}
	for i := range c.actions {
		if b != nil && !b.charge(len(vendor)+c.actions[i].name.cost(len(name), true)) {
			return false
		}
		if c.actions[i].match(vendor, name) {
			return !c.notAction
		}
	}
	return c.notAction
}

// matchResource matches case-sensitively; * and ? may span any characters,
// including / and : (reference_policies_elements_resource).
func (c *compiled) matchResource(r string, ctx *Context, b *Budget) bool {
	if c.anyResource {
		return true
	}
	for i := range c.resources {
		if b != nil && !b.charge(c.resources[i].cost(len(r), false)) {
			return false
		}
		if c.resources[i].match(r, ctx, false) {
			return !c.notResource
		}
	}
	return c.notResource
}

func (c *compiled) matchConditions(ctx *Context, b *Budget) bool {
	for i := range c.conds {
		if b != nil && !b.charge(costKey) {
			return false
		}
		if !c.conds[i].eval(ctx, b) {
			return false
		}
	}
	return true
}
