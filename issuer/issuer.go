package issuer

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/token"
)

// Duration bounds shared by GetSessionToken and GetFederationToken (seeds).
const (
	MinDuration     = 900
	MaxDuration     = 129600
	DefaultDuration = 43200
	// RootMaxDuration caps sessions of the account root: a longer request is
	// clamped to it, not refused; it is also the root's default.
	RootMaxDuration = 3600
)

// Keys provides the current session-token key ring.
type Keys interface {
	Ring() *token.Ring
}

// MFAVerifier proves a TOTP code for the caller's device and returns when MFA
// was proven. It answers the two AWS AccessDenied messages itself
// (ErrMFAInvalidCode, ErrMFAUnknownDevice).
type MFAVerifier interface {
	VerifyMFA(ctx context.Context, p *opensts.Principal, serialNumber, code string) (time.Time, error)
}

// Config wires an Issuer.
type Config struct {
	Keys       Keys
	Authorizer opensts.Authorizer
	// MFA verifies TOTP codes; nil refuses every request naming a device.
	MFA MFAVerifier
	// Roles and Trust serve AssumeRole: the roles, and decisions against
	// their trust policies. Without them AssumeRole refuses every role.
	Roles Roles
	Trust TrustAuthorizer
	// WebIdentity serves AssumeRoleWithWebIdentity (with Roles); without it
	// every web identity token is refused.
	WebIdentity *WebIdentity
	// SAML serves AssumeRoleWithSAML (with Roles); without it every
	// assertion is refused.
	SAML *SAML
	// WebIdentityTokens serves GetWebIdentityToken; without it the feature
	// is off for every account.
	WebIdentityTokens *WebIdentityTokens
	Now               func() time.Time
}

// Issuer runs the STS use cases.
type Issuer struct {
	cfg Config
}

// New returns an Issuer.
func New(cfg Config) (*Issuer, error) {
	if cfg.Keys == nil || cfg.Authorizer == nil {
		return nil, errors.New("issuer: Keys and Authorizer are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Issuer{cfg: cfg}, nil
}

// Credentials are temporary credentials.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	Expiration      time.Time
}

// SessionTokenSize is the token's length in bytes (STS's SessionTokenSize).
func (c Credentials) SessionTokenSize() int { return len(c.SessionToken) }

// SessionTokenUtilization is the share, in percent rounded up, of the
// 4,096-byte session-token limit the token takes (STS's
// SessionTokenUtilization).
func (c Credentials) SessionTokenUtilization() int {
	return (100*len(c.SessionToken) + token.MaxTokenLen - 1) / token.MaxTokenLen
}

// checkMinimumSize validates MinimumSessionTokenSize: 0–4096 (spec §1.7).
func checkMinimumSize(v *opensts.ValidationError, n *int64) {
	v.CheckInt("minimumSessionTokenSize", n, false, 0, token.MaxTokenLen)
}

// minTokenLen is the requested minimum token size, 0 when absent.
func minTokenLen(n *int64) int {
	if n == nil {
		return 0
	}
	return int(*n)
}

// duration applies the default and the root cap to a validated request.
func duration(requested *int64, root bool) time.Duration {
	d := int64(DefaultDuration)
	if requested != nil {
		d = *requested
	}
	if root && (requested == nil || d > RootMaxDuration) {
		d = RootMaxDuration
	}
	return time.Duration(d) * time.Second
}

// seal issues a new temporary key and seals claims for it. It also returns
// the packed session policy's share of its budget (0 without one); a packing
// over budget is AWS's PackedPolicyTooLarge.
func (s *Issuer) seal(c token.Claims, now time.Time, d time.Duration) (Credentials, int, error) {
	now = now.UTC().Truncate(time.Second)
	c.AccessKeyID = opensts.NewTemporaryKeyID(c.AccountID)
	c.SecretAccessKey = opensts.NewSecretAccessKey()
	c.IssuedAt = now
	c.ExpiresAt = now.Add(d)
	tok, packed, err := token.SealPacking(s.cfg.Keys.Ring(), c)
	if errors.Is(err, token.ErrTooLarge) && packed > 100 {
		return Credentials{}, packed, packedTooLarge(c, packed)
	}
	if err != nil {
		return Credentials{}, packed, err
	}
	return Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: tok, Expiration: c.ExpiresAt}, packed, nil
}

// packedTooLarge is AWS's PackedPolicyTooLarge for a packing at percent of
// its budget. It blames the session tags when they are what does not fit
// (the policy and its ARNs alone would), as AWS's two messages do; the
// percent is the whole packing's either way.
func packedTooLarge(c token.Claims, percent int) error {
	if len(c.Tags) > 0 {
		if _, alone := token.Pack(c.Policy, c.PolicyARNs, nil); alone <= 100 {
			return opensts.Errorf(opensts.ErrPackedPolicyTooBig, "Packed size of session tags consumes %d%% of allotted space.", percent)
		}
	}
	return opensts.Errorf(opensts.ErrPackedPolicyTooBig, "Packed policy consumes %d%% of allotted space, please use smaller policy.", percent)
}

// baseClaims carries the caller's holder into a session it requests with
// long-term keys.
func baseClaims(p *opensts.Principal) token.Claims {
	return token.Claims{
		AccountID:         p.AccountID,
		Holder:            holderType(p.Type),
		HolderID:          p.ID,
		SourceAccessKeyID: p.AccessKeyID,
	}
}

// holderType is the token's name for a holder type.
func holderType(t opensts.HolderType) token.HolderType {
	switch t {
	case opensts.HolderRoot:
		return token.Root
	case opensts.HolderUser:
		return token.User
	case opensts.HolderRole:
		return token.Role
	}
	panic(fmt.Sprintf("issuer: unknown holder type %d", t))
}
