package opensts

import "time"

// AWS's MFA refusals in GetSessionToken (spec §2.2), as AccessDenied with
// AWS's exact texts (note the trailing space of the first and the double
// space of the second).
var (
	ErrMFAInvalidCode   = &Error{Kind: ErrAccessDenied, Message: "MultiFactorAuthentication failed with invalid MFA one time pass code. "}
	ErrMFAUnknownDevice = &Error{Kind: ErrAccessDenied, Message: "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user."}
)

// MFADeviceKind distinguishes virtual devices (created through the IAM API,
// serial number is an ARN) from hardware tokens (imported by an operator,
// serial number is the vendor's).
type MFADeviceKind string

const (
	MFAVirtual  MFADeviceKind = "virtual"
	MFAHardware MFADeviceKind = "hardware"
)

// MFADevice is a TOTP device. The seed is stored only sealed under the master
// key. A device is assigned to at most one user (or the account root, whose
// UserID is the account id) once enabled.
type MFADevice struct {
	AccountID    string
	SerialNumber string
	Kind         MFADeviceKind
	Name         string // virtual devices: the name given at creation
	Path         string // virtual devices: "/" by default
	SealedSeed   []byte
	// UserID is empty while the device is unassigned.
	UserID     string
	EnableDate time.Time
	CreatedAt  time.Time
	Tags       []Tag
	// LastUsedStep is the highest TOTP time step ever accepted for this device;
	// a code is accepted only for a later step, so no code is accepted twice
	// (RFC 6238 §5.2).
	LastUsedStep int64
	// Drift is how many time steps the device's clock runs ahead of the
	// server's (negative: behind), learned at enable and resync; codes are
	// checked around the server's step plus Drift.
	Drift int64
	// FailedAttempts counts consecutive failed codes; LockedUntil, when in the
	// future, refuses every code for the device (throttling).
	FailedAttempts int
	LockedUntil    time.Time
}

// Assigned reports whether the device is enabled for a user.
func (d MFADevice) Assigned() bool { return d.UserID != "" }
