package opensts

import "time"

// DefaultMaxSessionDuration is a role's MaxSessionDuration when it was never
// set: one hour (roles-spec §1.3).
const DefaultMaxSessionDuration = 3600

// Role is an IAM role: permissions that trusted principals take on through
// role sessions (AssumeRole and its web-identity and SAML variants). Names
// are unique within an account, compared case-insensitively; STS resolves a
// role ARN by its exact name and path (roles-spec §1.1).
type Role struct {
	AccountID string
	ID        string // AROA + 17 characters
	Name      string
	Path      string // "/" by default
	// TrustPolicy is the AssumeRolePolicyDocument, kept exactly as
	// submitted.
	TrustPolicy string
	// TrustedIDs maps each IAM user and role ARN the trust policy names to
	// the unique id of the entity it named when the policy was set. As in
	// AWS, a user or role deleted and created again under the same name is
	// another principal, which the trust policy no longer names.
	TrustedIDs  map[string]string
	Description string
	// MaxSessionDuration is in seconds (3600–43200); 0 means never set,
	// which acts as DefaultMaxSessionDuration.
	MaxSessionDuration int
	// PermissionsBoundary is the ARN of a managed policy bounding the
	// role's permissions, or empty.
	PermissionsBoundary string
	Tags                []Tag
	CreatedAt           time.Time
	// LastUsed and LastUsedRegion record the last role session issued
	// (RoleLastUsed); zero until then.
	LastUsed       time.Time
	LastUsedRegion string
}

// ARN returns the role's ARN.
func (r Role) ARN() string { return RoleARN(r.AccountID, r.Path, r.Name) }

// SessionLimit is the longest role session the role allows, in seconds.
func (r Role) SessionLimit() int {
	if r.MaxSessionDuration == 0 {
		return DefaultMaxSessionDuration
	}
	return r.MaxSessionDuration
}
