package opensts

import "time"

// AccessKeyStatus is Active or Inactive; only Active keys authenticate.
type AccessKeyStatus string

const (
	AccessKeyActive   AccessKeyStatus = "Active"
	AccessKeyInactive AccessKeyStatus = "Inactive"
)

// AccessKey is a long-term credential (AKIA…). The secret is stored only
// sealed under the master key (package atrest), with the key id as associated
// data, so a sealed secret cannot be moved to another key.
type AccessKey struct {
	ID        string // AKIA + 16 characters
	AccountID string
	// UserID is the owning user's id, or the account id for the account root
	// (which is also the root's aws:userid).
	UserID       string
	Status       AccessKeyStatus
	SealedSecret []byte
	CreatedAt    time.Time
}

// IsRoot reports whether the key belongs to the account root.
func (k AccessKey) IsRoot() bool { return k.UserID == k.AccountID }

// SecretAAD is the associated data the key's secret is sealed with.
func (k AccessKey) SecretAAD() []byte { return []byte("opensts access key " + k.ID) }
