package token

import (
	"encoding/binary"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// appendV1 writes claims exactly as the release before version 2 did,
// including the IAM user's name and path that version 2 no longer carries.
func appendV1(c Claims, typ byte, userName, userPath string, packed []byte) []byte {
	var flags byte
	if !c.MFAAuthenticatedAt.IsZero() {
		flags |= flagMFA
	}
	b := []byte{claimsV1, byte(c.Kind), typ, flags}
	b = binary.AppendVarint(b, c.IssuedAt.Unix())
	b = binary.AppendVarint(b, c.ExpiresAt.Unix())
	if flags&flagMFA != 0 {
		b = binary.AppendVarint(b, c.MFAAuthenticatedAt.Unix())
	}
	for _, s := range []string{c.AccessKeyID, c.SecretAccessKey, c.AccountID, c.HolderID, userName, userPath, c.SessionName, c.SourceAccessKeyID} {
		b = appendString(b, s)
	}
	b = binary.AppendUvarint(b, uint64(len(packed)))
	return append(b, packed...)
}

// Tokens the previous release sealed (version 1) open as the same sessions.
func TestClaims_ReadsVersion1(t *testing.T) {
	user := sessionClaims()
	root := sessionClaims()
	root.Holder, root.HolderID = Root, root.AccountID
	fed := federationClaims()
	fedRoot := federationClaims()
	fedRoot.Holder, fedRoot.HolderID = Root, fedRoot.AccountID
	for name, tc := range map[string]struct {
		c   Claims
		typ byte
	}{
		"user session":          {user, 2},
		"root session":          {root, 1},
		"user's federated user": {fed, 3},
		"root's federated user": {fedRoot, 3},
	} {
		t.Run(name, func(t *testing.T) {
			packed, _ := Pack(tc.c.Policy, tc.c.PolicyARNs, tc.c.Tags)
			got, ok := decodeClaims(appendV1(tc.c, tc.typ, "alice", "/engineering/", packed))
			if !ok {
				t.Fatal("version 1 claims do not decode")
			}
			if d := cmp.Diff(tc.c, got, cmpClaims); d != "" {
				t.Fatalf("(-sealed +opened):\n%s", d)
			}
		})
	}
}

// Seal writes version 1 for what version 1 holds, so the previous release
// reads every GetSessionToken and GetFederationToken session a new node
// issues, version 2 for other AssumeRole sessions, and version 3 only for
// web identity and SAML sessions.
func TestClaims_WritesLowestVersion(t *testing.T) {
	role := sessionClaims()
	role.Kind, role.Holder, role.HolderID, role.SessionName = AssumedRole, Role, "AROAQ3EGUWQW6EXAMPLE1", "deploy@ci"
	withSourceIdentity := federationClaims()
	withSourceIdentity.SourceIdentity = "alice@example.com"
	transitive := federationClaims()
	transitive.Tags[1].Transitive = true
	for name, tc := range map[string]struct {
		c    Claims
		want byte
	}{
		"GetSessionToken":    {sessionClaims(), claimsV1},
		"GetFederationToken": {federationClaims(), claimsV1},
		"AssumeRole":         {role, claimsV2},
		"a source identity":  {withSourceIdentity, claimsV2},
		"a transitive tag":   {transitive, claimsV2},
		"web identity": {func() Claims {
			c := role
			c.Kind, c.SourceAccessKeyID = WebIdentity, ""
			c.ProviderID, c.Subject, c.Audience = "OIDPQ3EGUWQW6EXAMPLE", "repo:octo-org/octo-repo:ref:refs/heads/main", "sts.amazonaws.com"
			return c
		}(), claimsV3},
		"SAML": {func() Claims {
			c := role
			c.Kind, c.SourceAccessKeyID = SAML, ""
			c.ProviderID, c.Subject, c.Audience, c.SubjectType = "SAMLQ3EGUWQW6EXAMPLE", "alice", "https://signin.aws.amazon.com/saml", "persistent"
			return c
		}(), claimsV3},
	} {
		t.Run(name, func(t *testing.T) {
			packed, _ := Pack(tc.c.Policy, tc.c.PolicyARNs, tc.c.Tags)
			pt := appendClaims(nil, &tc.c, packed, 0)
			if pt[0] != tc.want {
				t.Fatalf("version %d, want %d", pt[0], tc.want)
			}
			r := mustRing(t, testKey(1, "a"))
			got, err := Open(r, mustSeal(t, r, tc.c), t0)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.c, got, cmpClaims); d != "" {
				t.Fatalf("(-sealed +opened):\n%s", d)
			}
		})
	}
}

// A version 2 transitive bit set naming a tag the session does not have is
// refused, as is a version 1 plaintext of a role session.
func TestClaims_RefusesInconsistentVersions(t *testing.T) {
	c := federationClaims()
	c.Tags[0].Transitive = true
	packed, _ := Pack(c.Policy, c.PolicyARNs, c.Tags)
	pt := appendClaims(nil, &c, packed, 0)
	if _, ok := decodeClaims(pt); !ok {
		t.Fatal("valid version 2 claims refused")
	}
	// Drop every tag but keep the bit set: re-encode with a packing of no tags.
	noTags, _ := Pack(c.Policy, c.PolicyARNs, nil)
	c2 := c
	c2.Tags = []Tag{{Key: "a", Transitive: true}}
	pt = appendClaims(nil, &c2, noTags, 0)
	if _, ok := decodeClaims(pt); ok {
		t.Fatal("a transitive bit beyond the tags decoded")
	}
	role := sessionClaims()
	role.Kind, role.SessionName = AssumedRole, "s"
	if _, ok := decodeClaims(appendV1(role, 2, "", "", nil)); ok {
		t.Fatal("a version 1 role session decoded")
	}

	// Version 3 is the federated kinds' and only theirs: a web identity
	// session written as version 2, or an AssumeRole session written as
	// version 3, does not decode; nor does one without its provider.
	web := role
	web.Holder, web.HolderID = Role, "AROAQ3EGUWQW6EXAMPLE1"
	web.Kind, web.ProviderID, web.Subject, web.Audience = WebIdentity, "OIDPQ3EGUWQW6EXAMPLE", "sub-1", "sts.amazonaws.com"
	pt = appendClaims(nil, &web, nil, 0)
	if _, ok := decodeClaims(pt); !ok || pt[0] != claimsV3 {
		t.Fatalf("valid version 3 claims refused (version %d)", pt[0])
	}
	for name, mutate := range map[string]func([]byte){
		"web identity as version 2": func(b []byte) { b[0] = claimsV2 },
		"AssumeRole as version 3":   func(b []byte) { b[1] = byte(AssumedRole) },
		"version 4":                 func(b []byte) { b[0] = claimsV3 + 1 },
	} {
		b := append([]byte(nil), pt...)
		mutate(b)
		if _, ok := decodeClaims(b); ok {
			t.Errorf("%s decoded", name)
		}
	}
	noProvider := web
	noProvider.ProviderID = ""
	if _, ok := decodeClaims(appendClaims(nil, &noProvider, nil, 0)); ok {
		t.Error("version 3 claims without a provider decoded")
	}
}
