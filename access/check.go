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
	// Service, when set, is the signing name the client must have used.
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

// Run runs a check with the node's authenticator and authorizer. Errors are
// for failures of OpenSTS itself; a request that does not authenticate is an
// answer, in CheckResult.AuthError.
func (c Check) Run(ctx context.Context, authn *Authenticator, authz *Authorizer) (CheckResult, error) {
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
	for _, action := range c.Actions {
		for _, resource := range resources {
			d, err := authz.DecideWith(ctx, p, Query{Action: action, Resource: resource, Extra: c.Context, ResourcePolicy: c.ResourcePolicy})
			if err != nil {
				return CheckResult{}, err
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
