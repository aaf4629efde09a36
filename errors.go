package opensts

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel kinds. Storage adapters return the first three; domain packages wrap
// every kind in an *Error carrying a client-safe message, and package api maps
// each kind to one AWS error code in one table.
var (
	ErrNotFound      = errors.New("not found")
	ErrAlreadyExists = errors.New("already exists")
	ErrConflict      = errors.New("concurrent modification")

	ErrLimitExceeded    = errors.New("limit exceeded")
	ErrDeleteConflict   = errors.New("delete conflict")
	ErrInvalidInput     = errors.New("invalid input")
	ErrInvalidParameter = errors.New("invalid parameter value")
	// ErrInvalidRequest is a request AWS refuses as a ValidationError with
	// a message of its own rather than a member constraint (e.g. "Must
	// specify userName when calling with non-User credentials").
	ErrInvalidRequest      = errors.New("invalid request")
	ErrAccessDenied        = errors.New("access denied")
	ErrMalformedPolicy     = errors.New("malformed policy document")
	ErrPackedPolicyTooBig  = errors.New("packed policy too large")
	ErrInvalidAuthCode     = errors.New("invalid authentication code")
	ErrUnmodifiable        = errors.New("entity temporarily unmodifiable")
	ErrPolicyNotAttachable = errors.New("policy not attachable")
	ErrInvalidClientToken  = errors.New("invalid client token")
	ErrExpiredToken        = errors.New("expired token")
	ErrThrottled           = errors.New("throttled")
	ErrUnavailable         = errors.New("service unavailable")
	// ErrInvalidAuthorizationMessage: DecodeAuthorizationMessage was given
	// a message OpenSTS did not encode, or that has expired.
	ErrInvalidAuthorizationMessage = errors.New("invalid authorization message")
	// ErrInvalidIdentityToken: a web identity token (or SAML assertion)
	// that OpenSTS could not validate; ErrIdentityTokenExpired one whose
	// validity has passed; ErrIDPCommunication an identity provider that
	// could not be reached (roles-spec §3.8). Clients retry the last.
	ErrInvalidIdentityToken = errors.New("invalid identity token")
	ErrIdentityTokenExpired = errors.New("identity token expired")
	ErrIDPCommunication     = errors.New("identity provider communication error")
	// ErrFeatureEnabled and ErrFeatureDisabled: an IAM account feature
	// (outbound web identity federation) switched on or off again;
	// ErrOutboundDisabled: GetWebIdentityToken while it is off;
	// ErrSessionDurationEscalation: a web identity token that would
	// outlive the caller's session; ErrJWTPayloadTooLarge: one whose
	// claims exceed the payload bound (roles-spec §6.4).
	ErrFeatureEnabled            = errors.New("feature enabled")
	ErrFeatureDisabled           = errors.New("feature disabled")
	ErrOutboundDisabled          = errors.New("outbound web identity federation disabled")
	ErrSessionDurationEscalation = errors.New("session duration escalation")
	ErrJWTPayloadTooLarge        = errors.New("JWT payload too large")
)

// Error is a domain error whose Message is safe to show to the caller. Kind is
// one of the sentinels above; Err, when set, is the internal cause, which is
// logged but never sent to the client.
type Error struct {
	Kind    error
	Message string
	Err     error
}

// Errorf returns an *Error of the given kind with a formatted client-safe message.
func Errorf(kind error, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

// Unwrap exposes both the kind and the cause to errors.Is and errors.As.
func (e *Error) Unwrap() []error {
	if e.Err != nil {
		return []error{e.Kind, e.Err}
	}
	return []error{e.Kind}
}

// Dependent names what still hangs off an entity that a caller tried to delete.
type Dependent string

const (
	DependentAccessKeys       Dependent = "access keys"
	DependentMFADevices       Dependent = "MFA devices"
	DependentInlinePolicies   Dependent = "inline policies"
	DependentAttachedPolicies Dependent = "attached policies"
	DependentGroups           Dependent = "group memberships"
	DependentMembers          Dependent = "group members"
	DependentAttachments      Dependent = "policy attachments"
	DependentVersions         Dependent = "policy versions"
)

// DeleteConflictError is returned by a store when an entity cannot be deleted
// because dependents remain. It matches ErrDeleteConflict under errors.Is.
type DeleteConflictError struct {
	Dependent Dependent
}

func (e *DeleteConflictError) Error() string {
	return "delete conflict: " + string(e.Dependent) + " remain"
}

func (e *DeleteConflictError) Is(target error) bool { return target == ErrDeleteConflict }

// FieldError is one failed constraint on one input member.
type FieldError struct {
	// Field is the lowerCamel model member path, e.g. "durationSeconds" or
	// "tags.1.member.key".
	Field string
	// Value is the offending value; nil renders AWS's "Value null".
	Value *string
	// Sensitive leaves the value out ("Value at 'webIdentityToken' …"),
	// as AWS does for members its model marks sensitive.
	Sensitive bool
	// Constraint completes "Member must ...", e.g. "not be null" or
	// "have length less than or equal to 32".
	Constraint string
}

// ValidationError collects every constraint failure of one request. Its Error
// text is AWS's ValidationError message, byte for byte (spec §2.8):
// "1 validation error detected: Value '…' at 'name' failed to satisfy
// constraint: Member must …", items joined by "; ".
type ValidationError struct {
	Fields []FieldError
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	n := len(e.Fields)
	if n == 1 {
		b.WriteString("1 validation error detected: ")
	} else {
		fmt.Fprintf(&b, "%d validation errors detected: ", n)
	}
	for i, f := range e.Fields {
		if i > 0 {
			b.WriteString("; ")
		}
		switch {
		case f.Sensitive && f.Value != nil:
			b.WriteString("Value")
		case f.Value == nil:
			b.WriteString("Value null")
		default:
			b.WriteString("Value '")
			b.WriteString(*f.Value)
			b.WriteString("'")
		}
		b.WriteString(" at '")
		b.WriteString(f.Field)
		b.WriteString("' failed to satisfy constraint: Member must ")
		b.WriteString(f.Constraint)
	}
	return b.String()
}

// Add appends a failure; value nil means the member was absent.
func (e *ValidationError) Add(field string, value *string, constraint string) {
	e.Fields = append(e.Fields, FieldError{Field: field, Value: value, Constraint: constraint})
}

// Err returns e when it holds failures, else nil, so callers can write
// `return v.Err()` after collecting.
func (e *ValidationError) Err() error {
	if len(e.Fields) == 0 {
		return nil
	}
	failed := *e // a copy escapes, so the collector can live on the stack
	return &failed
}

// SessionCredentialsError is AWS's refusal of session credentials for
// actions that need long-term keys, such as GetSessionToken and
// GetFederationToken (spec §2.2, §2.3).
func SessionCredentialsError(action string) error {
	return Errorf(ErrAccessDenied, "Cannot call %s with session credentials", action)
}
