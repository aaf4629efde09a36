package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/policy"
	"github.com/opensts/opensts/sigv4"
)

// TestErrorTable pins every row of the error table: code, status, fault
// type and message, for errors wrapped the way domain code wraps them.
func TestErrorTable(t *testing.T) {
	wrap := func(err error) error { return fmt.Errorf("while doing something: %w", err) }
	cases := []struct {
		name    string
		err     error
		svc     *service
		code    string
		status  int
		sender  bool
		message string
	}{
		{"missing auth", sigv4.ErrMissingAuthentication, stsService, "MissingAuthenticationToken", 403, true, "Request is missing Authentication Token"},
		{"incomplete", &sigv4.IncompleteError{Message: "Authorization header requires 'Credential' parameter."}, stsService, "IncompleteSignature", 400, true, "Authorization header requires 'Credential' parameter."},
		{"mismatch with message", &sigv4.MismatchError{Message: "Signature expired: x"}, stsService, "SignatureDoesNotMatch", 403, true, "Signature expired: x"},
		{"mismatch", wrap(sigv4.ErrSignatureMismatch), stsService, "SignatureDoesNotMatch", 403, true, sigv4.MsgSignatureMismatch},
		{"invalid token STS", &opensts.Error{Kind: opensts.ErrInvalidClientToken}, stsService, "InvalidClientTokenId", 403, true, "The security token included in the request is invalid."},
		{"invalid token IAM", &opensts.Error{Kind: opensts.ErrInvalidClientToken}, iamService, "InvalidClientTokenId", 403, true, "The security token included in the request is invalid"},
		{"expired", wrap(opensts.ErrExpiredToken), stsService, "ExpiredToken", 403, true, "The security token included in the request is expired"},
		{"throttled", opensts.ErrThrottled, stsService, "Throttling", 400, true, "Rate exceeded"},
		{"malformed query", errMalformedQuery, stsService, "MalformedQueryString", 404, true, "The query string contains a syntax error."},
		{"missing action", errMissingAction, stsService, "MissingAction", 400, true, "The request is missing an action or a required parameter."},
		{"body too large", errBodyTooLarge, stsService, "RequestEntityTooLarge", 413, true, "Request body is too large."},
		{"method", errMethod, stsService, "InvalidHttpRequest", 405, true, "The Query API accepts GET and POST requests only."},
		{"invalid action", &invalidActionError{action: "X", version: "2011-06-15"}, stsService, "InvalidAction", 400, true, "Could not find operation X for version 2011-06-15"},
		{"malformed input", &malformedInputError{msg: "missing value for decimal type"}, stsService, "MalformedInput", 400, true, "missing value for decimal type"},
		{"validation", wrap(&opensts.ValidationError{Fields: []opensts.FieldError{{Field: "name", Constraint: "not be null"}}}), stsService, "ValidationError", 400, true,
			"1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null"},
		{"policy syntax", wrap(&policy.SyntaxError{Message: "Policy document should not specify a principal."}), stsService, "MalformedPolicyDocument", 400, true, "Policy document should not specify a principal."},
		{"malformed policy kind", opensts.Errorf(opensts.ErrMalformedPolicy, "bad"), iamService, "MalformedPolicyDocument", 400, true, "bad"},
		{"packed too large", opensts.Errorf(opensts.ErrPackedPolicyTooBig, "Packed policy consumes 120%% of allotted space, please use smaller policy."), stsService, "PackedPolicyTooLarge", 400, true, "Packed policy consumes 120% of allotted space, please use smaller policy."},
		{"access denied", opensts.Errorf(opensts.ErrAccessDenied, "User: x is not authorized"), stsService, "AccessDenied", 403, true, "User: x is not authorized"},
		{"auth code", opensts.Errorf(opensts.ErrInvalidAuthCode, "Authentication code for device is not valid."), iamService, "InvalidAuthenticationCode", 403, true, "Authentication code for device is not valid."},
		{"not found", opensts.Errorf(opensts.ErrNotFound, "The user with name x cannot be found."), iamService, "NoSuchEntity", 404, true, "The user with name x cannot be found."},
		{"exists", opensts.Errorf(opensts.ErrAlreadyExists, "User with name x already exists."), iamService, "EntityAlreadyExists", 409, true, "User with name x already exists."},
		{"limit", opensts.Errorf(opensts.ErrLimitExceeded, "Cannot exceed quota for AccessKeysPerUser: 2"), iamService, "LimitExceeded", 409, true, "Cannot exceed quota for AccessKeysPerUser: 2"},
		{"delete conflict", &opensts.DeleteConflictError{Dependent: opensts.DependentAccessKeys}, iamService, "DeleteConflict", 409, true, "Cannot delete entity, it has dependents."},
		{"unmodifiable", opensts.Errorf(opensts.ErrUnmodifiable, "x"), iamService, "EntityTemporarilyUnmodifiable", 409, true, "x"},
		{"not attachable", opensts.Errorf(opensts.ErrPolicyNotAttachable, "x"), iamService, "PolicyNotAttachable", 400, true, "x"},
		{"invalid parameter", opensts.Errorf(opensts.ErrInvalidParameter, "x"), stsService, "InvalidParameterValue", 400, true, "x"},
		{"invalid input", opensts.Errorf(opensts.ErrInvalidInput, "x"), iamService, "InvalidInput", 400, true, "x"},
		{"invalid authorization message", opensts.Errorf(opensts.ErrInvalidAuthorizationMessage, "m"), stsService, "InvalidAuthorizationMessageException", 400, true, "m"},
		{"invalid identity token", opensts.Errorf(opensts.ErrInvalidIdentityToken, "Incorrect token audience"), stsService, "InvalidIdentityToken", 400, true, "Incorrect token audience"},
		{"expired identity token", opensts.Errorf(opensts.ErrIdentityTokenExpired, "Token expired: now"), stsService, "ExpiredTokenException", 400, true, "Token expired: now"},
		{"identity provider unreachable", opensts.Errorf(opensts.ErrIDPCommunication, "m"), stsService, "IDPCommunicationError", 400, true, "m"},
		{"feature enabled", opensts.Errorf(opensts.ErrFeatureEnabled, "m"), iamService, "FeatureEnabled", 409, true, "m"},
		{"feature disabled", opensts.Errorf(opensts.ErrFeatureDisabled, "m"), iamService, "FeatureDisabled", 404, true, "m"},
		{"outbound disabled", opensts.Errorf(opensts.ErrOutboundDisabled, "m"), stsService, "OutboundWebIdentityFederationDisabledException", 403, true, "m"},
		{"token outlives the session", opensts.Errorf(opensts.ErrSessionDurationEscalation, "m"), stsService, "SessionDurationEscalationException", 403, true, "m"},
		{"token payload too large", opensts.Errorf(opensts.ErrJWTPayloadTooLarge, "m"), stsService, "JWTPayloadSizeExceededException", 400, true, "m"},
		{"invalid request", opensts.Errorf(opensts.ErrInvalidRequest, "Must specify userName when calling with non-User credentials"), iamService, "ValidationError", 400, true, "Must specify userName when calling with non-User credentials"},
		{"conflict", wrap(opensts.ErrConflict), iamService, "ConcurrentModification", 409, true, ""},
		{"unavailable", wrap(opensts.ErrUnavailable), stsService, "ServiceUnavailable", 503, false, ""},
		{"busy", errBusy, stsService, "ServiceUnavailable", 503, false, "The server is busy; retry the request."},
		{"deadline", fmt.Errorf("simulate: %w", context.DeadlineExceeded), iamService, "ServiceUnavailable", 503, false, "The request was not completed in time; retry it."},
		{"client gone", fmt.Errorf("read: %w", context.Canceled), stsService, "ServiceUnavailable", 503, false, "The request was not completed in time; retry it."},
		{"internal STS", errors.New("disk on fire: /var/lib/secret"), stsService, "InternalFailure", 500, false, ""},
		{"internal IAM", errors.New("disk on fire"), iamService, "ServiceFailure", 500, false, ""},
	}
	seen := map[string]bool{}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := toWire(tc.err, tc.svc)
			if w.Code != tc.code || w.Status != tc.status || w.Sender != tc.sender {
				t.Fatalf("got %s %d sender=%v, want %s %d sender=%v", w.Code, w.Status, w.Sender, tc.code, tc.status, tc.sender)
			}
			if tc.message != "" && w.Message != tc.message {
				t.Fatalf("message %q, want %q", w.Message, tc.message)
			}
			if w.Status >= http.StatusInternalServerError && w.Message == tc.err.Error() {
				t.Fatal("an internal error's detail reached the client")
			}
		})
		seen[tc.code] = true
	}
	for _, row := range errorTable {
		if !seen[row.code] {
			t.Errorf("error table row %s is not pinned by a case", row.code)
		}
	}
}
