package opensts

import "context"

// Snapshot is the whole content of a store in a backend-neutral form, for
// moving an installation between backends (`opensts store copy`). Sealed
// secrets are carried as they are: the target must use the same master key.
type Snapshot struct {
	DefaultAccountID string
	Accounts         []Account
	Users            []User
	Roles            []Role
	OIDCProviders    []OIDCProvider
	SAMLProviders    []SAMLProvider
	Groups           []Group
	Memberships      []Membership
	AccessKeys       []AccessKey
	MFADevices       []MFADevice
	Policies         []SnapshotPolicy
	InlinePolicies   []SnapshotInlinePolicy
	Attachments      []SnapshotAttachment
	TokenKeys        []TokenKey
	// SigningKeys in set order; OutboundFederations by account id, only
	// accounts whose switch was ever set.
	SigningKeys         []SigningKey
	OutboundFederations []OutboundFederation
}

// Membership is one user in one group.
type Membership struct {
	AccountID, GroupID, UserID string
}

// SnapshotPolicy is a managed policy with every version it still has and
// the number its next version will take (version ids are never reused).
type SnapshotPolicy struct {
	Policy      ManagedPolicy
	Versions    []PolicyVersion
	NextVersion int
}

// SnapshotInlinePolicy is an inline policy with its owner and counted size.
type SnapshotInlinePolicy struct {
	AccountID string
	Owner     Owner
	Policy    InlinePolicy
	Size      int
}

// SnapshotAttachment is a managed policy attached to a user, group or role.
type SnapshotAttachment struct {
	AccountID string
	Owner     Owner
	PolicyID  string
}

// Snapshotter is implemented by stores that can be copied: Snapshot reads
// everything in one consistent view; Restore writes a snapshot into an empty
// store in one transaction (ErrConflict if the store is not empty), keeping
// every id, version number, time and sealed value.
type Snapshotter interface {
	Snapshot(ctx context.Context) (*Snapshot, error)
	Restore(ctx context.Context, s *Snapshot) error
}
