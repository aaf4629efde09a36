package iam

import (
	"context"
	"errors"
	"fmt"
	"time"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/totp"
)

// MFA quotas and throttling.
const (
	// MaxMFADevicesPerUser is IAM's quota of devices assigned to one user.
	MaxMFADevicesPerUser = 8
	// MaxMFADevicesPerAccount bounds devices (virtual and hardware) per account.
	MaxMFADevicesPerAccount = 5000
	// mfaFreeFailures consecutive wrong codes are allowed before a device is
	// locked; each further failure doubles the lock from mfaBaseLock up to
	// mfaMaxLock. A correct code resets the count. Only a holder of the
	// user's long-term keys can try codes at all, and no lock lasts longer
	// than mfaMaxLock, so nobody can lock the legitimate user out for good.
	mfaFreeFailures = 5
	mfaBaseLock     = 30 * time.Second
	mfaMaxLock      = 15 * time.Minute
)

var (
	ruleMFAName    = opensts.StringRule{Required: true, Min: 1, Max: 226, Pattern: &opensts.PatternNameNonEmpty}
	ruleSerial     = opensts.StringRule{Required: true, Min: 9, Max: 256, Pattern: &opensts.PatternSerialNumberIAM}
	ruleAuthCode   = opensts.StringRule{Required: true, Min: 6, Max: 6, Pattern: &opensts.PatternAuthCode}
	msgInvalidCode = "Authentication code for device is not valid."
)

// SeedAAD binds a sealed seed to its device.
func SeedAAD(accountID, serial string) []byte {
	return []byte("opensts mfa seed " + accountID + " " + serial)
}

// VirtualMFADevice is CreateVirtualMFADevice's result: the device and, this
// once, its bootstrap material.
type VirtualMFADevice struct {
	opensts.MFADevice
	// Base32StringSeed is the seed in base32 (the API sends it base64-encoded
	// as a blob); QRCodePNG is a PNG of the otpauth URI.
	Base32StringSeed string
	QRCodePNG        []byte
	URI              string
}

// CreateVirtualMFADeviceInput mirrors IAM CreateVirtualMFADevice.
type CreateVirtualMFADeviceInput struct {
	VirtualMFADeviceName *string
	Path                 *string
	Tags                 []TagInput
}

// CreateVirtualMFADevice creates an unassigned virtual device with a fresh
// seed, returned once as base32 text and as a QR code of the otpauth URI.
func (s *Service) CreateVirtualMFADevice(ctx context.Context, caller *opensts.Principal, in CreateVirtualMFADeviceInput) (VirtualMFADevice, error) {
	var v opensts.ValidationError
	v.CheckString("path", in.Path, rulePath)
	v.CheckString("virtualMFADeviceName", in.VirtualMFADeviceName, ruleMFAName)
	validateTags(&v, in.Tags)
	if err := v.Err(); err != nil {
		return VirtualMFADevice{}, err
	}
	d := opensts.MFADevice{AccountID: caller.AccountID, Kind: opensts.MFAVirtual, Name: *in.VirtualMFADeviceName, Path: "/", CreatedAt: s.now()}
	if in.Path != nil {
		d.Path = *in.Path
	}
	d.SerialNumber = opensts.MFAARN(caller.AccountID, d.Path, d.Name)
	if err := s.authorizeWith(ctx, caller, "CreateVirtualMFADevice", d.SerialNumber, opensts.RequestFacts{Tags: requestTags(in.Tags)}); err != nil {
		return VirtualMFADevice{}, err
	}
	tags, err := toTags(in.Tags)
	if err != nil {
		return VirtualMFADevice{}, err
	}
	d.Tags = tags
	seed := totp.NewSeed()
	d.SealedSeed = s.cfg.Box.Seal(seed, SeedAAD(d.AccountID, d.SerialNumber))
	uri := totp.URI(d.Name, caller.AccountID, seed)
	png, err := qrcode.Encode(uri, qrcode.Medium, 256)
	if err != nil {
		return VirtualMFADevice{}, fmt.Errorf("draw QR code: %w", err)
	}
	switch err := s.cfg.Store.CreateMFADevice(ctx, d, MaxMFADevicesPerAccount); {
	case errors.Is(err, opensts.ErrAlreadyExists):
		return VirtualMFADevice{}, opensts.Errorf(opensts.ErrAlreadyExists, "MFADevice entity at the same path and name already exists.")
	case errors.Is(err, opensts.ErrLimitExceeded):
		return VirtualMFADevice{}, opensts.Errorf(opensts.ErrLimitExceeded, "Cannot exceed quota for VirtualMFADevicesPerAccount: %d", MaxMFADevicesPerAccount)
	case err != nil:
		return VirtualMFADevice{}, fmt.Errorf("create virtual MFA device: %w", err)
	}
	return VirtualMFADevice{MFADevice: d, Base32StringSeed: totp.EncodeSeed(seed), QRCodePNG: png, URI: uri}, nil
}

// MFAInput names a device and, where the action takes them, its user and
// two consecutive codes.
type MFAInput struct {
	UserName            *string
	SerialNumber        *string
	AuthenticationCode1 *string
	AuthenticationCode2 *string
}

func (in MFAInput) validate(codes bool) error {
	var v opensts.ValidationError
	v.CheckString("userName", in.UserName, ruleExistingUserName)
	v.CheckString("serialNumber", in.SerialNumber, ruleSerial)
	if codes {
		v.CheckString("authenticationCode1", in.AuthenticationCode1, ruleAuthCode)
		v.CheckString("authenticationCode2", in.AuthenticationCode2, ruleAuthCode)
	}
	return v.Err()
}

func noSuchDevice(serial string) error {
	return opensts.Errorf(opensts.ErrNotFound, "MFA Device with serial number %s does not exist.", serial)
}

// deviceFor validates the input and resolves the target user (the caller
// when UserName is omitted: OpenSTS lets the account root manage its own
// devices this way) and the device.
func (s *Service) deviceFor(ctx context.Context, caller *opensts.Principal, in MFAInput, action string, codes bool) (target, opensts.MFADevice, error) {
	if err := in.validate(codes); err != nil {
		return target{}, opensts.MFADevice{}, err
	}
	t, err := s.resolve(ctx, caller, in.UserName)
	if err != nil {
		return t, opensts.MFADevice{}, err
	}
	if err := s.authorizeWith(ctx, caller, action, t.arn(caller.AccountID), t.facts(opensts.RequestFacts{})); err != nil {
		return t, opensts.MFADevice{}, err
	}
	d, err := s.cfg.Store.GetMFADevice(ctx, caller.AccountID, *in.SerialNumber)
	if errors.Is(err, opensts.ErrNotFound) {
		return t, d, noSuchDevice(*in.SerialNumber)
	}
	if err != nil {
		return t, d, fmt.Errorf("get MFA device: %w", err)
	}
	return t, d, nil
}

// EnableMFADevice assigns a device to a user once two consecutive codes
// prove the user holds it; the device's clock offset is learned from them.
func (s *Service) EnableMFADevice(ctx context.Context, caller *opensts.Principal, in MFAInput) error {
	t, d, err := s.deviceFor(ctx, caller, in, "EnableMFADevice", true)
	if err != nil {
		return err
	}
	if d.Assigned() {
		return opensts.Errorf(opensts.ErrAlreadyExists, "MFA Device is already in use.")
	}
	owner := t.ownerID(caller.AccountID)
	assigned := true
	page, err := s.cfg.Store.ListMFADevices(ctx, caller.AccountID, opensts.MFAFilter{UserID: &owner, Assigned: &assigned}, opensts.ListOptions{MaxItems: MaxMFADevicesPerUser + 1})
	if err != nil {
		return fmt.Errorf("list MFA devices: %w", err)
	}
	if len(page.Items) >= MaxMFADevicesPerUser {
		return opensts.Errorf(opensts.ErrLimitExceeded, "Cannot exceed quota for MFADevicesPerUser: %d", MaxMFADevicesPerUser)
	}
	window := totp.EnableWindow
	if d.Kind == opensts.MFAHardware {
		window = totp.ResyncWindow // a token may have sat in a drawer since import
	}
	return s.updateDevice(ctx, d, func(d *opensts.MFADevice, seed []byte, now time.Time) error {
		if d.Assigned() {
			return opensts.Errorf(opensts.ErrAlreadyExists, "MFA Device is already in use.")
		}
		step, err := totp.VerifyConsecutive(seed, *in.AuthenticationCode1, *in.AuthenticationCode2, now, window)
		if err != nil {
			return opensts.Errorf(opensts.ErrInvalidAuthCode, "%s", msgInvalidCode)
		}
		d.UserID, d.EnableDate = owner, now
		d.LastUsedStep, d.Drift = step, step-totp.Step(now)
		d.FailedAttempts, d.LockedUntil = 0, time.Time{}
		return nil
	})
}

// ResyncMFADevice re-learns a drifted device's clock offset from two
// consecutive codes.
func (s *Service) ResyncMFADevice(ctx context.Context, caller *opensts.Principal, in MFAInput) error {
	t, d, err := s.deviceFor(ctx, caller, in, "ResyncMFADevice", true)
	if err != nil {
		return err
	}
	if d.UserID != t.ownerID(caller.AccountID) {
		return noSuchDevice(*in.SerialNumber)
	}
	return s.updateDevice(ctx, d, func(d *opensts.MFADevice, seed []byte, now time.Time) error {
		step, err := totp.VerifyConsecutive(seed, *in.AuthenticationCode1, *in.AuthenticationCode2, now, totp.ResyncWindow)
		if err != nil || step <= d.LastUsedStep {
			return opensts.Errorf(opensts.ErrInvalidAuthCode, "%s", msgInvalidCode)
		}
		d.LastUsedStep, d.Drift = step, step-totp.Step(now)
		d.FailedAttempts, d.LockedUntil = 0, time.Time{}
		return nil
	})
}

// DeactivateMFADevice unassigns a device from its user. Virtual devices
// remain (DeleteVirtualMFADevice removes them); hardware tokens return to
// the pool and can be enabled again.
func (s *Service) DeactivateMFADevice(ctx context.Context, caller *opensts.Principal, in MFAInput) error {
	t, d, err := s.deviceFor(ctx, caller, in, "DeactivateMFADevice", false)
	if err != nil {
		return err
	}
	if d.UserID != t.ownerID(caller.AccountID) {
		return noSuchDevice(*in.SerialNumber)
	}
	return s.updateDevice(ctx, d, func(d *opensts.MFADevice, _ []byte, _ time.Time) error {
		d.UserID, d.EnableDate = "", time.Time{}
		d.FailedAttempts, d.LockedUntil = 0, time.Time{}
		return nil
	})
}

// DeleteVirtualMFADevice deletes an unassigned virtual device.
func (s *Service) DeleteVirtualMFADevice(ctx context.Context, caller *opensts.Principal, in MFAInput) error {
	var v opensts.ValidationError
	v.CheckString("serialNumber", in.SerialNumber, ruleSerial)
	if err := v.Err(); err != nil {
		return err
	}
	// The device is read first for its tags (aws:ResourceTag); whether it
	// exists is told only to a caller allowed to delete it.
	d, err := s.cfg.Store.GetMFADevice(ctx, caller.AccountID, *in.SerialNumber)
	if aerr := s.authorizeWith(ctx, caller, "DeleteVirtualMFADevice", *in.SerialNumber, opensts.RequestFacts{ResourceTags: d.Tags}); aerr != nil {
		return aerr
	}
	if errors.Is(err, opensts.ErrNotFound) || (err == nil && d.Kind != opensts.MFAVirtual) {
		return opensts.Errorf(opensts.ErrNotFound, "VirtualMFADevice with serial number %s doesn't exist.", *in.SerialNumber)
	}
	if err != nil {
		return fmt.Errorf("get MFA device: %w", err)
	}
	if d.Assigned() {
		return opensts.Errorf(opensts.ErrDeleteConflict, "MFA device is still in use.")
	}
	if err := s.cfg.Store.DeleteMFADevice(ctx, caller.AccountID, d.SerialNumber); err != nil && !errors.Is(err, opensts.ErrNotFound) {
		return fmt.Errorf("delete MFA device: %w", err)
	}
	return nil
}

// MFADeviceView is a device with the name of its user.
type MFADeviceView struct {
	opensts.MFADevice
	UserName string // empty for the root or when unassigned
	User     *opensts.User
	Root     bool
}

// ListMFADevices lists the devices assigned to a user (or the caller).
func (s *Service) ListMFADevices(ctx context.Context, caller *opensts.Principal, in UserRef, li ListInput) (opensts.Page[MFADeviceView], error) {
	var out opensts.Page[MFADeviceView]
	var v opensts.ValidationError
	v.CheckString("userName", in.UserName, ruleExistingUserName)
	li.validate(&v)
	if err := v.Err(); err != nil {
		return out, err
	}
	t, err := s.resolve(ctx, caller, in.UserName)
	if err != nil {
		return out, err
	}
	if err := s.authorizeWith(ctx, caller, "ListMFADevices", t.arn(caller.AccountID), t.facts(opensts.RequestFacts{})); err != nil {
		return out, err
	}
	owner := t.ownerID(caller.AccountID)
	assigned := true
	page, err := s.cfg.Store.ListMFADevices(ctx, caller.AccountID, opensts.MFAFilter{UserID: &owner, Assigned: &assigned}, li.options(nil))
	if err != nil {
		return out, listError(err)
	}
	for _, d := range page.Items {
		out.Items = append(out.Items, MFADeviceView{MFADevice: d, UserName: t.user.Name, Root: t.root})
	}
	out.Marker = page.Marker
	return out, nil
}

// ListVirtualMFADevicesInput mirrors IAM ListVirtualMFADevices.
type ListVirtualMFADevicesInput struct {
	AssignmentStatus *string
	ListInput
}

// ListVirtualMFADevices lists the account's virtual devices by assignment status.
func (s *Service) ListVirtualMFADevices(ctx context.Context, caller *opensts.Principal, in ListVirtualMFADevicesInput) (opensts.Page[MFADeviceView], error) {
	var out opensts.Page[MFADeviceView]
	var v opensts.ValidationError
	v.CheckEnum("assignmentStatus", in.AssignmentStatus, false, "Assigned", "Unassigned", "Any")
	in.validate(&v)
	if err := v.Err(); err != nil {
		return out, err
	}
	if err := s.authorize(ctx, caller, "ListVirtualMFADevices", "arn:aws:iam::"+caller.AccountID+":mfa/"); err != nil {
		return out, err
	}
	f := opensts.MFAFilter{Kind: opensts.MFAVirtual}
	if in.AssignmentStatus != nil && *in.AssignmentStatus != "Any" {
		assigned := *in.AssignmentStatus == "Assigned"
		f.Assigned = &assigned
	}
	page, err := s.cfg.Store.ListMFADevices(ctx, caller.AccountID, f, in.options(nil))
	if err != nil {
		return out, listError(err)
	}
	for _, d := range page.Items {
		view := MFADeviceView{MFADevice: d}
		switch {
		case d.UserID == caller.AccountID:
			view.Root = true
		case d.UserID != "":
			u, err := s.cfg.Store.GetUserByID(ctx, caller.AccountID, d.UserID)
			if err == nil {
				view.User, view.UserName = &u, u.Name
			}
		}
		out.Items = append(out.Items, view)
	}
	out.Marker = page.Marker
	return out, nil
}

// updateDevice runs fn on the device inside the store's transaction with its
// opened seed, so checks and updates (assignment, replay step, failure
// counters) are atomic across nodes sharing the store.
func (s *Service) updateDevice(ctx context.Context, d opensts.MFADevice, fn func(d *opensts.MFADevice, seed []byte, now time.Time) error) error {
	var fnErr error
	err := s.cfg.Store.UpdateMFADevice(ctx, d.AccountID, d.SerialNumber, func(d *opensts.MFADevice) error {
		seed, err := s.cfg.Box.Open(d.SealedSeed, SeedAAD(d.AccountID, d.SerialNumber))
		if err != nil {
			return fmt.Errorf("open seed of MFA device %s: %w", d.SerialNumber, err)
		}
		fnErr = fn(d, seed, s.now())
		clear(seed)
		// A domain refusal still aborts the write; only counters written by
		// VerifyMFA survive a failure (it returns nil and reports separately).
		return fnErr
	})
	if fnErr != nil {
		return fnErr
	}
	if errors.Is(err, opensts.ErrNotFound) {
		return noSuchDevice(d.SerialNumber)
	}
	if err != nil {
		return fmt.Errorf("update MFA device: %w", err)
	}
	return nil
}

// VerifyMFA implements issuer.MFAVerifier: it proves a TOTP code for one of
// the caller's enabled devices. A code is accepted within one step either
// side of the device's (drift-corrected) time, never twice (the accepted
// step is stored atomically, so not across nodes either), and repeated
// failures lock the device for a bounded, growing time.
func (s *Service) VerifyMFA(ctx context.Context, p *opensts.Principal, serial, code string) (time.Time, error) {
	owner := p.ID
	var verdict error
	var at time.Time
	// One transaction reads, checks and records; refusals that change
	// nothing abort it (errUnchanged) so they write nothing.
	err := s.cfg.Store.UpdateMFADevice(ctx, p.AccountID, serial, func(d *opensts.MFADevice) error {
		verdict, at = nil, time.Time{}
		if d.UserID != owner { // unassigned, or another user's
			verdict = opensts.ErrMFAUnknownDevice
			return errUnchanged
		}
		now := s.now()
		if now.Before(d.LockedUntil) {
			verdict = &opensts.Error{Kind: opensts.ErrAccessDenied,
				Message: fmt.Sprintf("MultiFactorAuthentication failed: too many invalid codes for this device; try again in %d seconds.", int(d.LockedUntil.Sub(now).Seconds())+1)}
			return errUnchanged
		}
		seed, err := s.cfg.Box.Open(d.SealedSeed, SeedAAD(d.AccountID, d.SerialNumber))
		if err != nil {
			return fmt.Errorf("open seed of MFA device %s: %w", d.SerialNumber, err)
		}
		step, err := totp.Verify(seed, code, now.Add(time.Duration(d.Drift)*totp.Period), d.LastUsedStep)
		clear(seed)
		if err != nil {
			d.FailedAttempts++
			if over := d.FailedAttempts - mfaFreeFailures; over > 0 {
				lock := mfaMaxLock
				if over < 16 {
					lock = min(mfaBaseLock<<(over-1), mfaMaxLock)
				}
				d.LockedUntil = now.Add(lock)
			}
			verdict = opensts.ErrMFAInvalidCode
			return nil
		}
		d.LastUsedStep = step
		d.FailedAttempts, d.LockedUntil = 0, time.Time{}
		at = now
		return nil
	})
	switch {
	case errors.Is(err, opensts.ErrNotFound):
		return time.Time{}, opensts.ErrMFAUnknownDevice
	case err != nil && !errors.Is(err, errUnchanged):
		return time.Time{}, fmt.Errorf("verify MFA code: %w", err)
	case verdict != nil:
		return time.Time{}, verdict
	}
	return at, nil
}

// errUnchanged aborts a device update that has nothing to write.
var errUnchanged = errors.New("nothing to change")
