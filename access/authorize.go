package access

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/policy"
)

// RequestInfo is what the edge knows about a request beyond its signer; it
// feeds the global condition keys (spec §4.1).
type RequestInfo struct {
	SourceIP        string
	SecureTransport bool
	Region          string
	UserAgent       string
	Time            time.Time
}

type requestInfoKey struct{}

// WithRequestInfo attaches ri to ctx.
func WithRequestInfo(ctx context.Context, ri RequestInfo) context.Context {
	return context.WithValue(ctx, requestInfoKey{}, ri)
}

// RequestInfoFrom returns the RequestInfo attached to ctx, if any.
func RequestInfoFrom(ctx context.Context) (RequestInfo, bool) {
	ri, ok := ctx.Value(requestInfoKey{}).(RequestInfo)
	return ri, ok
}

// PolicyStore is the part of the store authorization reads.
type PolicyStore interface {
	IdentityPolicies(ctx context.Context, accountID string, owner opensts.Owner) (opensts.IdentityPolicies, error)
	GetPolicy(ctx context.Context, accountID, name string) (opensts.ManagedPolicy, error)
	GetPolicyVersion(ctx context.Context, accountID, policyID, versionID string) (opensts.PolicyVersion, error)
}

// AuthorizerConfig wires an Authorizer.
type AuthorizerConfig struct {
	Store PolicyStore
	Now   func() time.Time
	// CacheSize bounds the compiled-policy cache (default 4096 documents).
	CacheSize int
	// Roles, when set, is where GetRole reads roles (the issuer's AssumeRole
	// looks its roles up through the Authorizer, to share the cache).
	Roles interface {
		GetRole(ctx context.Context, accountID, name string) (opensts.Role, error)
	}
	// Providers, when set, is where GetOIDCProvider reads OIDC providers
	// (AssumeRoleWithWebIdentity looks its providers up through the
	// Authorizer, sharing the cache and its invalidation).
	Providers interface {
		GetOIDCProvider(ctx context.Context, accountID, url string) (opensts.OIDCProvider, error)
		GetSAMLProvider(ctx context.Context, accountID, name string) (opensts.SAMLProvider, error)
	}
	// IdentityTTL bounds how long the identity policies read for a user,
	// group or role, and the roles GetRole read, are reused: zero takes
	// DefaultCredentialCacheTTL, negative reads them for every decision.
	// Changes made through this node apply at once (Invalidate); changes
	// made through another node sharing the store apply within the bound,
	// as for credentials.
	IdentityTTL time.Duration
}

// Authorizer makes every authorization decision of OpenSTS with one policy
// engine (DESIGN.md decision 4). It is safe for concurrent use.
type Authorizer struct {
	cfg   AuthorizerConfig
	mu    sync.Mutex
	cache map[[32]byte]*policy.Document

	// identities caches IdentityInput per owner, roles GetRole per name;
	// an entry counts only while its generation is the current one
	// (Invalidate starts a new one) and it is younger than IdentityTTL.
	idMu       sync.Mutex
	identities map[identityKey]cacheEntry[policy.Input]
	roles      map[roleKey]cacheEntry[opensts.Role]
	providers  map[providerKey]cacheEntry[opensts.OIDCProvider]
	samls      map[roleKey]cacheEntry[opensts.SAMLProvider]
	generation uint64
}

type identityKey struct {
	accountID string
	owner     opensts.Owner
}

type roleKey struct{ accountID, nameLower string }

type providerKey struct{ accountID, url string }

type cacheEntry[V any] struct {
	v          V
	generation uint64
	read       time.Time
}

// maxCached bounds each cache; when full it starts over.
const maxCached = 10_000

// cached returns m[key] while it is current, and otherwise read's result,
// kept unless an IAM change came in while it was read (what it returns
// may predate the change).
func cached[K comparable, V any](a *Authorizer, m map[K]cacheEntry[V], key K, read func() (V, error)) (V, error) {
	if a.cfg.IdentityTTL < 0 {
		return read()
	}
	now := time.Now()
	a.idMu.Lock()
	e, ok := m[key]
	gen := a.generation
	a.idMu.Unlock()
	if ok && e.generation == gen && now.Sub(e.read) < a.cfg.IdentityTTL {
		return e.v, nil
	}
	v, err := read()
	if err != nil {
		return v, err
	}
	a.idMu.Lock()
	if a.generation == gen {
		if len(m) >= maxCached {
			clear(m)
		}
		m[key] = cacheEntry[V]{v: v, generation: gen, read: now}
	}
	a.idMu.Unlock()
	return v, nil
}

// allowAll is the account root's effective identity policy.
var allowAll = func() *policy.Document {
	d, err := policy.Parse(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, policy.Identity)
	if err != nil {
		panic(err) // a constant document
	}
	return d
}()

// NewAuthorizer returns an Authorizer.
func NewAuthorizer(cfg AuthorizerConfig) (*Authorizer, error) {
	if cfg.Store == nil {
		return nil, errors.New("access: Store is required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.CacheSize <= 0 {
		cfg.CacheSize = 4096
	}
	if cfg.IdentityTTL == 0 {
		cfg.IdentityTTL = DefaultCredentialCacheTTL
	}
	return &Authorizer{cfg: cfg, cache: make(map[[32]byte]*policy.Document),
		identities: make(map[identityKey]cacheEntry[policy.Input]), roles: make(map[roleKey]cacheEntry[opensts.Role]),
		providers: make(map[providerKey]cacheEntry[opensts.OIDCProvider]), samls: make(map[roleKey]cacheEntry[opensts.SAMLProvider])}, nil
}

// Invalidate forgets every identity policy and role this node has read:
// the API calls it after each IAM change, so the change applies to the
// next decision on this node.
func (a *Authorizer) Invalidate() {
	a.idMu.Lock()
	a.generation++
	clear(a.identities)
	clear(a.roles)
	clear(a.providers)
	clear(a.samls)
	a.idMu.Unlock()
}

// GetSAMLProvider reads a SAML provider by name (without case, as the
// store compares) through the cache, like GetOIDCProvider. The provider
// is shared: callers must not change it.
func (a *Authorizer) GetSAMLProvider(ctx context.Context, accountID, name string) (opensts.SAMLProvider, error) {
	if a.cfg.Providers == nil {
		return opensts.SAMLProvider{}, errors.New("access: no Providers configured")
	}
	return cached(a, a.samls, roleKey{accountID, strings.ToLower(name)}, func() (opensts.SAMLProvider, error) {
		return a.cfg.Providers.GetSAMLProvider(ctx, accountID, name)
	})
}

// GetOIDCProvider reads an OIDC provider by its exact URL through the cache
// (AuthorizerConfig.Providers). A provider that does not exist is read
// again each time, so one created through another node is found at once.
// The provider is shared: callers must not change it.
func (a *Authorizer) GetOIDCProvider(ctx context.Context, accountID, url string) (opensts.OIDCProvider, error) {
	if a.cfg.Providers == nil {
		return opensts.OIDCProvider{}, errors.New("access: no Providers configured")
	}
	return cached(a, a.providers, providerKey{accountID, url}, func() (opensts.OIDCProvider, error) {
		return a.cfg.Providers.GetOIDCProvider(ctx, accountID, url)
	})
}

// GetRole reads a role by name through the cache (AuthorizerConfig.Roles).
// The role is shared: callers must not change it.
func (a *Authorizer) GetRole(ctx context.Context, accountID, name string) (opensts.Role, error) {
	if a.cfg.Roles == nil {
		return opensts.Role{}, errors.New("access: no Roles configured")
	}
	return cached(a, a.roles, roleKey{accountID, strings.ToLower(name)}, func() (opensts.Role, error) {
		return a.cfg.Roles.GetRole(ctx, accountID, name)
	})
}

// SessionRule is one of the limits AWS puts on who may call an action with
// temporary credentials, checked before any policy is read (spec §3.2,
// §3.5). The API's operation table names the rule of each action.
type SessionRule uint8

const (
	// AnyCredentials: long-term keys and every kind of session.
	AnyCredentials SessionRule = iota
	// LongTermOnly: AWS's AccessDenied "Cannot call <Action> with session
	// credentials" (GetSessionToken, GetFederationToken).
	LongTermOnly
	// NoSessions: OpenSTS's refusal where AWS's answer is not known,
	// AccessDenied "User: <arn> is not authorized to perform:
	// <service>:<Action> with session credentials".
	NoSessions
	// IAMSessions: IAM's rule. A GetSessionToken session without MFA and
	// any federated user get InvalidClientTokenId.
	IAMSessions
	// NotFederated: any credentials but a federated user's, which get
	// NoSessions' refusal (AssumeRole: role chaining and aws-vault's
	// GetSessionToken-then-AssumeRole are allowed).
	NotFederated
)

// Admit applies rule r to p calling service:action.
func (r SessionRule) Admit(p *opensts.Principal, service, action string) error {
	if !p.Temporary() {
		return nil
	}
	switch r {
	case AnyCredentials:
		return nil
	case LongTermOnly:
		return opensts.SessionCredentialsError(action)
	case NoSessions:
		return opensts.Errorf(opensts.ErrAccessDenied, "User: %s is not authorized to perform: %s:%s with session credentials", p.ARN(), service, action)
	case NotFederated:
		if p.SessionKind() == opensts.SessionFederation {
			return NoSessions.Admit(p, service, action)
		}
		return nil
	case IAMSessions:
		if p.SessionKind() == opensts.SessionFederation || (p.SessionKind() == opensts.SessionToken && !p.MFA()) {
			return invalid("IAM called with session credentials that lack MFA or are federated")
		}
		return nil
	}
	panic(fmt.Sprintf("access: unknown session rule %d", r))
}

// Authorize implements opensts.Authorizer.
func (a *Authorizer) Authorize(ctx context.Context, p *opensts.Principal, action, resource string, extra map[string][]string) error {
	d, err := a.Decide(ctx, p, action, resource, extra)
	if err != nil {
		return err
	}
	if d.Effect == policy.Allowed {
		return nil
	}
	return opensts.Errorf(opensts.ErrAccessDenied, "%s", deniedMessage(p, action, resource, d))
}

// deniedMessage is AWS's AccessDenied text (spec §4.6;
// troubleshoot_access-denied): "User: <arn> is not authorized to perform:
// <action> on resource: <arn> because no identity-based policy allows the
// <action> action", or "… with an explicit deny in an identity-based policy".
// A boundary is named "permissions boundary", without "policy".
func deniedMessage(p *opensts.Principal, action, resource string, d policy.Decision) string {
	msg := "User: " + p.ARN() + " is not authorized to perform: " + action + " on resource: " + resource
	kind := d.DeniedBy.String()
	if kind == "" {
		return msg
	}
	if d.DeniedBy != policy.PermissionsBoundary {
		kind += " policy"
	}
	if d.Effect == policy.ExplicitDeny {
		return msg + " with an explicit deny in " + article(kind) + " " + kind
	}
	return msg + " because no " + kind + " allows the " + action + " action"
}

func article(word string) string {
	if strings.ContainsRune("aeiou", rune(word[0])) {
		return "an"
	}
	return "a"
}

// Decide evaluates the principal's policies for one action on one resource.
func (a *Authorizer) Decide(ctx context.Context, p *opensts.Principal, action, resource string, extra map[string][]string) (policy.Decision, error) {
	return a.DecideWith(ctx, p, Query{Action: action, Resource: resource, Extra: extra})
}

// Query is one authorization question: an action on a resource, with extra
// request-context keys and, when the resource has one, its resource-based
// policy.
type Query struct {
	Action, Resource string
	Extra            map[string][]string
	ResourcePolicy   *policy.Document
	// Budget, when set, meters the evaluation (see policy.Budget).
	Budget *policy.Budget
	// TrustedIDs, when set, are the unique ids the resource policy's user
	// and role principals had when it was written (AuthorizeTrust).
	TrustedIDs map[string]string
}

// DecideWith evaluates the principal's policies, and the resource's policy
// when given, for one query.
func (a *Authorizer) DecideWith(ctx context.Context, p *opensts.Principal, q Query) (policy.Decision, error) {
	in, err := a.input(ctx, p)
	if err != nil {
		return policy.Decision{}, err
	}
	return a.evaluate(ctx, p, in, q), nil
}

// evaluate decides one query over policies input has already gathered, so
// a request asking several questions of one principal reads them once.
func (a *Authorizer) evaluate(ctx context.Context, p *opensts.Principal, in policy.Input, q Query) policy.Decision {
	if q.ResourcePolicy != nil {
		in.Resource = &policy.Named{ID: "ResourcePolicy", Type: policy.ResourceBased, Doc: q.ResourcePolicy}
	}
	req := policy.Request{Action: q.Action, Resource: q.Resource, Principal: principalInfo(p), Context: a.context(ctx, p, q.Extra), Budget: q.Budget}
	// A policy that named a user or role names that entity, not a later
	// one of the same name: the caller's ARN stands for it only with the
	// id it had (AWS keeps unique ids in the policy). The caller is then
	// known by its unique id alone, which no ARN principal matches.
	if id, ok := q.TrustedIDs[req.Principal.ARN]; ok && id != p.ID {
		req.Principal.ARN = p.ID
	}
	if id, ok := q.TrustedIDs[req.Principal.SourceARN]; ok && id != p.ID {
		req.Principal.SourceARN = p.ID
	}
	if q.ResourcePolicy != nil {
		// A resource with a policy may be another account's: the account
		// in its ARN, when it names one, owns it.
		req.ResourceAccount = arnAccount(q.Resource)
	}
	return policy.Evaluate(in, req)
}

// input gathers the principal's policies: identity and boundary policies of
// its holder, and for federated users and role sessions the session
// policies (inline and managed).
func (a *Authorizer) input(ctx context.Context, p *opensts.Principal) (policy.Input, error) {
	in := policy.Input{Root: p.IsRoot()}
	switch {
	case in.Root:
	case p.Type == opensts.HolderRoot:
		// The root's federated users have the root's permissions (all),
		// intersected with their session policy like anyone's.
		in.Identity = []policy.Named{{ID: "account root", Type: policy.IdentityBased, Doc: allowAll}}
	case p.Type == opensts.HolderUser:
		ip, err := a.IdentityInput(ctx, p.AccountID, opensts.Owner{Kind: opensts.OwnerUser, ID: p.ID})
		if err != nil {
			return in, err
		}
		in.Identity, in.Boundary = ip.Identity, ip.Boundary
	case p.Type == opensts.HolderRole:
		ip, err := a.IdentityInput(ctx, p.AccountID, opensts.Owner{Kind: opensts.OwnerRole, ID: p.ID})
		if err != nil {
			return in, err
		}
		in.Identity, in.Boundary = ip.Identity, ip.Boundary
	default:
		return in, fmt.Errorf("identity policies of a %s holder: not served", p.Type)
	}
	// Session policies limit federated users and role sessions; a federated
	// user without one has no permissions, a role session has the role's.
	if k := p.SessionKind(); k == opensts.SessionFederation || k.RoleSession() {
		in.SessionRequired = k == opensts.SessionFederation
		s := p.Session
		if s.Policy != "" {
			doc, err := a.compile(s.Policy, policy.Session)
			if err != nil {
				return in, fmt.Errorf("compile session policy: %w", err)
			}
			in.Session = append(in.Session, policy.Named{ID: "session", Type: policy.SessionPolicy, Doc: doc})
		}
		for _, arn := range s.PolicyARNs {
			doc, ok, err := a.managed(ctx, p.AccountID, arn)
			if err != nil {
				return in, err
			}
			if ok {
				in.Session = append(in.Session, policy.Named{ID: arn, Type: policy.SessionPolicy, Doc: doc})
			}
		}
	}
	return in, nil
}

// IdentityInput resolves an owner's identity policies (for a user: its
// own, its groups' and its permissions boundary; for a group: its own; for
// a role: its own and its boundary) into compiled documents, reusing what
// it read within IdentityTTL unless an IAM change came in between. It is the one resolver of identity policies: the
// authorizer uses it for every decision and IAM's policy simulator for
// SimulatePrincipalPolicy, so a simulation evaluates what requests are
// evaluated against.
func (a *Authorizer) IdentityInput(ctx context.Context, accountID string, owner opensts.Owner) (policy.Input, error) {
	return cached(a, a.identities, identityKey{accountID, owner}, func() (policy.Input, error) {
		in, err := a.readIdentity(ctx, accountID, owner)
		// Clipped to its length: a caller appending (the simulator adds
		// its input policies) copies instead of writing into what other
		// decisions share.
		in.Identity = slices.Clip(in.Identity)
		return in, err
	})
}

// readIdentity reads and compiles an owner's identity policies.
func (a *Authorizer) readIdentity(ctx context.Context, accountID string, owner opensts.Owner) (policy.Input, error) {
	var in policy.Input
	ip, err := a.cfg.Store.IdentityPolicies(ctx, accountID, owner)
	if err != nil {
		return in, fmt.Errorf("read identity policies: %w", err)
	}
	for _, d := range ip.Documents {
		doc, err := a.compile(d.Document, policy.Identity)
		if err != nil {
			return in, fmt.Errorf("compile %s policy %s: %w", d.Source, d.ID, err)
		}
		in.Identity = append(in.Identity, policy.Named{ID: d.ID, Type: policy.IdentityBased, Doc: doc})
	}
	if ip.Boundary != nil {
		doc, err := a.compile(ip.Boundary.Document, policy.Identity)
		if err != nil {
			return in, fmt.Errorf("compile permissions boundary %s: %w", ip.Boundary.ID, err)
		}
		in.Boundary = &policy.Named{ID: ip.Boundary.ID, Type: policy.PermissionsBoundary, Doc: doc}
	}
	return in, nil
}

// AuthorizeTrust decides whether p may take each of actions
// (sts:AssumeRole, then sts:TagSession, sts:SetSourceIdentity as the
// request needs them) on a role (its trust policy text; empty for a role
// that does not exist), with extra(action) as the request-context keys of
// each: the role's trust policy must allow it, and the caller's own
// policies must too unless the trust policy names the caller itself
// (policy.Trust's evaluation). The caller's policies are read once, so
// every action is decided against the same ones. The users and roles the
// trust policy names are the entities of trustedIDs (ARN → unique id when
// the policy was set): a caller holding such an ARN with another id — the
// name deleted and created again — is not named. The refusal, for the
// first action denied, is AWS's, naming the role ARN as sent and no
// reason, for a missing role as for a denial, so it reveals nothing.
func (a *Authorizer) AuthorizeTrust(ctx context.Context, p *opensts.Principal, roleARN, trustPolicy string, trustedIDs map[string]string, actions []string, extra func(action string) map[string][]string) error {
	if len(actions) == 0 {
		return nil
	}
	// The trust policy is compiled once (the cache), and one that no longer
	// parses trusts nobody.
	var trust *policy.Document
	if trustPolicy != "" {
		trust, _ = a.compile(trustPolicy, policy.Trust)
	}
	if trust == nil {
		return trustDenied(p, actions[0], roleARN)
	}
	in, err := a.input(ctx, p)
	if err != nil {
		return err
	}
	for _, action := range actions {
		d := a.evaluate(ctx, p, in, Query{Action: action, Resource: roleARN, Extra: extra(action), ResourcePolicy: trust, TrustedIDs: trustedIDs})
		if d.Effect != policy.Allowed {
			return trustDenied(p, action, roleARN)
		}
	}
	return nil
}

// trustDenied is AuthorizeTrust's refusal of action on roleARN.
func trustDenied(p *opensts.Principal, action, roleARN string) error {
	return opensts.Errorf(opensts.ErrAccessDenied, "User: %s is not authorized to perform: %s on resource: %s", p.ARN(), action, roleARN)
}

// managed loads the default version of a managed policy by ARN; ok is false
// when it no longer exists (a deleted session policy grants nothing).
func (a *Authorizer) managed(ctx context.Context, accountID, arn string) (*policy.Document, bool, error) {
	if _, text, ok := opensts.AWSManagedPolicyByARN(arn); ok {
		doc, err := a.compile(text, policy.Session)
		if err != nil {
			return nil, false, fmt.Errorf("compile session policy %s: %w", arn, err)
		}
		return doc, true, nil
	}
	acct, _, path, name, ok := opensts.ParseIAMARN(arn)
	if !ok || acct != accountID {
		return nil, false, nil
	}
	mp, err := a.cfg.Store.GetPolicy(ctx, accountID, name)
	if errors.Is(err, opensts.ErrNotFound) || (err == nil && mp.Path != path) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read session policy %s: %w", arn, err)
	}
	v, err := a.cfg.Store.GetPolicyVersion(ctx, accountID, mp.ID, mp.DefaultVersionID)
	if errors.Is(err, opensts.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read session policy %s: %w", arn, err)
	}
	doc, err := a.compile(v.Document, policy.Session)
	if err != nil {
		return nil, false, fmt.Errorf("compile session policy %s: %w", arn, err)
	}
	return doc, true, nil
}

// compile parses a stored document once; compiled documents are immutable
// and shared. The cache is bounded: when full it starts over.
func (a *Authorizer) compile(text string, kind policy.Kind) (*policy.Document, error) {
	key := sha256.Sum256(append([]byte{byte(kind)}, text...))
	a.mu.Lock()
	doc, ok := a.cache[key]
	a.mu.Unlock()
	if ok {
		return doc, nil
	}
	doc, err := policy.Parse(text, kind)
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	if len(a.cache) >= a.cfg.CacheSize {
		clear(a.cache)
	}
	a.cache[key] = doc
	a.mu.Unlock()
	return doc, nil
}

// AuthorizeFederated decides whether a caller an identity provider vouched
// for (AssumeRoleWithWebIdentity) may take each of actions on a role. The
// caller is no AWS principal and has no policies of its own: the role's
// trust policy alone decides, naming the provider (its ARN, providerARN)
// as a Federated principal, with the request's global keys and extra(action).
// The refusal is AWS's generic one for the first action, whichever action
// was denied, and the same for a role that does not exist (empty
// trustPolicy), so it reveals nothing.
func (a *Authorizer) AuthorizeFederated(ctx context.Context, providerARN, roleARN, trustPolicy string, actions []string, extra func(action string) map[string][]string) error {
	if len(actions) == 0 {
		return nil
	}
	denied := opensts.Errorf(opensts.ErrAccessDenied, "Not authorized to perform %s", actions[0])
	var trust *policy.Document
	if trustPolicy != "" {
		trust, _ = a.compile(trustPolicy, policy.Trust)
	}
	if trust == nil {
		return denied
	}
	in := policy.Input{Resource: &policy.Named{ID: "ResourcePolicy", Type: policy.ResourceBased, Doc: trust}}
	for _, action := range actions {
		c := policy.NewContext()
		a.requestKeys(ctx, c)
		for k, v := range extra(action) {
			c.Set(k, v...)
		}
		d := policy.Evaluate(in, policy.Request{Action: action, Resource: roleARN, Principal: policy.PrincipalInfo{Federated: providerARN}, Context: c})
		if d.Effect != policy.Allowed {
			return denied
		}
	}
	return nil
}

// requestKeys sets the request's global keys, those that do not depend on
// who signed it, and returns the request time.
func (a *Authorizer) requestKeys(ctx context.Context, c *policy.Context) time.Time {
	now := a.cfg.Now().UTC()
	ri, _ := RequestInfoFrom(ctx)
	if !ri.Time.IsZero() {
		now = ri.Time.UTC()
	}
	c.Set("aws:CurrentTime", now.Format(time.RFC3339))
	c.Set("aws:EpochTime", strconv.FormatInt(now.Unix(), 10))
	if ri.SourceIP != "" {
		c.Set("aws:SourceIp", ri.SourceIP)
	}
	c.Set("aws:SecureTransport", strconv.FormatBool(ri.SecureTransport))
	if ri.Region != "" {
		c.Set("aws:RequestedRegion", ri.Region)
	}
	if ri.UserAgent != "" {
		c.Set("aws:UserAgent", ri.UserAgent)
	}
	return now
}

// context builds the request context (spec §4.1, §3.6).
func (a *Authorizer) context(ctx context.Context, p *opensts.Principal, extra map[string][]string) *policy.Context {
	c := policy.NewContext()
	now := a.requestKeys(ctx, c)
	c.Set("aws:PrincipalArn", p.PrincipalARN())
	c.Set("aws:PrincipalType", p.PrincipalType())
	c.Set("aws:PrincipalAccount", p.AccountID)
	c.Set("aws:userid", p.UserID())
	if p.PrincipalType() == "User" {
		c.Set("aws:username", p.Name)
	}
	if s := p.Session; s != nil {
		c.Set("aws:MultiFactorAuthPresent", strconv.FormatBool(s.MFA()))
		if s.MFA() {
			c.Set("aws:MultiFactorAuthAge", strconv.FormatInt(int64(now.Sub(s.MFAAuthenticatedAt)/time.Second), 10))
		}
		c.Set("aws:TokenIssueTime", s.IssuedAt.UTC().Format(time.RFC3339))
		if s.SourceIdentity != "" {
			c.Set("aws:SourceIdentity", s.SourceIdentity)
		}
		if s.Provider != nil {
			for k, v := range s.Provider.ConditionKeys() {
				c.Set(k, v...)
			}
		}
	}
	for _, t := range p.PrincipalTags() {
		c.Set("aws:PrincipalTag/"+t.Key, t.Value)
	}
	for k, v := range extra {
		c.Set(k, v...)
	}
	return c
}

// principalInfo is how a resource-based policy's Principal element can name
// the caller: its own ARN, its account, and for a federated user the IAM
// user (or root) that federated.
func principalInfo(p *opensts.Principal) policy.PrincipalInfo {
	pi := policy.PrincipalInfo{ARN: p.ARN(), Account: p.AccountID}
	if k := p.SessionKind(); k == opensts.SessionFederation || k.RoleSession() {
		pi.SourceARN = p.Holder.ARN()
	}
	return pi
}

// arnAccount is the account id an ARN names (its fifth part), or "" when
// it names none (S3 buckets, "*").
func arnAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || len(parts[4]) != 12 || strings.Trim(parts[4], "0123456789") != "" {
		return ""
	}
	return parts[4]
}
