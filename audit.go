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
	ErrorCode         string
	ErrorMessage      string
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
