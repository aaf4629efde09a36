package opensts

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// HolderType is who holds the permissions a caller acts with.
type HolderType uint8

const (
	HolderRoot HolderType = iota + 1 // the account root
	HolderUser                       // an IAM user
	HolderRole                       // an IAM role, through a role session
)

// String names the holder type for messages.
func (t HolderType) String() string {
	switch t {
	case HolderRoot:
		return "root"
	case HolderUser:
		return "user"
	case HolderRole:
		return "role"
	}
	panic(fmt.Sprintf("opensts: unknown holder type %d", uint8(t)))
}

// Holder is who holds the permissions: the account root, an IAM user or an
// IAM role, as authentication found it in the store.
type Holder struct {
	Type      HolderType
	AccountID string
	// ID is the user's id (AIDA…), the role's id (AROA…) or, for the root,
	// the account id.
	ID   string
	Name string // the user's or role's name; empty for the root
	Path string
	Tags []Tag // the user's or role's tags
}

// ARN is the holder's own ARN: the root's, the user's or the role's.
func (h Holder) ARN() string {
	switch h.Type {
	case HolderRoot:
		return RootARN(h.AccountID)
	case HolderUser:
		return UserARN(h.AccountID, h.Path, h.Name)
	case HolderRole:
		return RoleARN(h.AccountID, h.Path, h.Name)
	}
	panic(fmt.Sprintf("opensts: unknown holder type %d", uint8(h.Type)))
}

// SessionKind is what kind of session a caller signs with: none (long-term
// access keys) or the STS action that issued its temporary credentials.
type SessionKind uint8

const (
	NoSession          SessionKind = iota // long-term access keys
	SessionToken                          // GetSessionToken
	SessionFederation                     // GetFederationToken
	SessionAssumedRole                    // AssumeRole
	SessionWebIdentity                    // AssumeRoleWithWebIdentity
	SessionSAML                           // AssumeRoleWithSAML
)

// String is the STS action that issues the kind of session ("" for none).
func (k SessionKind) String() string {
	switch k {
	case NoSession:
		return ""
	case SessionToken:
		return "GetSessionToken"
	case SessionFederation:
		return "GetFederationToken"
	case SessionAssumedRole:
		return "AssumeRole"
	case SessionWebIdentity:
		return "AssumeRoleWithWebIdentity"
	case SessionSAML:
		return "AssumeRoleWithSAML"
	}
	panic(fmt.Sprintf("opensts: unknown session kind %d", uint8(k)))
}

// RoleSession reports whether the kind is a session of an IAM role.
func (k SessionKind) RoleSession() bool {
	return k == SessionAssumedRole || k == SessionWebIdentity || k == SessionSAML
}

// Session is what a sealed session token carries beyond the holder: enough
// to authorize a request signed with it without any per-session state.
type Session struct {
	Kind SessionKind
	// Name is GetFederationToken's Name or the role session name.
	Name string
	// SourceAccessKeyID is the long-term key that requested the session
	// (directly or through a chain of sessions); the session stops working
	// when that key is deleted or deactivated. Empty for sessions that no
	// long-term key requested (web identity, SAML).
	SourceAccessKeyID string
	IssuedAt          time.Time
	ExpiresAt         time.Time
	// MFAAuthenticatedAt is when MFA was proven, zero when it was not.
	MFAAuthenticatedAt time.Time
	// Policy and PolicyARNs are the session policies; Tags the session tags,
	// of which TransitiveTagKeys pass on to role sessions chained from this
	// one.
	Policy            string
	PolicyARNs        []string
	Tags              []Tag
	TransitiveTagKeys []string
	// SourceIdentity is AssumeRole's SourceIdentity, kept through chaining.
	SourceIdentity string
	// Provider is, for web identity and SAML sessions, the identity
	// provider that vouched for the caller; nil for every other kind.
	Provider *FederatedProvider
}

// FederatedProvider is who an identity provider vouched for in a web
// identity or SAML session, as its later requests present it to policies
// (roles-spec §3.5, §4.6).
type FederatedProvider struct {
	// ARN is the IAM OIDC or SAML provider's ARN (aws:FederatedProvider).
	ARN string
	// KeyPrefix is the prefix of the provider's condition keys: an OIDC
	// provider's URL without https:// (<host/path>:sub, :aud), or "saml".
	KeyPrefix string
	// Subject is the token's sub or the assertion's NameID; Audience the
	// client id that matched (OIDC); SubjectType the NameID's format and
	// NameQualifier the provider's (SAML).
	Subject, Audience          string
	SubjectType, NameQualifier string
}

// SAMLKeyPrefix is the KeyPrefix of SAML sessions.
const SAMLKeyPrefix = "saml"

// ConditionKeys returns the provider's request-context keys in the
// session's requests: aws:FederatedProvider, and <prefix>:sub and :aud for
// an OIDC provider, saml:sub, saml:sub_type and saml:namequalifier for a
// SAML provider (the SAML keys that outlive the trust policy).
func (f *FederatedProvider) ConditionKeys() map[string][]string {
	if f.KeyPrefix == SAMLKeyPrefix {
		return map[string][]string{
			"aws:FederatedProvider": {f.ARN},
			"saml:sub":              {f.Subject},
			"saml:sub_type":         {f.SubjectType},
			"saml:namequalifier":    {f.NameQualifier},
		}
	}
	return map[string][]string{
		"aws:FederatedProvider": {f.ARN},
		f.KeyPrefix + ":sub":    {f.Subject},
		f.KeyPrefix + ":aud":    {f.Audience},
	}
}

// MFA reports whether the session was created with MFA.
func (s *Session) MFA() bool { return s != nil && !s.MFAAuthenticatedAt.IsZero() }

// Principal is who signed a request: a holder of permissions (the account
// root, an IAM user, an IAM role) × the kind of session it signed with.
// Everything derived from the pair — ARN, user id, aws:PrincipalType,
// CloudTrail identity type, throttle key, MFA facts — is a method here, so
// adding a kind changes these switches and nothing else; each fails loudly
// on a kind it does not know.
type Principal struct {
	Holder
	// AccessKeyID is the key that signed the request (AKIA… or ASIA…).
	AccessKeyID string
	// Session is nil for long-term credentials.
	Session *Session
}

// SessionKind is the principal's kind of session (NoSession for long-term
// keys).
func (p *Principal) SessionKind() SessionKind {
	if p.Session == nil {
		return NoSession
	}
	return p.Session.Kind
}

// ARN is the caller's ARN as GetCallerIdentity returns it: the holder's for
// long-term keys and GetSessionToken sessions, the federated user's or the
// assumed-role session's otherwise.
func (p *Principal) ARN() string {
	switch k := p.SessionKind(); {
	case k == NoSession || k == SessionToken:
		return p.Holder.ARN()
	case k == SessionFederation:
		return FederatedUserARN(p.AccountID, p.Session.Name)
	case k.RoleSession():
		return AssumedRoleARN(p.AccountID, p.Name, p.Session.Name)
	default:
		panic(fmt.Sprintf("opensts: unknown session kind %d", uint8(k)))
	}
}

// PrincipalARN is aws:PrincipalArn, and the subject of the caller's web
// identity tokens: the caller's ARN, but for a role session the role's,
// not the session's.
func (p *Principal) PrincipalARN() string {
	if p.SessionKind().RoleSession() {
		return p.Holder.ARN()
	}
	return p.ARN()
}

// PrincipalTags are the caller's aws:PrincipalTag values: its user's or
// role's tags, overridden by its session's (keys compare without case),
// in no particular order.
func (p *Principal) PrincipalTags() []Tag {
	byKey := make(map[string]Tag, len(p.Tags))
	for _, t := range p.Tags {
		byKey[strings.ToLower(t.Key)] = t
	}
	if p.Session != nil {
		for _, t := range p.Session.Tags {
			byKey[strings.ToLower(t.Key)] = t
		}
	}
	out := make([]Tag, 0, len(byKey))
	for _, t := range byKey {
		out = append(out, t)
	}
	return out
}

// UserID is GetCallerIdentity's UserId (aws:userid): the account id for the
// root, the user id for IAM users, <account>:<name> for federated users and
// <role id>:<session name> for role sessions.
func (p *Principal) UserID() string {
	switch k := p.SessionKind(); {
	case k == NoSession || k == SessionToken:
		return p.ID
	case k == SessionFederation:
		return p.AccountID + ":" + p.Session.Name
	case k.RoleSession():
		return p.ID + ":" + p.Session.Name
	default:
		panic(fmt.Sprintf("opensts: unknown session kind %d", uint8(k)))
	}
}

// PrincipalType is aws:PrincipalType: Account, User, FederatedUser or
// AssumedRole.
func (p *Principal) PrincipalType() string {
	switch k := p.SessionKind(); {
	case k == SessionFederation:
		return "FederatedUser"
	case k.RoleSession():
		return "AssumedRole"
	case k == NoSession || k == SessionToken:
		if p.Type == HolderRoot {
			return "Account"
		}
		return "User"
	default:
		panic(fmt.Sprintf("opensts: unknown session kind %d", uint8(k)))
	}
}

// IdentityType is CloudTrail's userIdentity.type for requests signed by the
// principal: Root, IAMUser, FederatedUser or AssumedRole.
func (p *Principal) IdentityType() string {
	switch p.PrincipalType() {
	case "Account":
		return "Root"
	case "User":
		return "IAMUser"
	case "FederatedUser":
		return "FederatedUser"
	default:
		return "AssumedRole"
	}
}

// ThrottleKey is what the caller's request rate is limited by: the
// long-term key behind its session, so minting sessions does not multiply a
// caller's rate; for role sessions no long-term key requested, the role.
func (p *Principal) ThrottleKey() string {
	switch {
	case p.Session == nil:
		return p.AccessKeyID
	case p.Session.SourceAccessKeyID != "":
		return p.Session.SourceAccessKeyID
	default:
		return "role:" + p.ID
	}
}

// MFA reports whether the caller proved MFA (aws:MultiFactorAuthPresent):
// only sessions created with a code can.
func (p *Principal) MFA() bool { return p.Session.MFA() }

// IsRoot reports whether the principal acts with the account root's
// unrestricted authority: root keys, or a root GetSessionToken session
// (the root's federated users are limited by their session policy).
func (p *Principal) IsRoot() bool {
	k := p.SessionKind()
	return p.Type == HolderRoot && (k == NoSession || k == SessionToken)
}

// Temporary reports whether the caller signed with session credentials.
func (p *Principal) Temporary() bool { return p.Session != nil }

// SessionPolicies reports whether the session's permissions are limited to
// its session policies (federated users and role sessions): without one,
// a federated user has none; a role session has the role's.
func (p *Principal) SessionPolicies() bool {
	k := p.SessionKind()
	return k == SessionFederation || k.RoleSession()
}

// Authorizer decides whether a principal may perform an action on a
// resource. extra adds request-context keys beyond the principal's and the
// request's own (e.g. aws:RequestTag/<key> and aws:TagKeys for
// sts:TagSession). It returns nil when allowed, and an *Error of kind
// ErrAccessDenied, with AWS's message naming the principal, action and
// resource, when not.
type Authorizer interface {
	Authorize(ctx context.Context, p *Principal, action, resource string, extra map[string][]string) error
}
