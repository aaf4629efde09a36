package token

import (
	"encoding/binary"
	"fmt"
	"time"
)

// PrincipalType is who a session acts as (aws:PrincipalType, spec §3.6).
type PrincipalType uint8

const (
	Root      PrincipalType = iota + 1 // the account root (GetSessionToken)
	User                               // an IAM user (GetSessionToken)
	Federated                          // a federated user (GetFederationToken)
)

// String returns the aws:PrincipalType value.
func (t PrincipalType) String() string {
	switch t {
	case Root:
		return "Account"
	case User:
		return "User"
	case Federated:
		return "FederatedUser"
	}
	return fmt.Sprintf("PrincipalType(%d)", uint8(t))
}

// SessionKind says which STS action issued a session.
type SessionKind uint8

const (
	SessionToken SessionKind = iota + 1 // GetSessionToken
	Federation                          // GetFederationToken
)

// String returns the STS action name.
func (k SessionKind) String() string {
	switch k {
	case SessionToken:
		return "GetSessionToken"
	case Federation:
		return "GetFederationToken"
	}
	return fmt.Sprintf("SessionKind(%d)", uint8(k))
}

// Tag is a session tag.
type Tag struct{ Key, Value string }

// Claims is everything a session token carries: the temporary credentials,
// who they act as, when they expire, the MFA fact and the session policy.
//
// Seal's rules: Kind and Type are one of the constants, and Kind Federation
// goes with Type Federated and a FederatedName, while Kind SessionToken goes
// with Type Root or User and no FederatedName. AccessKeyID, SecretAccessKey,
// AccountID, UserID, IssuedAt and ExpiresAt are required, and ExpiresAt is
// after IssuedAt. Field bounds, in bytes, are those of PackedBudget's
// arithmetic: access key ids and UserID 32, SecretAccessKey 64, AccountID 12,
// UserName 64, UserPath 512, FederatedName 32.
//
// Empty and nil PolicyARNs or Tags are the same; Open returns nil for them.
type Claims struct {
	AccessKeyID        string // ASIA…: the temporary access key id
	SecretAccessKey    string // 40 characters
	Kind               SessionKind
	Type               PrincipalType
	AccountID          string
	UserID             string // IAM user id, or the account id for the root
	UserName, UserPath string // the IAM user's (empty for the root)
	FederatedName      string // GetFederationToken's Name
	SourceAccessKeyID  string // the AKIA… key that requested the session
	IssuedAt           time.Time
	ExpiresAt          time.Time
	MFAAuthenticatedAt time.Time // zero when MFA was not proven
	Policy             string    // inline session policy, may be empty
	PolicyARNs         []string
	Tags               []Tag
	// MinTokenLen pads the sealed token to at least this many characters
	// (STS's MinimumSessionTokenSize, at most MaxTokenLen). Seal only; Open
	// leaves it zero.
	MinTokenLen int
}

// String describes the session without its secret, so a logged Claims does
// not leak credentials.
func (c Claims) String() string {
	return fmt.Sprintf("%s session %s of %s %s in account %s, expires %s",
		c.Kind, c.AccessKeyID, c.Type, c.UserID, c.AccountID, c.ExpiresAt.UTC().Format(time.RFC3339))
}

// GoString is String, so %#v does not print the secret either.
func (c Claims) GoString() string { return c.String() }

// Field bounds in bytes. Identifiers OpenSTS generates are shorter (ASIA/AKIA
// + 16 = 20, AIDA + 17 = 21, secrets 40); IAM bounds user names at 64 and
// paths at 512 (spec §6.4); GetFederationToken's Name is 2–32 (spec §2.3).
const (
	maxKeyIDLen         = 32
	maxSecretLen        = 64
	maxAccountIDLen     = 12
	maxUserIDLen        = 32
	maxUserNameLen      = 64
	maxUserPathLen      = 512
	maxFederatedNameLen = 32
)

func (c *Claims) check() error {
	switch {
	case c.Kind != SessionToken && c.Kind != Federation:
		return fmt.Errorf("%w: unknown session kind %d", ErrInvalidClaims, c.Kind)
	case c.Type != Root && c.Type != User && c.Type != Federated:
		return fmt.Errorf("%w: unknown principal type %d", ErrInvalidClaims, c.Type)
	case (c.Kind == Federation) != (c.Type == Federated):
		return fmt.Errorf("%w: %s session with principal type %s", ErrInvalidClaims, c.Kind, c.Type)
	case c.Kind == Federation && c.FederatedName == "":
		return fmt.Errorf("%w: federation session without a federated name", ErrInvalidClaims)
	case c.Kind == SessionToken && c.FederatedName != "":
		return fmt.Errorf("%w: federated name on a GetSessionToken session", ErrInvalidClaims)
	case c.AccessKeyID == "" || c.SecretAccessKey == "" || c.AccountID == "" || c.UserID == "":
		return fmt.Errorf("%w: access key id, secret, account id and user id are required", ErrInvalidClaims)
	case c.IssuedAt.IsZero() || c.ExpiresAt.IsZero():
		return fmt.Errorf("%w: issue and expiry times are required", ErrInvalidClaims)
	case c.ExpiresAt.Unix() <= c.IssuedAt.Unix():
		return fmt.Errorf("%w: expiry must be after issue time", ErrInvalidClaims)
	}
	for _, f := range [...]struct {
		name string
		len  int
		max  int
	}{
		{"access key id", len(c.AccessKeyID), maxKeyIDLen},
		{"secret access key", len(c.SecretAccessKey), maxSecretLen},
		{"account id", len(c.AccountID), maxAccountIDLen},
		{"user id", len(c.UserID), maxUserIDLen},
		{"user name", len(c.UserName), maxUserNameLen},
		{"user path", len(c.UserPath), maxUserPathLen},
		{"federated name", len(c.FederatedName), maxFederatedNameLen},
		{"source access key id", len(c.SourceAccessKeyID), maxKeyIDLen},
	} {
		if f.len > f.max {
			return fmt.Errorf("%w: %s is %d bytes, at most %d", ErrInvalidClaims, f.name, f.len, f.max)
		}
	}
	return nil
}

// Claims encoding, version 1 (the AEAD plaintext):
//
//	version      1 byte (0x01)
//	kind         1 byte
//	type         1 byte
//	flags        1 byte: bit 0 = MFAAuthenticatedAt present, bit 1 =
//	             padding present; others zero
//	issued       varint Unix seconds
//	expires      varint Unix seconds
//	mfa          varint Unix seconds, only when flag bit 0 is set
//	8 strings    uvarint length + bytes each: AccessKeyID, SecretAccessKey,
//	             AccountID, UserID, UserName, UserPath, FederatedName,
//	             SourceAccessKeyID
//	packed       uvarint length + Pack's bytes (length 0: no policy,
//	             ARNs or tags)
//	padding      uvarint length + that many zero bytes, only when flag bit 1
//	             is set (MinimumSessionTokenSize)
//
// Nothing may follow.
const (
	claimsV1     = 0x01
	flagMFA      = 1 << 0
	flagPadding  = 1 << 1
	knownFlags   = flagMFA | flagPadding
	numStrings   = 8
	minClaimsLen = 4 + 1 + 1 + numStrings + 1
)

// appendClaims appends the plaintext; pad > 0 adds a padding field of that
// many zero bytes.
func appendClaims(b []byte, c *Claims, packed []byte, pad int) []byte {
	var flags byte
	if !c.MFAAuthenticatedAt.IsZero() {
		flags |= flagMFA
	}
	if pad > 0 {
		flags |= flagPadding
	}
	b = append(b, claimsV1, byte(c.Kind), byte(c.Type), flags)
	b = binary.AppendVarint(b, c.IssuedAt.Unix())
	b = binary.AppendVarint(b, c.ExpiresAt.Unix())
	if flags&flagMFA != 0 {
		b = binary.AppendVarint(b, c.MFAAuthenticatedAt.Unix())
	}
	for _, s := range [numStrings]string{
		c.AccessKeyID, c.SecretAccessKey, c.AccountID, c.UserID,
		c.UserName, c.UserPath, c.FederatedName, c.SourceAccessKeyID,
	} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	b = binary.AppendUvarint(b, uint64(len(packed)))
	b = append(b, packed...)
	if pad > 0 {
		b = binary.AppendUvarint(b, uint64(pad))
		b = append(b, make([]byte, pad)...)
	}
	return b
}

// decodeClaims decodes an authenticated plaintext. The eight strings share
// one allocation; the packed section is inflated only when present.
func decodeClaims(pt []byte) (Claims, bool) {
	var c Claims
	if len(pt) < minClaimsLen || pt[0] != claimsV1 {
		return Claims{}, false
	}
	c.Kind, c.Type = SessionKind(pt[1]), PrincipalType(pt[2])
	flags := pt[3]
	if flags&^knownFlags != 0 ||
		(c.Kind != SessionToken && c.Kind != Federation) ||
		(c.Type != Root && c.Type != User && c.Type != Federated) {
		return Claims{}, false
	}
	d := decoder{b: pt, off: 4}
	c.IssuedAt = time.Unix(d.varint(), 0).UTC()
	c.ExpiresAt = time.Unix(d.varint(), 0).UTC()
	if flags&flagMFA != 0 {
		c.MFAAuthenticatedAt = time.Unix(d.varint(), 0).UTC()
	}
	var spans [numStrings][2]int
	start := d.off
	for i := range spans {
		spans[i] = d.span()
	}
	if d.bad {
		return Claims{}, false
	}
	s := string(pt[start:d.off])
	str := func(i int) string { return s[spans[i][0]-start : spans[i][1]-start] }
	c.AccessKeyID, c.SecretAccessKey, c.AccountID, c.UserID = str(0), str(1), str(2), str(3)
	c.UserName, c.UserPath, c.FederatedName, c.SourceAccessKeyID = str(4), str(5), str(6), str(7)
	p := d.span()
	if flags&flagPadding != 0 {
		d.span()
	}
	if d.bad || d.off != len(pt) {
		return Claims{}, false
	}
	if p[1] > p[0] {
		var ok bool
		c.Policy, c.PolicyARNs, c.Tags, ok = unpack(pt[p[0]:p[1]])
		if !ok {
			return Claims{}, false
		}
	}
	return c, true
}

// decoder reads varints and length-prefixed spans from an authenticated
// plaintext. Lengths are checked against what is left before use, so nothing
// it returns can reach beyond its input. After the first error every read
// returns zero and bad stays set.
type decoder struct {
	b   []byte
	off int
	bad bool
}

func (d *decoder) varint() int64 {
	if d.bad {
		return 0
	}
	v, n := binary.Varint(d.b[d.off:])
	if n <= 0 {
		d.bad = true
		return 0
	}
	d.off += n
	return v
}

func (d *decoder) uvarint() uint64 {
	if d.bad {
		return 0
	}
	v, n := binary.Uvarint(d.b[d.off:])
	if n <= 0 {
		d.bad = true
		return 0
	}
	d.off += n
	return v
}

// span reads a length-prefixed field and returns its [start, end) offsets.
func (d *decoder) span() [2]int {
	n := d.uvarint()
	if d.bad || n > uint64(len(d.b)-d.off) {
		d.bad = true
		return [2]int{}
	}
	start := d.off
	d.off += int(n)
	return [2]int{start, d.off}
}
