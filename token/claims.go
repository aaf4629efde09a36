package token

import (
	"encoding/binary"
	"fmt"
	"time"
)

// HolderType is who holds the permissions a session acts with.
type HolderType uint8

const (
	Root HolderType = iota + 1 // the account root
	User                       // an IAM user
	Role                       // an IAM role
)

// String names the holder type.
func (t HolderType) String() string {
	switch t {
	case Root:
		return "root"
	case User:
		return "user"
	case Role:
		return "role"
	}
	return fmt.Sprintf("HolderType(%d)", uint8(t))
}

// SessionKind says which STS action issued a session.
type SessionKind uint8

const (
	SessionToken SessionKind = iota + 1 // GetSessionToken
	Federation                          // GetFederationToken
	AssumedRole                         // AssumeRole
	WebIdentity                         // AssumeRoleWithWebIdentity
	SAML                                // AssumeRoleWithSAML
)

// String returns the STS action name.
func (k SessionKind) String() string {
	switch k {
	case SessionToken:
		return "GetSessionToken"
	case Federation:
		return "GetFederationToken"
	case AssumedRole:
		return "AssumeRole"
	case WebIdentity:
		return "AssumeRoleWithWebIdentity"
	case SAML:
		return "AssumeRoleWithSAML"
	}
	return fmt.Sprintf("SessionKind(%d)", uint8(k))
}

func (k SessionKind) roleSession() bool { return k == AssumedRole || k == WebIdentity || k == SAML }

// federated kinds are role sessions an identity provider vouched for.
func (k SessionKind) federated() bool { return k == WebIdentity || k == SAML }

// Tag is a session tag; Transitive tags pass on to role sessions chained
// from this one (AssumeRole's TransitiveTagKeys).
type Tag struct {
	Key, Value string
	Transitive bool
}

// Claims is everything a session token carries: the temporary credentials,
// who holds the permissions and what kind of session it is, when it expires,
// the MFA fact and the session policy and tags.
//
// Seal's rules: Kind and Holder are one of the constants, and
//   - Kind SessionToken goes with Holder Root or User and no SessionName;
//   - Kind Federation with Holder Root or User and a SessionName (the
//     federated user's name);
//   - the role kinds (AssumedRole, WebIdentity, SAML) with Holder Role and a
//     SessionName (the role session name);
//   - WebIdentity and SAML, and only they, with a ProviderID and a Subject.
//
// AccessKeyID, SecretAccessKey, AccountID, HolderID, IssuedAt and ExpiresAt
// are required, and ExpiresAt is after IssuedAt. At most 64 tags. Field
// bounds, in bytes, are those of PackedBudget's arithmetic: access key ids
// and HolderID 32, SecretAccessKey 64, AccountID 12, SessionName and
// SourceIdentity 64, ProviderID 32, Subject and Audience 255 (IAM's bounds
// of SubjectFromWebIdentityToken and of a client id), SubjectType 64.
//
// Empty and nil PolicyARNs or Tags are the same; Open returns nil for them.
type Claims struct {
	AccessKeyID     string // ASIA…: the temporary access key id
	SecretAccessKey string // 40 characters
	Kind            SessionKind
	Holder          HolderType
	AccountID       string
	// HolderID is the IAM user's id (AIDA…), the role's id (AROA…), or the
	// account id for the root. Names, paths and tags are read from the store
	// when the session is used, not carried.
	HolderID string
	// SessionName is GetFederationToken's Name or the role session name.
	SessionName string
	// SourceAccessKeyID is the long-term key that requested the session,
	// directly or through a chain; empty when none did (web identity, SAML).
	SourceAccessKeyID string
	SourceIdentity    string // AssumeRole's SourceIdentity, kept through chaining
	// ProviderID, Subject, Audience and SubjectType are who an identity
	// provider vouched for, in web identity and SAML sessions only (and
	// required there but SubjectType): the OIDC or SAML provider's unique
	// id, the token's sub (the assertion's NameID), the audience that
	// matched and, for SAML, the NameID's format.
	ProviderID         string
	Subject            string
	Audience           string
	SubjectType        string
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
		c.Kind, c.AccessKeyID, c.Holder, c.HolderID, c.AccountID, c.ExpiresAt.UTC().Format(time.RFC3339))
}

// GoString is String, so %#v does not print the secret either.
func (c Claims) GoString() string { return c.String() }

// Field bounds in bytes. Identifiers OpenSTS generates are shorter (ASIA/AKIA
// + 16 = 20, AIDA/AROA + 17 = 21, secrets 40); GetFederationToken's Name is
// 2–32 and role session names and source identities 2–64 (spec §2.3,
// roles-spec §2.1).
const (
	maxKeyIDLen       = 32
	maxSecretLen      = 64
	maxAccountIDLen   = 12
	maxHolderIDLen    = 32
	maxSessionNameLen = 64
	maxSourceIDLen    = 64
	maxProviderIDLen  = 32
	maxSubjectLen     = 255
	maxAudienceLen    = 255
	maxSubjectTypeLen = 64
	maxTags           = 64 // the transitive flags are one bit each in a uint64
)

func (c *Claims) check() error {
	switch {
	case c.Kind < SessionToken || c.Kind > SAML:
		return fmt.Errorf("%w: unknown session kind %d", ErrInvalidClaims, c.Kind)
	case c.Holder < Root || c.Holder > Role:
		return fmt.Errorf("%w: unknown holder type %d", ErrInvalidClaims, c.Holder)
	case c.Kind.roleSession() != (c.Holder == Role):
		return fmt.Errorf("%w: %s session held by a %s", ErrInvalidClaims, c.Kind, c.Holder)
	case c.Kind != SessionToken && c.SessionName == "":
		return fmt.Errorf("%w: %s session without a session name", ErrInvalidClaims, c.Kind)
	case c.Kind == SessionToken && c.SessionName != "":
		return fmt.Errorf("%w: session name on a GetSessionToken session", ErrInvalidClaims)
	case c.AccessKeyID == "" || c.SecretAccessKey == "" || c.AccountID == "" || c.HolderID == "":
		return fmt.Errorf("%w: access key id, secret, account id and holder id are required", ErrInvalidClaims)
	case c.IssuedAt.IsZero() || c.ExpiresAt.IsZero():
		return fmt.Errorf("%w: issue and expiry times are required", ErrInvalidClaims)
	case c.ExpiresAt.Unix() <= c.IssuedAt.Unix():
		return fmt.Errorf("%w: expiry must be after issue time", ErrInvalidClaims)
	case len(c.Tags) > maxTags:
		return fmt.Errorf("%w: %d tags, at most %d", ErrInvalidClaims, len(c.Tags), maxTags)
	case c.Kind.federated() && (c.ProviderID == "" || c.Subject == ""):
		return fmt.Errorf("%w: %s session without a provider and subject", ErrInvalidClaims, c.Kind)
	case !c.Kind.federated() && (c.ProviderID != "" || c.Subject != "" || c.Audience != "" || c.SubjectType != ""):
		return fmt.Errorf("%w: federated identity on a %s session", ErrInvalidClaims, c.Kind)
	}
	for _, f := range [...]struct {
		name string
		len  int
		max  int
	}{
		{"access key id", len(c.AccessKeyID), maxKeyIDLen},
		{"secret access key", len(c.SecretAccessKey), maxSecretLen},
		{"account id", len(c.AccountID), maxAccountIDLen},
		{"holder id", len(c.HolderID), maxHolderIDLen},
		{"session name", len(c.SessionName), maxSessionNameLen},
		{"source access key id", len(c.SourceAccessKeyID), maxKeyIDLen},
		{"source identity", len(c.SourceIdentity), maxSourceIDLen},
		{"provider id", len(c.ProviderID), maxProviderIDLen},
		{"subject", len(c.Subject), maxSubjectLen},
		{"audience", len(c.Audience), maxAudienceLen},
		{"subject type", len(c.SubjectType), maxSubjectTypeLen},
	} {
		if f.len > f.max {
			return fmt.Errorf("%w: %s is %d bytes, at most %d", ErrInvalidClaims, f.name, f.len, f.max)
		}
	}
	return nil
}

// v1 reports whether the claims can be written in version 1, which the
// release before version 2 reads: GetSessionToken and GetFederationToken
// sessions without a source identity or transitive tags. Seal writes the
// lowest version that holds the claims, so a fleet in the middle of an
// upgrade keeps accepting every session either release issues
// (docs/multi-node.md).
func (c *Claims) v1() bool {
	if c.Kind != SessionToken && c.Kind != Federation || c.SourceIdentity != "" {
		return false
	}
	for _, t := range c.Tags {
		if t.Transitive {
			return false
		}
	}
	return true
}

// Claims encoding (the AEAD plaintext). Version 1:
//
//	version      1 byte (0x01)
//	kind         1 byte (SessionToken 1, Federation 2)
//	type         1 byte: 1 root, 2 IAM user, 3 federated user (whose
//	             holder is the root when the user id is the account id)
//	flags        1 byte: bit 0 = MFAAuthenticatedAt present, bit 1 =
//	             padding present; others zero
//	issued       varint Unix seconds
//	expires      varint Unix seconds
//	mfa          varint Unix seconds, only when flag bit 0 is set
//	8 strings    uvarint length + bytes each: AccessKeyID, SecretAccessKey,
//	             AccountID, UserID (HolderID), UserName, UserPath,
//	             FederatedName (SessionName), SourceAccessKeyID; the user's
//	             name and path are written empty and ignored when read
//	packed       uvarint length + Pack's bytes (length 0: no policy,
//	             ARNs or tags)
//	padding      uvarint length + that many zero bytes, only when flag bit 1
//	             is set (MinimumSessionTokenSize)
//
// Version 2 is the caller model itself:
//
//	version      1 byte (0x02)
//	kind         1 byte (SessionKind)
//	holder       1 byte (HolderType)
//	flags        1 byte, as version 1
//	issued, expires, mfa as version 1
//	6 strings    AccessKeyID, SecretAccessKey, AccountID, HolderID,
//	             SessionName, SourceAccessKeyID, SourceIdentity
//	transitive   uvarint bit set over Tags: bit i = Tags[i] is transitive
//	packed, padding as version 1
//
// Version 3 is version 2 with the federated identity of web identity and
// SAML sessions, which only version 3 holds and only they carry:
//
//	version      1 byte (0x03)
//	…            as version 2, up to and including the transitive bit set
//	4 strings    ProviderID, Subject, Audience, SubjectType
//	packed, padding as version 1
//
// Nothing may follow.
const (
	claimsV1     = 0x01
	claimsV2     = 0x02
	claimsV3     = 0x03
	v3Strings    = 4
	flagMFA      = 1 << 0
	flagPadding  = 1 << 1
	knownFlags   = flagMFA | flagPadding
	v1Strings    = 8
	v2Strings    = 7
	v1Federated  = 3 // version 1's principal type of federated users
	minClaimsLen = 4 + 1 + 1 + v2Strings + 1
)

// appendClaims appends the plaintext in the lowest version that holds c;
// pad > 0 adds a padding field of that many zero bytes.
func appendClaims(b []byte, c *Claims, packed []byte, pad int) []byte {
	var flags byte
	if !c.MFAAuthenticatedAt.IsZero() {
		flags |= flagMFA
	}
	if pad > 0 {
		flags |= flagPadding
	}
	switch {
	case c.v1():
		typ := byte(c.Holder)
		if c.Kind == Federation {
			typ = v1Federated
		}
		b = append(b, claimsV1, byte(c.Kind), typ, flags)
	case c.Kind.federated():
		b = append(b, claimsV3, byte(c.Kind), byte(c.Holder), flags)
	default:
		b = append(b, claimsV2, byte(c.Kind), byte(c.Holder), flags)
	}
	b = binary.AppendVarint(b, c.IssuedAt.Unix())
	b = binary.AppendVarint(b, c.ExpiresAt.Unix())
	if flags&flagMFA != 0 {
		b = binary.AppendVarint(b, c.MFAAuthenticatedAt.Unix())
	}
	if c.v1() {
		for _, s := range [v1Strings]string{
			c.AccessKeyID, c.SecretAccessKey, c.AccountID, c.HolderID,
			"", "", c.SessionName, c.SourceAccessKeyID,
		} {
			b = appendString(b, s)
		}
	} else {
		for _, s := range [v2Strings]string{
			c.AccessKeyID, c.SecretAccessKey, c.AccountID, c.HolderID,
			c.SessionName, c.SourceAccessKeyID, c.SourceIdentity,
		} {
			b = appendString(b, s)
		}
		var transitive uint64
		for i, t := range c.Tags {
			if t.Transitive {
				transitive |= 1 << i
			}
		}
		b = binary.AppendUvarint(b, transitive)
		if c.Kind.federated() {
			for _, s := range [v3Strings]string{c.ProviderID, c.Subject, c.Audience, c.SubjectType} {
				b = appendString(b, s)
			}
		}
	}
	b = binary.AppendUvarint(b, uint64(len(packed)))
	b = append(b, packed...)
	if pad > 0 {
		b = binary.AppendUvarint(b, uint64(pad))
		b = append(b, make([]byte, pad)...)
	}
	return b
}

// decodeClaims decodes an authenticated plaintext of either version. The
// strings share one allocation; the packed section is inflated only when
// present.
func decodeClaims(pt []byte) (Claims, bool) {
	var c Claims
	if len(pt) < minClaimsLen || pt[0] < claimsV1 || pt[0] > claimsV3 {
		return Claims{}, false
	}
	v2, v3 := pt[0] >= claimsV2, pt[0] == claimsV3
	c.Kind = SessionKind(pt[1])
	flags := pt[3]
	switch {
	case flags&^knownFlags != 0:
		return Claims{}, false
	case v2:
		c.Holder = HolderType(pt[2])
		if c.Kind < SessionToken || c.Kind > SAML || c.Holder < Root || c.Holder > Role || c.Kind.roleSession() != (c.Holder == Role) ||
			c.Kind.federated() != v3 {
			return Claims{}, false
		}
	default:
		// Version 1: a federated user's type stands for its kind; its
		// holder is told apart below by its user id.
		switch typ := pt[2]; {
		case c.Kind == SessionToken && (typ == byte(Root) || typ == byte(User)):
			c.Holder = HolderType(typ)
		case c.Kind == Federation && typ == v1Federated:
		default:
			return Claims{}, false
		}
	}
	d := decoder{b: pt, off: 4}
	c.IssuedAt = time.Unix(d.varint(), 0).UTC()
	c.ExpiresAt = time.Unix(d.varint(), 0).UTC()
	if flags&flagMFA != 0 {
		c.MFAAuthenticatedAt = time.Unix(d.varint(), 0).UTC()
	}
	n := v1Strings
	if v2 {
		n = v2Strings
	}
	var spans [v1Strings][2]int
	start := d.off
	for i := range n {
		spans[i] = d.span()
	}
	if d.bad {
		return Claims{}, false
	}
	s := string(pt[start:d.off])
	str := func(i int) string { return s[spans[i][0]-start : spans[i][1]-start] }
	c.AccessKeyID, c.SecretAccessKey, c.AccountID, c.HolderID = str(0), str(1), str(2), str(3)
	var transitive uint64
	if v2 {
		c.SessionName, c.SourceAccessKeyID, c.SourceIdentity = str(4), str(5), str(6)
		transitive = d.uvarint()
		if v3 {
			var fed [v3Strings][2]int
			fstart := d.off
			for i := range fed {
				fed[i] = d.span()
			}
			if d.bad {
				return Claims{}, false
			}
			f := string(pt[fstart:d.off])
			fstr := func(i int) string { return f[fed[i][0]-fstart : fed[i][1]-fstart] }
			c.ProviderID, c.Subject, c.Audience, c.SubjectType = fstr(0), fstr(1), fstr(2), fstr(3)
			if c.ProviderID == "" || c.Subject == "" {
				return Claims{}, false
			}
		}
	} else {
		c.SessionName, c.SourceAccessKeyID = str(6), str(7)
		if c.Kind == Federation {
			c.Holder = User
			if c.HolderID == c.AccountID {
				c.Holder = Root
			}
		}
	}
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
	if len(c.Tags) > maxTags || transitive>>len(c.Tags) != 0 {
		return Claims{}, false
	}
	for i := range c.Tags {
		c.Tags[i].Transitive = transitive&(1<<i) != 0
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
