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
// issues, and version 2 only for what it cannot hold.
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
		"GetSessionToken":             {sessionClaims(), claimsV1},
		"GetFederationToken":          {federationClaims(), claimsV1},
		"AssumeRole":                  {role, claimsV2},
		"a source identity":           {withSourceIdentity, claimsV2},
		"a transitive tag":            {transitive, claimsV2},
		"web identity, no source key": {func() Claims { c := role; c.Kind, c.SourceAccessKeyID = WebIdentity, ""; return c }(), claimsV2},
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
}
