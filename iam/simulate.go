package iam

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/policy"
)

// ContextEntry is one SimulateCustomPolicy/SimulatePrincipalPolicy context
// value: a key, its values and its declared type.
type ContextEntry struct {
	ContextKeyName   *string
	ContextKeyValues []string
	ContextKeyType   *string
}

// SimulateInput is the input both simulation actions share.
type SimulateInput struct {
	// PolicySourceArn is SimulatePrincipalPolicy's user or group.
	PolicySourceArn                    *string
	PolicyInputList                    []string
	PermissionsBoundaryPolicyInputList []string
	ActionNames                        []string
	ResourceArns                       []string
	ResourcePolicy                     *string
	CallerArn                          *string
	ContextEntries                     []ContextEntry
	ListInput
}

// EvaluationResult is one (action, resource) decision, as IAM returns it.
type EvaluationResult struct {
	Action, Resource string
	Decision         policy.Decision
	// Boundary is set when a permissions boundary took part: whether it
	// allowed the action.
	Boundary *bool
}

var contextKeyTypes = []string{"string", "stringList", "numeric", "numericList", "boolean", "booleanList", "ip", "ipList", "binary", "binaryList", "date", "dateList"}

func (in SimulateInput) validate(custom bool) error {
	var v opensts.ValidationError
	if !custom {
		v.CheckString("policySourceArn", in.PolicySourceArn, required(ruleARN))
	}
	if custom && in.PolicyInputList == nil {
		v.Add("policyInputList", nil, "not be null")
	}
	for i, d := range in.PolicyInputList {
		v.CheckString(fmt.Sprintf("policyInputList.%d.member", i+1), &d, rulePolicyDocument)
	}
	for i, d := range in.PermissionsBoundaryPolicyInputList {
		v.CheckString(fmt.Sprintf("permissionsBoundaryPolicyInputList.%d.member", i+1), &d, rulePolicyDocument)
	}
	if in.ActionNames == nil {
		v.Add("actionNames", nil, "not be null")
	}
	for i, a := range in.ActionNames {
		v.CheckString(fmt.Sprintf("actionNames.%d.member", i+1), &a, opensts.StringRule{Min: 3, Max: 128})
	}
	for i, r := range in.ResourceArns {
		v.CheckString(fmt.Sprintf("resourceArns.%d.member", i+1), &r, opensts.StringRule{Min: 1, Max: 2048, Pattern: &opensts.PatternARN})
	}
	v.CheckString("resourcePolicy", in.ResourcePolicy, opensts.StringRule{Min: 1, Max: maxPolicyDocumentSize, Pattern: &opensts.PatternPolicyText})
	v.CheckString("callerArn", in.CallerArn, ruleARN)
	for i, e := range in.ContextEntries {
		prefix := fmt.Sprintf("contextEntries.%d.member.", i+1)
		v.CheckString(prefix+"contextKeyName", e.ContextKeyName, opensts.StringRule{Min: 5, Max: 256})
		v.CheckEnum(prefix+"contextKeyType", e.ContextKeyType, false, contextKeyTypes...)
	}
	in.ListInput.validate(&v)
	return v.Err()
}

// SimulateCustomPolicy evaluates the given policies for every action and
// resource, with the given context, as IAM's policy simulator does. Nothing
// stored is read: the policies are the inputs.
func (s *Service) SimulateCustomPolicy(ctx context.Context, caller *opensts.Principal, in SimulateInput) (opensts.Page[EvaluationResult], error) {
	if err := in.validate(true); err != nil {
		return opensts.Page[EvaluationResult]{}, err
	}
	if err := s.authorize(ctx, caller, "SimulateCustomPolicy", "*"); err != nil {
		return opensts.Page[EvaluationResult]{}, err
	}
	var pin policy.Input
	if err := addInputs(&pin, in); err != nil {
		return opensts.Page[EvaluationResult]{}, err
	}
	pi := policy.PrincipalInfo{}
	if in.CallerArn != nil {
		pi.ARN = *in.CallerArn
		pi.Account, _, _, _, _ = opensts.ParseIAMARN(*in.CallerArn)
	}
	return simulate(ctx, pin, pi, in, policy.NewContext(), nil)
}

// SimulatePrincipalPolicy evaluates the policies of a user (inline,
// attached, and its groups'; its boundary) or of a group, plus any given
// policies, for every action and resource.
func (s *Service) SimulatePrincipalPolicy(ctx context.Context, caller *opensts.Principal, in SimulateInput) (opensts.Page[EvaluationResult], error) {
	if err := in.validate(false); err != nil {
		return opensts.Page[EvaluationResult]{}, err
	}
	arn := *in.PolicySourceArn
	acct, kind, path, name, ok := opensts.ParseIAMARN(arn)
	if !ok || acct != caller.AccountID || (kind != "user" && kind != "group") {
		return opensts.Page[EvaluationResult]{}, opensts.Errorf(opensts.ErrInvalidInput, "Invalid ARN: %s. PolicySourceArn must be a user or group of this account.", arn)
	}
	// Names are unique without regard to case, so user/VIP finds user/vip:
	// the caller is authorized against the stored entity's ARN, as every
	// other action on a user or group is, never against the ARN as typed
	// (a Deny on user/vip must hold for user/VIP too).
	var pin policy.Input
	rc := policy.NewContext()
	pi := policy.PrincipalInfo{ARN: arn, Account: acct}
	switch kind {
	case "user":
		u, err := s.cfg.Store.GetUser(ctx, acct, name)
		if errors.Is(err, opensts.ErrNotFound) || (err == nil && u.Path != path) {
			return opensts.Page[EvaluationResult]{}, opensts.Errorf(opensts.ErrNotFound, "The user with name %s cannot be found.", name)
		}
		if err != nil {
			return opensts.Page[EvaluationResult]{}, fmt.Errorf("get user: %w", err)
		}
		if err := s.authorizeWith(ctx, caller, "SimulatePrincipalPolicy", u.ARN(), target{user: u}.facts(opensts.RequestFacts{})); err != nil {
			return opensts.Page[EvaluationResult]{}, err
		}
		pi.ARN = u.ARN()
		if pin, err = s.cfg.Policies.IdentityInput(ctx, acct, opensts.Owner{Kind: opensts.OwnerUser, ID: u.ID}); err != nil {
			return opensts.Page[EvaluationResult]{}, err
		}
		// The simulator resolves the user's own identity keys (and so
		// ${aws:username}); everything else comes from ContextEntries.
		rc.Set("aws:username", u.Name)
		rc.Set("aws:userid", u.ID)
		rc.Set("aws:PrincipalArn", u.ARN())
		rc.Set("aws:PrincipalType", "User")
		rc.Set("aws:PrincipalAccount", acct)
		for _, t := range u.Tags {
			rc.Set("aws:PrincipalTag/"+t.Key, t.Value)
		}
	case "group":
		g, err := s.cfg.Store.GetGroup(ctx, acct, name)
		if errors.Is(err, opensts.ErrNotFound) || (err == nil && g.Path != path) {
			return opensts.Page[EvaluationResult]{}, noSuchGroup(name)
		}
		if err != nil {
			return opensts.Page[EvaluationResult]{}, fmt.Errorf("get group: %w", err)
		}
		if err := s.authorizeWith(ctx, caller, "SimulatePrincipalPolicy", g.ARN(), opensts.RequestFacts{}); err != nil { // a group has no keys
			return opensts.Page[EvaluationResult]{}, err
		}
		pi.ARN = g.ARN()
		if pin, err = s.cfg.Policies.IdentityInput(ctx, acct, opensts.Owner{Kind: opensts.OwnerGroup, ID: g.ID}); err != nil {
			return opensts.Page[EvaluationResult]{}, err
		}
	}
	if err := addInputs(&pin, in); err != nil {
		return opensts.Page[EvaluationResult]{}, err
	}
	if in.CallerArn != nil {
		pi.ARN = *in.CallerArn
	}
	return simulate(ctx, pin, pi, in, rc, s.resourceKeys(ctx, acct))
}

// resourceKeys returns the request-context keys the resources of a
// simulation contribute, as authorization of the real request would see
// them: for an action whose condition keys include the resource's
// (opensts.ActionKeys), the tags of a user or managed policy of the account
// named by the resource ARN and a user's current permissions boundary.
// Each resource is read once per page; ARNs naming nothing stored add
// nothing.
func (s *Service) resourceKeys(ctx context.Context, acct string) func(action, resource string) (map[string][]string, error) {
	facts := map[string]opensts.RequestFacts{}
	return func(action, resource string) (map[string][]string, error) {
		if opensts.ActionKeys(action)&(opensts.KeyResourceTags|opensts.KeyPermissionsBoundary) == 0 {
			return nil, nil
		}
		f, seen := facts[resource]
		if !seen {
			var err error
			if f, err = s.storedFacts(ctx, acct, resource); err != nil {
				return nil, err
			}
			facts[resource] = f
		}
		return opensts.ConditionContext(action, f), nil
	}
}

// storedFacts reads what a user or managed policy named by arn contributes
// to condition keys; nothing for other ARNs or entities that do not exist.
func (s *Service) storedFacts(ctx context.Context, acct, arn string) (opensts.RequestFacts, error) {
	a, kind, path, name, ok := opensts.ParseIAMARN(arn)
	if !ok || a != acct {
		return opensts.RequestFacts{}, nil
	}
	switch kind {
	case "user":
		u, err := s.cfg.Store.GetUser(ctx, acct, name)
		if errors.Is(err, opensts.ErrNotFound) || (err == nil && u.Path != path) {
			return opensts.RequestFacts{}, nil
		}
		if err != nil {
			return opensts.RequestFacts{}, err // the store's error names what it looked up
		}
		return target{user: u}.facts(opensts.RequestFacts{}), nil
	case "policy":
		p, err := s.cfg.Store.GetPolicy(ctx, acct, name)
		if errors.Is(err, opensts.ErrNotFound) || (err == nil && p.Path != path) {
			return opensts.RequestFacts{}, nil
		}
		if err != nil {
			return opensts.RequestFacts{}, err // the store's error names what it looked up
		}
		return opensts.RequestFacts{ResourceTags: p.Tags}, nil
	}
	return opensts.RequestFacts{}, nil
}

// addInputs parses the request's own policies into pin.
func addInputs(pin *policy.Input, in SimulateInput) error {
	for i, text := range in.PolicyInputList {
		doc, err := policy.Parse(text, policy.Identity)
		if err != nil {
			return err
		}
		pin.Identity = append(pin.Identity, policy.Named{ID: "PolicyInputList." + strconv.Itoa(i+1), Type: policy.IdentityBased, Doc: doc})
	}
	for i, text := range in.PermissionsBoundaryPolicyInputList {
		doc, err := policy.Parse(text, policy.Identity)
		if err != nil {
			return err
		}
		// Several boundary inputs act as one boundary: each must allow.
		// The evaluator takes one boundary, so the first is used and the
		// others are refused rather than silently ignored.
		if i > 0 {
			return opensts.Errorf(opensts.ErrInvalidInput, "OpenSTS simulates one permissions boundary; PermissionsBoundaryPolicyInputList has %d.", len(in.PermissionsBoundaryPolicyInputList))
		}
		pin.Boundary = &policy.Named{ID: "PermissionsBoundaryPolicyInputList.1", Type: policy.PermissionsBoundary, Doc: doc}
	}
	if in.ResourcePolicy != nil {
		doc, err := policy.Parse(*in.ResourcePolicy, policy.Resource)
		if err != nil {
			return err
		}
		pin.Resource = &policy.Named{ID: "ResourcePolicy", Type: policy.ResourceBased, Doc: doc}
	}
	return nil
}

// maxSimulationWork bounds the policy evaluation work of one simulation
// request, in policy.Budget units (about a nanosecond of matching each): a
// page of pairs stops early when they use it up, and a single pair that
// needs more is refused. 10^8 units let a principal at IAM's policy quotas
// (an inline policy and ten managed policies of 6,144 characters) be
// simulated for a full page of 1,000 pairs (policy.TestBudget_FitsTypicalPage),
// and bound the worst request to a fraction of a second of CPU.
// docs/compatibility.md lists this limit.
const maxSimulationWork = 100_000_000

// errTooComplex refuses a pair whose evaluation alone exceeds
// maxSimulationWork.
func errTooComplex(action, resource string, err error) error {
	return &opensts.Error{Kind: opensts.ErrInvalidInput, Err: err, Message: fmt.Sprintf(
		"Simulating %s on %s exceeds the evaluation work OpenSTS allows one request; use fewer or simpler wildcard patterns, condition values or context values.",
		action, resource)}
}

// simulate evaluates every (action, resource) pair; results are paged with
// MaxItems/Marker like IAM (the marker is the index of the next result).
// The pairs of one page share a work budget: when it runs out, the page
// ends early with a Marker, as IAM may return fewer results than MaxItems.
// The work stops, with ctx's error, when ctx is done.
func simulate(ctx context.Context, pin policy.Input, pi policy.PrincipalInfo, in SimulateInput, rc *policy.Context,
	resourceKeys func(action, resource string) (map[string][]string, error)) (opensts.Page[EvaluationResult], error) {
	var page opensts.Page[EvaluationResult]
	for _, e := range in.ContextEntries {
		rc.Set(*e.ContextKeyName, e.ContextKeyValues...)
	}
	resources := in.ResourceArns
	if len(resources) == 0 {
		resources = []string{"*"}
	}
	total := len(in.ActionNames) * len(resources)
	opt := in.options(nil)
	start := 0
	if opt.Marker != "" {
		n, err := strconv.Atoi(opt.Marker)
		if err != nil || n < 0 || n >= total {
			return page, opensts.Errorf(opensts.ErrInvalidInput, "Invalid Marker.")
		}
		start = n
	}
	end := min(start+opt.Limit(), total)
	budget := policy.NewBudget(ctx, maxSimulationWork)
	for i := start; i < end; i++ {
		if err := ctx.Err(); err != nil {
			return opensts.Page[EvaluationResult]{}, fmt.Errorf("simulate: %w", err)
		}
		action, resource := in.ActionNames[i/len(resources)], resources[i%len(resources)]
		req := policy.Request{Action: action, Resource: resource, Principal: pi, Context: rc, Budget: budget}
		if resourceKeys != nil {
			keys, err := resourceKeys(action, resource)
			if err != nil {
				return opensts.Page[EvaluationResult]{}, err
			}
			if len(keys) > 0 {
				// ContextEntries win over what the stored resource says.
				req.Context = rc.Clone()
				for k, v := range keys {
					if _, given := rc.Get(k); !given {
						req.Context.Set(k, v...)
					}
				}
			}
		}
		d := policy.Evaluate(pin, req)
		r := EvaluationResult{Action: action, Resource: resource, Decision: d}
		if pin.Boundary != nil {
			bd := policy.Evaluate(policy.Input{Identity: []policy.Named{*pin.Boundary}}, req)
			allowed := bd.IsAllowed()
			r.Boundary = &allowed
		}
		if err := budget.Err(); err != nil {
			switch {
			case !errors.Is(err, policy.ErrWorkLimit):
				return opensts.Page[EvaluationResult]{}, fmt.Errorf("simulate %s on %s: %w", action, resource, err)
			case i == start:
				return opensts.Page[EvaluationResult]{}, errTooComplex(action, resource, err)
			}
			end = i // this pair starts the next page
			break
		}
		page.Items = append(page.Items, r)
	}
	if end < total {
		page.Marker = strconv.Itoa(end)
	}
	return page, nil
}

// ContextKeysInput mirrors GetContextKeysForCustomPolicy /
// GetContextKeysForPrincipalPolicy.
type ContextKeysInput struct {
	PolicySourceArn *string
	PolicyInputList []string
}

// GetContextKeysForCustomPolicy lists the context keys the given policies use.
func (s *Service) GetContextKeysForCustomPolicy(ctx context.Context, caller *opensts.Principal, in ContextKeysInput) ([]string, error) {
	var v opensts.ValidationError
	if in.PolicyInputList == nil {
		v.Add("policyInputList", nil, "not be null")
	}
	for i, d := range in.PolicyInputList {
		v.CheckString(fmt.Sprintf("policyInputList.%d.member", i+1), &d, rulePolicyDocument)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, caller, "GetContextKeysForCustomPolicy", "*"); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var keys []string
	for _, text := range in.PolicyInputList {
		doc, err := policy.Parse(text, policy.Identity)
		if err != nil {
			return nil, err
		}
		for _, k := range doc.ContextKeys() {
			if lk := strings.ToLower(k); !seen[lk] {
				seen[lk] = true
				keys = append(keys, k)
			}
		}
	}
	return keys, nil
}
