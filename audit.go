package opensts

import (
	"context"
	"time"
)

// Event is one audited request, shaped like a CloudTrail record: every
// credential issued or refused and every IAM mutation produces one. It never
// holds a secret, session token, MFA code or seed.
type Event struct {
	Time      time.Time
	Source    string // "sts.amazonaws.com" or "iam.amazonaws.com"
	Name      string // the action, e.g. "GetSessionToken"
	RequestID string
	EventID   string
	Region    string
	Identity  EventIdentity
	SourceIP  string
	UserAgent string
	// RequestParameters and ResponseElements use the API's lowerCamel member
	// names, as CloudTrail does.
	RequestParameters map[string]any
	ResponseElements  map[string]any
	// RequestObject and ResponseObject, when set, take the place of
	// RequestParameters and ResponseElements: payloads that write
	// themselves into the record without a map being built for every
	// request. The auditor uses them only during Record.
	RequestObject  AuditObject
	ResponseObject AuditObject
	ErrorCode      string
	ErrorMessage   string
}

// AuditObject is an audit payload that appends itself to a record as one
// JSON object, with lowerCamel member names. secret reports the member
// names that must never be written: AppendJSON leaves those members out,
// at any depth, and returns the first name it left out ("" when none),
// for the auditor to warn about.
type AuditObject interface {
	AppendJSON(b []byte, secret func(name string) bool) (out []byte, dropped string)
}

// EventIdentity is CloudTrail's userIdentity.
type EventIdentity struct {
	Type        string
	PrincipalID string
	ARN         string
	AccountID   string
	AccessKeyID string
	UserName    string
	// IdentityProvider is, for a web identity caller, the provider that
	// vouched for it.
	IdentityProvider string
}

// Auditor records audit events. Implementations must not block the request
// path for long and must never drop an event silently.
type Auditor interface {
	Record(ctx context.Context, e Event)
}

// NopAuditor discards events.
type NopAuditor struct{}

// Record does nothing.
func (NopAuditor) Record(context.Context, Event) {}
