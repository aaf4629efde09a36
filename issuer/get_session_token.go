package issuer

import (
	"context"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/token"
)

// GetSessionTokenInput mirrors the STS request (seeds/GetSessionTokenInput.txt).
type GetSessionTokenInput struct {
	DurationSeconds *int64
	SerialNumber    *string
	TokenCode       *string
	// MinimumSessionTokenSize pads the token to at least this many bytes
	// (0–4096), for testing clients against large tokens.
	MinimumSessionTokenSize *int64
}

// Validate checks the model constraints and returns AWS's ValidationError:
// DurationSeconds 900–129600; SerialNumber 9–256 of [\w+=/:,.@-]*;
// TokenCode exactly 6 of [\d]*.
func (in GetSessionTokenInput) Validate() error {
	var v opensts.ValidationError
	v.CheckInt("durationSeconds", in.DurationSeconds, false, MinDuration, MaxDuration)
	v.CheckString("serialNumber", in.SerialNumber, opensts.StringRule{Min: 9, Max: 256, Pattern: &opensts.PatternSerialNumber})
	v.CheckString("tokenCode", in.TokenCode, opensts.StringRule{Min: 6, Max: 6, Pattern: &opensts.PatternTokenCode})
	checkMinimumSize(&v, in.MinimumSessionTokenSize)
	return v.Err()
}

// GetSessionToken issues a session for the caller's long-term credentials.
// No permission is needed (AWS ignores policies for it). When a device and
// code are given, MFA is proven and recorded in the session. The account
// root's sessions are capped at one hour.
func (s *Issuer) GetSessionToken(ctx context.Context, caller *opensts.Principal, in GetSessionTokenInput) (Credentials, error) {
	if err := in.Validate(); err != nil {
		return Credentials{}, err
	}
	if caller.Temporary() {
		return Credentials{}, opensts.SessionCredentialsError("GetSessionToken")
	}
	c := baseClaims(caller)
	c.Kind = token.SessionToken
	c.MinTokenLen = minTokenLen(in.MinimumSessionTokenSize)
	if in.SerialNumber != nil || in.TokenCode != nil {
		if in.SerialNumber == nil || in.TokenCode == nil || s.cfg.MFA == nil {
			return Credentials{}, opensts.ErrMFAUnknownDevice
		}
		at, err := s.cfg.MFA.VerifyMFA(ctx, caller, *in.SerialNumber, *in.TokenCode)
		if err != nil {
			return Credentials{}, err
		}
		c.MFAAuthenticatedAt = at.UTC()
	}
	cr, _, err := s.seal(c, s.cfg.Now(), duration(in.DurationSeconds, caller.IsRoot()))
	return cr, err
}
