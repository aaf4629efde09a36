package sigv4

import (
	"errors"
	"strings"
)

// Wire messages with AWS's exact text (shared/spec/sts-spec.md §1.5).
const (
	// MsgMissingAuthentication is the message of MissingAuthenticationToken.
	MsgMissingAuthentication = "Request is missing Authentication Token"
	// MsgSignatureMismatch is the message of a plain SignatureDoesNotMatch.
	MsgSignatureMismatch = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
)

var (
	// ErrMissingAuthentication reports a request with no SigV4 authentication
	// at all: no Authorization header (or one that does not start with
	// "AWS4-") and no X-Amz-Algorithm or X-Amz-Credential query parameter.
	ErrMissingAuthentication = errors.New("sigv4: missing authentication")

	// ErrSignatureMismatch reports that the signature is not the one the
	// secret produces for this request, or that the request's declared
	// payload hash does not match its body.
	ErrSignatureMismatch = errors.New("sigv4: signature does not match")
)

// IncompleteError reports malformed authentication information
// (IncompleteSignature, HTTP 400). Message is AWS's text for the wire. Some of
// AWS's messages echo the Authorization header; that value carries the access
// key id and a MAC but no secret. Error() leaves the echo out, so logging the
// error chain never logs the header.
type IncompleteError struct {
	Message string
}

func (e *IncompleteError) Error() string {
	msg := e.Message
	i, j := strings.Index(msg, echoHeader), strings.Index(msg, echoHeaderQuoted)
	switch {
	case j >= 0 && (i < 0 || j < i):
		msg = msg[:j] + " in Authorization header"
	case i >= 0:
		msg = msg[:i+len(echoHeader)] + "<redacted>"
	}
	return "sigv4: incomplete signature: " + msg
}

// The two ways AWS's messages echo the Authorization header.
const (
	echoHeader       = "Authorization="
	echoHeaderQuoted = " in Authorization header: '"
)

// MismatchError is a SignatureDoesNotMatch (HTTP 403) with a specific AWS
// message: credential scope, clock skew, unsigned host. errors.Is(err,
// ErrSignatureMismatch) is true for it.
type MismatchError struct {
	Message string
}

func (e *MismatchError) Error() string {
	return "sigv4: signature does not match: " + e.Message
}

// Is reports whether target is ErrSignatureMismatch.
func (e *MismatchError) Is(target error) bool {
	return target == ErrSignatureMismatch
}

func incomplete(msg string) error {
	return &IncompleteError{Message: msg}
}

func mismatch(msg string) error {
	return &MismatchError{Message: msg}
}

// AWS's message texts. Trailing spaces are part of AWS's text: several
// messages are concatenated into one.
const (
	msgRequiresDate   = "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
	msgQueryReexamine = "Re-examine the query-string parameters."
	msgFoundBoth      = "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header."
	msgHostUnsigned   = "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
	msgBadRegion      = "Credential should be scoped to a valid region. "

	msgExpiresNotInt   = "X-Amz-Expires should be a number"
	msgExpiresNegative = "X-Amz-Expires must be non-negative"
	msgExpiresTooLarge = "X-Amz-Expires must be less than a week (in seconds) that is 604800"

	// OpenSTS's own bounds; AWS publishes no text for these.
	msgAuthTooLong   = "Authorization header exceeds 8192 bytes."
	msgTooManySigned = "SignedHeaders lists more than 64 headers."
	msgQueryTooLong  = "Query string exceeds 262144 bytes or 1000 parameters."
)

func msgRequiresParam(name string) string {
	return "Authorization header requires '" + name + "' parameter. "
}

func msgQueryMustHave(name string) string {
	return "AWS query-string parameters must include '" + name + "'. "
}

func msgBadRegionNot(region string) string {
	return "Credential should be scoped to a valid region, not '" + region + "'. "
}

func msgBadService(service string) string {
	return "Credential should be scoped to correct service: '" + service + "'. "
}

func msgBadTerminator(term string) string {
	return "Credential should be scoped with a valid terminator: 'aws4_request', not '" + term + "'. "
}

func msgBadScopeDate(scopeDate, requestDate, amzDate string) string {
	return "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '" +
		scopeDate + "' != '" + requestDate + "', from '" + amzDate + "'."
}

func msgExpired(req, limit, now string) string {
	return "Signature expired: " + req + " is now earlier than " + limit + " (" + now + " - 15 min.)"
}

func msgNotYetCurrent(req, limit, now string) string {
	return "Signature not yet current: " + req + " is still later than " + limit + " (" + now + " + 15 min.)"
}

func msgBadDate(value string) string {
	return "Date must be in ISO-8601 'basic format'. Got '" + value + "'. See http://en.wikipedia.org/wiki/ISO_8601"
}

func msgBadAlgorithm(alg string) string {
	return "Unsupported AWS 'algorithm': '" + alg + "' (only AWS4-HMAC-SHA256 for now). "
}

func msgBadCredential(cred string) string {
	return "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '" + cred + "'"
}

// missingEqual is AWS's message for a component without "=".
func missingEqual(token, header string) error {
	return incomplete("'" + token + "' not a valid key=value pair (missing equal-sign)" + echoHeaderQuoted + header + "'.")
}

// missingParams is AWS's concatenated message for missing Authorization
// components, which ends with the whole header.
func missingParams(msg, header string) error {
	return incomplete(msg + echoHeader + header)
}

func msgHeaderTooLong(name string) string {
	return "Value of signed header '" + name + "' exceeds 8192 bytes."
}

func msgQueryBadEscape(esc string) string {
	return "Illegal hex character in escape % pattern: " + esc
}
