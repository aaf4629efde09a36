package opensts

import (
	"context"
	"time"
)

// ListOptions pages through a listing. Marker is the opaque value a previous
// page returned (empty for the first page); MaxItems 0 means 100.
type ListOptions struct {
	PathPrefix string
	Marker     string
	MaxItems   int
}

// Limit returns MaxItems with the IAM default of 100 applied.
func (o ListOptions) Limit() int {
	if o.MaxItems <= 0 {
		return 100
	}
	return o.MaxItems
}

// Page is one page of a listing. Marker is empty on the last page; otherwise
// IAM's IsTruncated is true and Marker fetches the next page.
type Page[T any] struct {
	Items  []T
	Marker string
}

// Store is everything OpenSTS persists. Sessions are not stored: session
// tokens are sealed and stateless (DESIGN.md decision 1). Every
// implementation passes storetest.Run.
//
// Errors: ErrNotFound for a missing entity, ErrAlreadyExists for a unique
// violation (names compare case-insensitively), ErrLimitExceeded when a
// quota passed in would be exceeded, *DeleteConflictError when dependents
// remain; all tested with errors.Is. Updater functions run inside the
// store's transaction with the current value; returning an error aborts
// without writing. An updater may run more than once (PostgreSQL retries a
// transaction that lost a serialization race), so it must not have effects
// beyond the value it is given. Times are returned in UTC.
type Store interface {
	Accounts
	Users
	Roles
	OIDCProviders
	SAMLProviders
	Groups
	AccessKeys
	MFADevices
	Policies
	KeyRing
	SigningKeys
	OutboundFederations
	// Ping reports whether the store is reachable.
	Ping(ctx context.Context) error
	Close() error
}

// Accounts persists accounts.
type Accounts interface {
	// InitDefaultAccount creates the default account with its first root access
	// key unless a default account exists, atomically even when several nodes
	// start at once. It returns the default account and whether it was created.
	InitDefaultAccount(ctx context.Context, a Account, rootKey AccessKey) (Account, bool, error)
	// DefaultAccount returns the default account, or ErrNotFound before init.
	DefaultAccount(ctx context.Context) (Account, error)
	GetAccount(ctx context.Context, id string) (Account, error)
}

// Users persists IAM users.
type Users interface {
	// CreateUser fails with ErrAlreadyExists when the name is taken in the
	// account (case-insensitively) and ErrLimitExceeded when the account
	// already has maxUsers users.
	CreateUser(ctx context.Context, u User, maxUsers int) error
	// GetUser looks a user up by name, case-insensitively.
	GetUser(ctx context.Context, accountID, name string) (User, error)
	GetUserByID(ctx context.Context, accountID, userID string) (User, error)
	// ListUsers lists by name order, filtered by PathPrefix.
	ListUsers(ctx context.Context, accountID string, opt ListOptions) (Page[User], error)
	// UpdateUser changes tags or the permissions boundary; fn may not change
	// AccountID, ID, Name or CreatedAt.
	UpdateUser(ctx context.Context, accountID, userID string, fn func(*User) error) error
	// DeleteUser deletes the user and its tags. It fails with a
	// *DeleteConflictError while access keys, MFA devices, inline or attached
	// policies or group memberships remain (checked in that order).
	DeleteUser(ctx context.Context, accountID, userID string) error
}

// Roles persists IAM roles.
type Roles interface {
	// CreateRole fails with ErrAlreadyExists when the name is taken in the
	// account (case-insensitively) and ErrLimitExceeded when the account
	// already has maxRoles roles.
	CreateRole(ctx context.Context, r Role, maxRoles int) error
	// GetRole looks a role up by name, case-insensitively (IAM's lookup;
	// STS compares the stored name and path with the ARN it was given).
	GetRole(ctx context.Context, accountID, name string) (Role, error)
	GetRoleByID(ctx context.Context, accountID, roleID string) (Role, error)
	// ListRoles lists by name order, filtered by PathPrefix.
	ListRoles(ctx context.Context, accountID string, opt ListOptions) (Page[Role], error)
	// UpdateRole changes what IAM lets change (trust policy, description,
	// maximum session duration, boundary, tags, last use); fn may not change
	// AccountID, ID, Name, Path or CreatedAt.
	UpdateRole(ctx context.Context, accountID, roleID string, fn func(*Role) error) error
	// DeleteRole fails with a *DeleteConflictError while inline or attached
	// policies remain (checked in that order).
	DeleteRole(ctx context.Context, accountID, roleID string) error
}

// Groups persists IAM groups and memberships.
type Groups interface {
	CreateGroup(ctx context.Context, g Group, maxGroups int) error
	GetGroup(ctx context.Context, accountID, name string) (Group, error)
	ListGroups(ctx context.Context, accountID string, opt ListOptions) (Page[Group], error)
	// DeleteGroup fails with a *DeleteConflictError while members, inline or
	// attached policies remain.
	DeleteGroup(ctx context.Context, accountID, groupID string) error
	// AddUserToGroup is idempotent; ErrLimitExceeded when the user is already
	// in maxGroupsPerUser groups; ErrNotFound when either is missing.
	AddUserToGroup(ctx context.Context, accountID, groupID, userID string, maxGroupsPerUser int) error
	// RemoveUserFromGroup fails with ErrNotFound when the user is not a member.
	RemoveUserFromGroup(ctx context.Context, accountID, groupID, userID string) error
	ListGroupsForUser(ctx context.Context, accountID, userID string, opt ListOptions) (Page[Group], error)
	ListGroupMembers(ctx context.Context, accountID, groupID string, opt ListOptions) (Page[User], error)
}

// AccessKeys persists long-term access keys. Ids are globally unique.
type AccessKeys interface {
	// CreateAccessKey fails with ErrLimitExceeded when the key's owner already
	// has maxPerUser keys, ErrNotFound when the owning user does not exist
	// (root keys, whose UserID is the account id, need only the account).
	CreateAccessKey(ctx context.Context, k AccessKey, maxPerUser int) error
	GetAccessKey(ctx context.Context, id string) (AccessKey, error)
	// ListAccessKeys lists the keys of one owner (user id, or account id for
	// the root), oldest first.
	ListAccessKeys(ctx context.Context, accountID, userID string) ([]AccessKey, error)
	UpdateAccessKey(ctx context.Context, id string, fn func(*AccessKey) error) error
	DeleteAccessKey(ctx context.Context, id string) error
}

// MFAFilter selects MFA devices. Nil fields select everything.
type MFAFilter struct {
	UserID   *string // only devices assigned to this user (or root: account id)
	Assigned *bool   // only assigned (true) or unassigned (false) devices
	Kind     MFADeviceKind
}

// MFADevices persists TOTP devices, keyed by (account, serial number).
type MFADevices interface {
	// CreateMFADevice fails with ErrAlreadyExists for a serial number already
	// in the account, ErrLimitExceeded past maxDevices in the account.
	CreateMFADevice(ctx context.Context, d MFADevice, maxDevices int) error
	GetMFADevice(ctx context.Context, accountID, serial string) (MFADevice, error)
	ListMFADevices(ctx context.Context, accountID string, f MFAFilter, opt ListOptions) (Page[MFADevice], error)
	// UpdateMFADevice is the only way to change a device (assignment, replay
	// step, failure counters); concurrent updaters are serialized, so exactly
	// one of several callers consuming the same time step wins.
	UpdateMFADevice(ctx context.Context, accountID, serial string, fn func(*MFADevice) error) error
	DeleteMFADevice(ctx context.Context, accountID, serial string) error
}

// Policies persists managed policies, their versions, inline policies and
// attachments, and reads the identity policies of a user in one snapshot.
type Policies interface {
	// CreatePolicy stores the policy with doc as its default version v1.
	CreatePolicy(ctx context.Context, p ManagedPolicy, doc string, maxPolicies int) error
	// GetPolicy looks a managed policy up by name (names are unique per account).
	GetPolicy(ctx context.Context, accountID, name string) (ManagedPolicy, error)
	// ListPolicies lists by name; onlyAttached keeps policies with attachments.
	ListPolicies(ctx context.Context, accountID string, onlyAttached bool, opt ListOptions) (Page[ManagedPolicy], error)
	// DeletePolicy fails with a *DeleteConflictError while the policy is
	// attached or a user's or role's permissions boundary, or has versions
	// besides the default.
	DeletePolicy(ctx context.Context, accountID, policyID string) error
	// CreatePolicyVersion adds version v<N+1>; ErrLimitExceeded when the policy
	// already has maxVersions versions.
	CreatePolicyVersion(ctx context.Context, accountID, policyID, doc string, setDefault bool, maxVersions int, now time.Time) (PolicyVersion, error)
	GetPolicyVersion(ctx context.Context, accountID, policyID, versionID string) (PolicyVersion, error)
	ListPolicyVersions(ctx context.Context, accountID, policyID string) ([]PolicyVersion, error)
	// DeletePolicyVersion fails with a *DeleteConflictError for the default version.
	DeletePolicyVersion(ctx context.Context, accountID, policyID, versionID string) error
	SetDefaultPolicyVersion(ctx context.Context, accountID, policyID, versionID string, now time.Time) error

	// PutInlinePolicy creates or replaces an inline policy; ErrLimitExceeded
	// when the owner's inline documents would total more than maxTotalBytes
	// (not counting whitespace is the caller's job: it passes the size it counts).
	PutInlinePolicy(ctx context.Context, accountID string, owner Owner, p InlinePolicy, size, maxTotalSize int) error
	GetInlinePolicy(ctx context.Context, accountID string, owner Owner, name string) (InlinePolicy, error)
	ListInlinePolicies(ctx context.Context, accountID string, owner Owner, opt ListOptions) (Page[string], error)
	DeleteInlinePolicy(ctx context.Context, accountID string, owner Owner, name string) error

	// AttachPolicy is idempotent; ErrNotFound when the policy is missing,
	// ErrLimitExceeded past maxAttached.
	AttachPolicy(ctx context.Context, accountID string, owner Owner, policyID string, maxAttached int) error
	// DetachPolicy fails with ErrNotFound when the policy is not attached.
	DetachPolicy(ctx context.Context, accountID string, owner Owner, policyID string) error
	ListAttachedPolicies(ctx context.Context, accountID string, owner Owner, opt ListOptions) (Page[AttachedPolicy], error)
	// PolicyEntities lists, in no particular order, the users, groups and
	// roles of the account that have a managed policy attached (policyID:
	// a customer managed policy of the account or an AWS managed policy)
	// and the users and roles whose permissions boundary it is (arn: the
	// policy's ARN; boundaries match as IdentityPolicies resolves them).
	// The account's entity quotas bound the result.
	PolicyEntities(ctx context.Context, accountID, policyID, arn string) ([]PolicyEntity, error)

	// IdentityPolicies reads every identity policy of an owner in one
	// snapshot: for a user, its own, its groups' and its boundary; for a
	// role, its own and its boundary; for a group, its own. ErrNotFound
	// when the owner does not exist.
	IdentityPolicies(ctx context.Context, accountID string, owner Owner) (IdentityPolicies, error)
}

// KeyRing persists the session-token key ring.
type KeyRing interface {
	ListTokenKeys(ctx context.Context) ([]TokenKey, error)
	// UpdateTokenKeys replaces the ring with fn's result atomically; fn sees
	// the current keys. Concurrent updaters are serialized.
	UpdateTokenKeys(ctx context.Context, fn func([]TokenKey) ([]TokenKey, error)) error
}
