package opensts

import "time"

// ManagedPolicy is a customer managed policy with versions.
type ManagedPolicy struct {
	AccountID        string
	ID               string // ANPA…
	Name             string
	Path             string
	Description      string
	DefaultVersionID string
	// AttachmentCount is computed by the store on every read.
	AttachmentCount int
	// BoundaryUsageCount is how many users and roles have the policy as
	// permissions boundary; IAM's GetPolicy computes it, stores do not.
	BoundaryUsageCount int
	CreatedAt          time.Time
	UpdatedAt          time.Time
	Tags               []Tag
}

// ARN returns the policy's ARN.
func (p ManagedPolicy) ARN() string { return PolicyARN(p.AccountID, p.Path, p.Name) }

// PolicyVersion is one immutable version of a managed policy. Version ids are
// v1, v2, … and are never reused.
type PolicyVersion struct {
	VersionID string
	Document  string
	IsDefault bool
	CreatedAt time.Time
}

// InlinePolicy is a policy embedded in one user or group.
type InlinePolicy struct {
	Name     string
	Document string
}

// OwnerKind says what kind of entity holds inline and attached policies.
type OwnerKind string

const (
	OwnerUser  OwnerKind = "user"
	OwnerGroup OwnerKind = "group"
	OwnerRole  OwnerKind = "role"
)

// Owner identifies the user, group or role that holds inline or attached
// policies.
type Owner struct {
	Kind OwnerKind
	ID   string // user, group or role id
}

// PolicyEntity is a user, group or role that uses a managed policy:
// attached to it, or as its permissions boundary.
type PolicyEntity struct {
	Kind     OwnerKind
	ID       string
	Name     string
	Path     string
	Boundary bool
}

// AttachedPolicy names a managed policy attached to an owner.
type AttachedPolicy struct {
	Name string
	ARN  string
}

// PolicySource says where an identity policy came from, for decisions and
// their explanations.
type PolicySource string

const (
	SourceUserInline   PolicySource = "user inline"
	SourceRoleInline   PolicySource = "role inline"
	SourceGroupInline  PolicySource = "group inline"
	SourceManaged      PolicySource = "managed"
	SourceGroupManaged PolicySource = "group managed"
	SourceBoundary     PolicySource = "permissions boundary"
)

// PolicyDocument is one policy text with where it came from. ID is the
// inline policy name or the managed policy ARN.
type PolicyDocument struct {
	Source   PolicySource
	ID       string
	Document string
}

// IdentityPolicies is every identity-based policy that applies to an owner,
// read in one consistent snapshot: for a user its inline and attached
// policies, those of every group it belongs to, and its permissions
// boundary; for a role its inline and attached policies and its boundary;
// for a group its inline and attached policies.
type IdentityPolicies struct {
	Documents []PolicyDocument
	// Boundary is nil when the user has no permissions boundary.
	Boundary *PolicyDocument
}
