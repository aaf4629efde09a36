package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/policy"
	"github.com/opensts/opensts/sigv4"
)

// Protocol-level errors the edge raises itself.
var (
	errMalformedQuery = errors.New("malformed query string")
	errMissingAction  = errors.New("missing action")
	errBodyTooLarge   = errors.New("request body too large")
	errMethod         = errors.New("method not allowed")
	errBusy           = errors.New("too many requests in progress")
)

// malformedInputError is AWS's MalformedInput: a member that does not decode
// (spec §1.3).
type malformedInputError struct{ msg string }

func (e *malformedInputError) Error() string { return e.msg }

// invalidActionError is AWS's InvalidAction for an unknown action or version.
type invalidActionError struct{ action, version string }

func (e *invalidActionError) Error() string {
	return "Could not find operation " + e.action + " for version " + e.version
}

// Namespaces of the error envelope.
const (
	nsSTS   = "https://sts.amazonaws.com/doc/2011-06-15/"
	nsIAM   = "https://iam.amazonaws.com/doc/2010-05-08/"
	nsFault = "http://webservices.amazon.com/AWSFault/2005-15-09"
)

// wireError is what one error looks like on the wire.
type wireError struct {
	Code    string
	Status  int
	Sender  bool // Type Sender (client fault) or Receiver (server fault)
	Message string
	// Namespace overrides the service namespace (InvalidAction uses AWSFault).
	Namespace string
}

// errorRule maps one kind of error to its AWS code. message returns the
// client-visible text; it sees the error and the service that failed.
type errorRule struct {
	match   func(error) bool
	code    string
	status  int
	sender  bool
	message func(err error, svc *service) string
}

func is(target error) func(error) bool { return func(err error) bool { return errors.Is(err, target) } }

func as[T error]() func(error) bool {
	return func(err error) bool { var t T; return errors.As(err, &t) }
}

// fixed returns a message rule that ignores the error.
func fixed(msg string) func(error, *service) string {
	return func(error, *service) string { return msg }
}

// domainMessage uses the client-safe message of an *opensts.Error or a typed
// protocol error, falling back to def.
func domainMessage(def string) func(error, *service) string {
	return func(err error, _ *service) string {
		var de *opensts.Error
		if errors.As(err, &de) && de.Message != "" {
			return de.Message
		}
		return def
	}
}

// errorTable is the one place where errors become AWS codes, statuses and
// messages (STYLE.md §3). The first matching row wins, so specific rows come
// before general ones. Codes, statuses and messages are from
// shared/spec/sts-spec.md §1.5, §2 and §6.2; api_errors_test pins every row.
var errorTable = []errorRule{
	{is(sigv4.ErrMissingAuthentication), "MissingAuthenticationToken", http.StatusForbidden, true,
		fixed("Request is missing Authentication Token")},
	{as[*sigv4.IncompleteError](), "IncompleteSignature", http.StatusBadRequest, true,
		func(err error, _ *service) string { var e *sigv4.IncompleteError; errors.As(err, &e); return e.Message }},
	{as[*sigv4.MismatchError](), "SignatureDoesNotMatch", http.StatusForbidden, true,
		func(err error, _ *service) string { var e *sigv4.MismatchError; errors.As(err, &e); return e.Message }},
	{is(sigv4.ErrSignatureMismatch), "SignatureDoesNotMatch", http.StatusForbidden, true,
		fixed("The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")},
	{is(opensts.ErrInvalidClientToken), "InvalidClientTokenId", http.StatusForbidden, true,
		func(_ error, svc *service) string {
			// STS ends the sentence with a period, IAM does not (spec §1.5).
			if svc == iamService {
				return "The security token included in the request is invalid"
			}
			return "The security token included in the request is invalid."
		}},
	{is(opensts.ErrExpiredToken), "ExpiredToken", http.StatusForbidden, true,
		fixed("The security token included in the request is expired")},
	{is(opensts.ErrThrottled), "Throttling", http.StatusBadRequest, true, fixed("Rate exceeded")},
	{is(errMalformedQuery), "MalformedQueryString", http.StatusNotFound, true,
		fixed("The query string contains a syntax error.")},
	{is(errMissingAction), "MissingAction", http.StatusBadRequest, true,
		fixed("The request is missing an action or a required parameter.")},
	{is(errBodyTooLarge), "RequestEntityTooLarge", http.StatusRequestEntityTooLarge, true,
		fixed("Request body is too large.")},
	{is(errMethod), "InvalidHttpRequest", http.StatusMethodNotAllowed, true,
		fixed("The Query API accepts GET and POST requests only.")},
	{as[*invalidActionError](), "InvalidAction", http.StatusBadRequest, true,
		func(err error, _ *service) string { return err.Error() }},
	{as[*malformedInputError](), "MalformedInput", http.StatusBadRequest, true,
		func(err error, _ *service) string { var e *malformedInputError; errors.As(err, &e); return e.msg }},
	{as[*opensts.ValidationError](), "ValidationError", http.StatusBadRequest, true,
		func(err error, _ *service) string {
			var e *opensts.ValidationError
			errors.As(err, &e)
			return e.Error()
		}},
	{is(opensts.ErrInvalidAuthorizationMessage), "InvalidAuthorizationMessageException", http.StatusBadRequest, true,
		domainMessage("The encoded authorization message is not valid.")},
	{is(opensts.ErrInvalidIdentityToken), "InvalidIdentityToken", http.StatusBadRequest, true,
		domainMessage("The web identity token that was passed could not be validated by AWS. Get a new identity token from the identity provider and then retry the request.")},
	{is(opensts.ErrIdentityTokenExpired), "ExpiredTokenException", http.StatusBadRequest, true,
		domainMessage("The web identity token that was passed is expired or is not valid. Get a new identity token from the identity provider and then retry the request.")},
	{is(opensts.ErrIDPCommunication), "IDPCommunicationError", http.StatusBadRequest, true,
		domainMessage("The request could not be fulfilled because the identity provider (IDP) that was asked to verify the incoming identity token could not be reached. This is often a transient error caused by network conditions. Retry the request a limited number of times and wait between attempts to be sure that you have not exceeded the service limit.")},
	{is(opensts.ErrFeatureEnabled), "FeatureEnabled", http.StatusConflict, true, domainMessage("The feature is already enabled.")},
	{is(opensts.ErrFeatureDisabled), "FeatureDisabled", http.StatusNotFound, true, domainMessage("The feature is disabled.")},
	{is(opensts.ErrOutboundDisabled), "OutboundWebIdentityFederationDisabledException", http.StatusForbidden, true,
		domainMessage("Outbound web identity federation is disabled for this account.")},
	{is(opensts.ErrSessionDurationEscalation), "SessionDurationEscalationException", http.StatusForbidden, true,
		domainMessage("The requested token duration would extend the session beyond its original expiration time.")},
	{is(opensts.ErrJWTPayloadTooLarge), "JWTPayloadSizeExceededException", http.StatusBadRequest, true,
		domainMessage("The requested token payload size exceeds the maximum allowed size.")},
	{is(opensts.ErrInvalidRequest), "ValidationError", http.StatusBadRequest, true, domainMessage("The request is not valid.")},
	{as[*policy.SyntaxError](), "MalformedPolicyDocument", http.StatusBadRequest, true,
		func(err error, _ *service) string { var e *policy.SyntaxError; errors.As(err, &e); return e.Message }},
	{is(opensts.ErrMalformedPolicy), "MalformedPolicyDocument", http.StatusBadRequest, true,
		domainMessage("Syntax errors in policy.")},
	{is(opensts.ErrPackedPolicyTooBig), "PackedPolicyTooLarge", http.StatusBadRequest, true,
		domainMessage("Packed policy consumes more than 100% of allotted space")},
	{is(opensts.ErrAccessDenied), "AccessDenied", http.StatusForbidden, true, domainMessage("Access denied")},
	{is(opensts.ErrInvalidAuthCode), "InvalidAuthenticationCode", http.StatusForbidden, true,
		domainMessage("Authentication code for device is not valid.")},
	{is(opensts.ErrNotFound), "NoSuchEntity", http.StatusNotFound, true,
		domainMessage("The requested entity cannot be found.")},
	{is(opensts.ErrAlreadyExists), "EntityAlreadyExists", http.StatusConflict, true,
		domainMessage("The entity already exists.")},
	{is(opensts.ErrLimitExceeded), "LimitExceeded", http.StatusConflict, true,
		domainMessage("Limit exceeded.")},
	{is(opensts.ErrDeleteConflict), "DeleteConflict", http.StatusConflict, true,
		domainMessage("Cannot delete entity, it has dependents.")},
	{is(opensts.ErrUnmodifiable), "EntityTemporarilyUnmodifiable", http.StatusConflict, true,
		domainMessage("The entity is temporarily unmodifiable.")},
	{is(opensts.ErrPolicyNotAttachable), "PolicyNotAttachable", http.StatusBadRequest, true,
		domainMessage("The policy is not attachable.")},
	{is(opensts.ErrInvalidParameter), "InvalidParameterValue", http.StatusBadRequest, true,
		domainMessage("An invalid or out-of-range value was supplied for the input parameter.")},
	{is(opensts.ErrInvalidInput), "InvalidInput", http.StatusBadRequest, true, domainMessage("Invalid input.")},
	{is(opensts.ErrConflict), "ConcurrentModification", http.StatusConflict, true,
		fixed("The request was rejected because multiple requests to change this object were submitted simultaneously. Wait a few minutes and submit your request again.")},
	{is(errBusy), "ServiceUnavailable", http.StatusServiceUnavailable, false,
		fixed("The server is busy; retry the request.")},
	{is(opensts.ErrUnavailable), "ServiceUnavailable", http.StatusServiceUnavailable, false,
		fixed("The request has failed due to a temporary failure of the server.")},
	// The request's deadline (the server's write timeout) passed, or its
	// client went away: whatever it was doing was abandoned.
	{func(err error) bool {
		return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)
	},
		"ServiceUnavailable", http.StatusServiceUnavailable, false,
		fixed("The request was not completed in time; retry it.")},
}

// toWire classifies err. Anything unmatched is an internal failure whose
// detail is logged, never sent: InternalFailure for STS, ServiceFailure for IAM.
func toWire(err error, svc *service) wireError {
	for _, row := range errorTable {
		if row.match(err) {
			w := wireError{Code: row.code, Status: row.status, Sender: row.sender, Message: row.message(err, svc)}
			if row.code == "InvalidAction" {
				w.Namespace = nsFault
			}
			return w
		}
	}
	code := "InternalFailure"
	if svc == iamService {
		code = "ServiceFailure"
	}
	return wireError{Code: code, Status: http.StatusInternalServerError,
		Message: "The request processing has failed because of an unknown error, exception or failure."}
}
