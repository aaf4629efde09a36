package opensts

import (
	"context"
	"time"
)

// PrincipalType is the aws:PrincipalType of a caller (spec §3.6).
type PrincipalType string

const (
	PrincipalRoot      PrincipalType = "Account"
	PrincipalUser      PrincipalType = "User"
	PrincipalFederated PrincipalType = "FederatedUser"
)

// SessionKind says which STS action issued a set of temporary credentials.
type SessionKind string

const (
	SessionToken      SessionKind = "GetSessionToken"
	SessionFederation SessionKind = "GetFederationToken"
)

// Session is what a sealed session token carries beyond the identity: enough
// to authorize a request signed with it without any per-session state.
type Session struct {
	Kind SessionKind
	// SourceAccessKeyID is the long-term key that requested the session; the
	// session stops working when that key is deleted or deactivated.
	SourceAccessKeyID string
	IssuedAt          time.Time
	ExpiresAt         time.Time
	// MFAAuthenticatedAt is when MFA was proven, zero when it was not.
	MFAAuthenticatedAt time.Time
	// Policy, PolicyARNs and Tags are GetFederationToken's session policy
	// inputs.
	Policy     string
	PolicyARNs []string
	Tags       []Tag
}

// MFA reports whether the session was created with MFA.
func (s *Session) MFA() bool { return s != nil && !s.MFAAuthenticatedAt.IsZero() }

// Principal is who signed a request: the account root, an IAM user (with
// long-term keys or a GetSessionToken session) or a federated user.
type Principal struct {
	Type      PrincipalType
	AccountID string
	// UserID is the IAM user's id (AIDA…); for the root it is the account id.
	// A federated user keeps the id of the IAM user (or root) who federated.
	UserID   string
	UserName string // IAM user name; empty for the root
	UserPath string
	// FederatedName is the Name passed to GetFederationToken.
	FederatedName string
	// AccessKeyID is the key that signed the request (AKIA… or ASIA…).
	AccessKeyID string
	// Session is nil for long-term credentials.
	Session *Session
	// Tags are the IAM user's tags (session tags are in Session.Tags).
	Tags []Tag
}

// ARN is the caller's ARN as GetCallerIdentity returns it.
func (p *Principal) ARN() string {
	switch p.Type {
	case PrincipalRoot:
		return RootARN(p.AccountID)
	case PrincipalFederated:
		return FederatedUserARN(p.AccountID, p.FederatedName)
	default:
		return UserARN(p.AccountID, p.UserPath, p.UserName)
	}
}

// CallerUserID is GetCallerIdentity's UserId (aws:userid): the account id for
// the root, the user id for IAM users, <account>:<name> for federated users.
func (p *Principal) CallerUserID() string {
	switch p.Type {
	case PrincipalRoot:
		return p.AccountID
	case PrincipalFederated:
		return p.AccountID + ":" + p.FederatedName
	default:
		return p.UserID
	}
}

// IsRoot reports whether the principal acts with the account root's authority
// (root keys, or a root GetSessionToken session).
func (p *Principal) IsRoot() bool { return p.Type == PrincipalRoot }

// Temporary reports whether the caller signed with session credentials.
func (p *Principal) Temporary() bool { return p.Session != nil }

// Authorizer decides whether a principal may perform an action on a
// resource. extra adds request-context keys beyond the principal's and the
// request's own (e.g. aws:RequestTag/<key> and aws:TagKeys for
// sts:TagSession). It returns nil when allowed, and an *Error of kind
// ErrAccessDenied, with AWS's message naming the principal, action and
// resource, when not.
type Authorizer interface {
	Authorize(ctx context.Context, p *Principal, action, resource string, extra map[string][]string) error
}
