package opensts

import "time"

// Tag is a key/value pair on a user, device, policy or session. Keys compare
// case-insensitively and keep their case.
type Tag struct {
	Key   string
	Value string
}

// User is an IAM user. Names are unique within an account, compared
// case-insensitively (spec §6.4).
type User struct {
	AccountID string
	ID        string // AIDA + 17 characters
	Name      string
	Path      string // "/" by default
	CreatedAt time.Time
	Tags      []Tag
	// PermissionsBoundary is the ARN of a managed policy bounding the user's
	// permissions, or empty.
	PermissionsBoundary string
}

// ARN returns the user's ARN.
func (u User) ARN() string { return UserARN(u.AccountID, u.Path, u.Name) }

// Group is an IAM group; its policies apply to its members.
type Group struct {
	AccountID string
	ID        string // AGPA…
	Name      string
	Path      string
	CreatedAt time.Time
}

// ARN returns the group's ARN.
func (g Group) ARN() string { return GroupARN(g.AccountID, g.Path, g.Name) }
