package access

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/policy"
	"github.com/opensts/opensts/sigv4"
)

// Check answers, for a service that received a request signed with OpenSTS
// credentials, "who signed this, and may they do these actions on these
// resources?" in one step: it verifies the forwarded request's signature
// exactly as OpenSTS verifies its own requests (same keys, sessions, clock
// window and errors), then evaluates the signer's policies — identity,
// boundary, session, and the resource's policy when the service sends one.
type Check struct {
	// Request is the request as the service received it (method, URL with
	// the host the client signed, headers); Body is its body.
	Request *http.Request
	Body    []byte
	// Service is the signing name the client must have used (the
	// credential scope's service). It is required: without it, a request
	// signed for another service — a victim's presigned STS
	// GetCallerIdentity URL, say — would pass as the victim's.
	Service string
	// Actions × Resources are the decisions asked for ("*" when no resource).
	Actions   []string
	Resources []string
	// ResourcePolicy is the resource's own policy, if any.
	ResourcePolicy *policy.Document
	// Context adds request-context keys; SourceIP and SecureTransport
	// describe the client's connection to the service.
	Context         map[string][]string
	SourceIP        string
	SecureTransport bool
}

// CheckResult is Check's answer. When the forwarded request does not
// authenticate, Principal is nil and AuthError says why, with the error
// OpenSTS would have answered the client itself.
type CheckResult struct {
	Principal *opensts.Principal
	AuthError error
	Decisions []CheckDecision
}

// CheckDecision is one (action, resource) decision.
type CheckDecision struct {
	Action, Resource string
	Decision         policy.Decision
}

// Allowed reports whether the request authenticated and every decision allows.
func (r CheckResult) Allowed() bool {
	if r.Principal == nil || len(r.Decisions) == 0 {
		return false
	}
	for _, d := range r.Decisions {
		if !d.Decision.IsAllowed() {
			return false
		}
	}
	return true
}

// ErrNoService is Run's error for a Check without Service.
var ErrNoService = errors.New("access: a check must name the service the request was signed for")

// maxCheckWork bounds the policy evaluation work of one check, in
// policy.Budget units (about a nanosecond of matching each), as
// maxSimulationWork does for IAM's simulator: far more than any policies
// within IAM's quotas need for the 100 decisions a check may ask, and a
// fraction of a second of CPU at worst. docs/compatibility.md lists it.
const maxCheckWork = 100_000_000

// Run runs a check with the node's authenticator and authorizer. Errors are
// for failures of OpenSTS itself, for a check whose policies need more than
// its share of evaluation work (InvalidParameterValue), and for ctx done; a
// request that does not authenticate is an answer, in CheckResult.AuthError.
func (c Check) Run(ctx context.Context, authn *Authenticator, authz *Authorizer) (CheckResult, error) {
	if c.Service == "" {
		return CheckResult{}, ErrNoService
	}
	p, sig, err := authn.Authenticate(ctx, c.Request, c.Body, c.Service)
	if err != nil {
		if isAuthFailure(err) {
			return CheckResult{AuthError: err}, nil
		}
		return CheckResult{}, fmt.Errorf("authenticate forwarded request: %w", err)
	}
	ctx = WithRequestInfo(ctx, RequestInfo{
		SourceIP: c.SourceIP, SecureTransport: c.SecureTransport, Region: sig.Region,
		UserAgent: c.Request.UserAgent(), Time: authn.cfg.Now(),
	})
	resources := c.Resources
	if len(resources) == 0 {
		resources = []string{"*"}
	}
	res := CheckResult{Principal: p}
	// One read of the principal's policies serves every pair, so all of
	// a check's decisions see the same policies.
	in, err := authz.input(ctx, p)
	if err != nil {
		return CheckResult{}, err
	}
	budget := policy.NewBudget(ctx, maxCheckWork)
	for _, action := range c.Actions {
		for _, resource := range resources {
			if err := ctx.Err(); err != nil {
				return CheckResult{}, fmt.Errorf("check %s on %s: %w", action, resource, err)
			}
			d := authz.evaluate(ctx, p, in, Query{Action: action, Resource: resource, Extra: c.Context, ResourcePolicy: c.ResourcePolicy, Budget: budget})
			if err := budget.Err(); err != nil {
				if errors.Is(err, policy.ErrWorkLimit) {
					return CheckResult{}, &opensts.Error{Kind: opensts.ErrInvalidParameter, Err: err, Message: fmt.Sprintf(
						"Evaluating %s on %s exceeds the evaluation work OpenSTS allows one request; use fewer or simpler wildcard patterns, condition values or context values.",
						action, resource)}
				}
				return CheckResult{}, fmt.Errorf("check %s on %s: %w", action, resource, err)
			}
			res.Decisions = append(res.Decisions, CheckDecision{Action: action, Resource: resource, Decision: d})
		}
	}
	return res, nil
}

// isAuthFailure tells an answer about the forwarded request (bad signature,
// unknown key, expired token, …) from a failure of OpenSTS (store down).
func isAuthFailure(err error) bool {
	var de *opensts.Error
	if errors.As(err, &de) {
		return errors.Is(de.Kind, opensts.ErrInvalidClientToken) || errors.Is(de.Kind, opensts.ErrExpiredToken)
	}
	return !errors.Is(err, opensts.ErrUnavailable) && isSignatureError(err)
}

// isSignatureError reports errors from SigV4 parsing and verification.
func isSignatureError(err error) bool {
	var inc *sigv4.IncompleteError
	return errors.Is(err, sigv4.ErrMissingAuthentication) || errors.Is(err, sigv4.ErrSignatureMismatch) || errors.As(err, &inc)
}
