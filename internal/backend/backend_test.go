package backend

import (
	"errors"
	"slices"
	"testing"
	"testing/fstest"
	"time"

	"github.com/opensts/opensts"
)

func TestMigrations(t *testing.T) {
	ok := fstest.MapFS{
		"migrations/0002_more.sql": {Data: []byte("B")},
		"migrations/0001_init.sql": {Data: []byte("A")},
	}
	ms, err := Migrations(ok)
	if err != nil || len(ms) != 2 || ms[0].Version != 1 || ms[0].SQL != "A" || ms[1].Name != "0002_more.sql" {
		t.Fatalf("Migrations = %+v, %v", ms, err)
	}
	for name, fsys := range map[string]fstest.MapFS{
		"gap":      {"migrations/0001_a.sql": {}, "migrations/0003_c.sql": {}},
		"bad name": {"migrations/init.sql": {}},
		"zero":     {"migrations/0000_a.sql": {}},
	} {
		if _, err := Migrations(fsys); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestMarkers(t *testing.T) {
	for _, key := range []string{"alice", "ünïcode", "a/b/c", "x"} {
		got, err := DecodeMarker(EncodeMarker(key))
		if err != nil || got != key {
			t.Errorf("round trip %q: %q %v", key, got, err)
		}
	}
	for _, bad := range []string{"", "!!!", EncodeMarker("a\x00b"), EncodeMarker("\xff")} {
		if _, err := DecodeMarker(bad); !errors.Is(err, opensts.ErrInvalidInput) {
			t.Errorf("DecodeMarker(%q) = %v, want ErrInvalidInput", bad, err)
		}
	}
	p := Page([]string{"a", "b", "c"}, []string{"a", "b", "c"}, opensts.ListOptions{MaxItems: 2})
	if len(p.Items) != 2 || p.Marker != EncodeMarker("b") {
		t.Fatalf("Page = %+v", p)
	}
	if p := Page([]string{"a"}, []string{"a"}, opensts.ListOptions{MaxItems: 2}); p.Marker != "" {
		t.Fatalf("last page has marker %q", p.Marker)
	}
}

func TestVersionIDs(t *testing.T) {
	for _, n := range []int{1, 9, 10, 12345} {
		if got, ok := ParseVersionID(VersionID(n)); !ok || got != n {
			t.Errorf("round trip %d: %d %v", n, got, ok)
		}
	}
	for _, bad := range []string{"", "v", "v0", "v01", "1", "V1", "v-1", "v2147483648", "v1.5"} {
		if _, ok := ParseVersionID(bad); ok {
			t.Errorf("ParseVersionID(%q) accepted", bad)
		}
	}
}

func TestTags(t *testing.T) {
	s, err := EncodeTags(nil)
	if err != nil || s != "[]" {
		t.Fatalf("EncodeTags(nil) = %q %v", s, err)
	}
	tags := []opensts.Tag{{Key: "team", Value: "core"}, {Key: "empty", Value: ""}}
	s, _ = EncodeTags(tags)
	got, err := DecodeTags(s)
	if err != nil || len(got) != 2 || got[1] != tags[1] {
		t.Fatalf("round trip: %+v %v", got, err)
	}
	if got, _ := DecodeTags("[]"); got != nil {
		t.Fatal("no tags decode to a non-nil slice")
	}
}

func TestCheckSnapshot(t *testing.T) {
	good := func() *opensts.Snapshot {
		return &opensts.Snapshot{
			DefaultAccountID: "123456789012",
			Accounts:         []opensts.Account{{ID: "123456789012"}},
			Policies: []opensts.SnapshotPolicy{{
				Policy:   opensts.ManagedPolicy{ID: "ANPA1", DefaultVersionID: "v3"},
				Versions: []opensts.PolicyVersion{{VersionID: "v1"}, {VersionID: "v3"}}, NextVersion: 4,
			}},
			Attachments: []opensts.SnapshotAttachment{
				{Owner: opensts.Owner{Kind: opensts.OwnerUser, ID: "AIDA1"}, PolicyID: "ANPA1"},
				{Owner: opensts.Owner{Kind: opensts.OwnerRole, ID: "AROA1"}, PolicyID: "ANPAIWMBCKSKIEE64ZLYK"}, // AdministratorAccess
			},
			OIDCProviders: []opensts.OIDCProvider{{AccountID: "123456789012", ID: "OIDP1", URL: "https://oidc.example.com"}},
			SAMLProviders: []opensts.SAMLProvider{{AccountID: "123456789012", ID: "SAMP1", UUID: "u", Name: "Okta", MetadataDocument: "<m/>"}},
			SigningKeys: []opensts.SigningKey{{ID: "abcdefghijklmnop", Algorithm: "RS256", Sealed: []byte{1}, Public: []byte{2},
				CreatedAt: time.Unix(1, 0), ActiveAt: time.Unix(1, 0)}},
			OutboundFederations: []opensts.OutboundFederation{{AccountID: "123456789012", Enabled: true, ChangedAt: time.Unix(2, 0)}},
		}
	}
	if err := CheckSnapshot(good()); err != nil {
		t.Fatalf("valid snapshot: %v", err)
	}
	cases := map[string]func(*opensts.Snapshot){
		"unknown default account":            func(s *opensts.Snapshot) { s.DefaultAccountID = "999999999999" },
		"missing default version":            func(s *opensts.Snapshot) { s.Policies[0].Policy.DefaultVersionID = "v2" },
		"next version reused":                func(s *opensts.Snapshot) { s.Policies[0].NextVersion = 3 },
		"attachment of no policy":            func(s *opensts.Snapshot) { s.Attachments[0].PolicyID = "ANPA2" },
		"OIDC provider URL without https://": func(s *opensts.Snapshot) { s.OIDCProviders[0].URL = "oidc.example.com" },
		"OIDC provider URL without a host":   func(s *opensts.Snapshot) { s.OIDCProviders[0].URL = "https://" },
		"SAML provider without a name":       func(s *opensts.Snapshot) { s.SAMLProviders[0].Name = "" },
		"SAML provider name with a slash":    func(s *opensts.Snapshot) { s.SAMLProviders[0].Name = "a/b" },
		"SAML provider without a UUID":       func(s *opensts.Snapshot) { s.SAMLProviders[0].UUID = "" },
		"SAML provider without metadata":     func(s *opensts.Snapshot) { s.SAMLProviders[0].MetadataDocument = "" },
		"signing key without an id":          func(s *opensts.Snapshot) { s.SigningKeys[0].ID = "" },
		"signing key without an algorithm":   func(s *opensts.Snapshot) { s.SigningKeys[0].Algorithm = "" },
		"signing key without a private key":  func(s *opensts.Snapshot) { s.SigningKeys[0].Sealed = nil },
		"signing key without a public key":   func(s *opensts.Snapshot) { s.SigningKeys[0].Public = nil },
		"signing key never active":           func(s *opensts.Snapshot) { s.SigningKeys[0].ActiveAt = time.Time{} },
		"federation of an unknown account":   func(s *opensts.Snapshot) { s.OutboundFederations[0].AccountID = "999999999999" },
		"bad owner kind": func(s *opensts.Snapshot) {
			s.InlinePolicies = []opensts.SnapshotInlinePolicy{{Owner: opensts.Owner{Kind: "instance-profile"}}}
		},
	}
	for name, edit := range cases {
		s := good()
		edit(s)
		if err := CheckSnapshot(s); !errors.Is(err, opensts.ErrInvalidInput) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if err := CheckSnapshot(nil); err == nil {
		t.Error("nil snapshot accepted")
	}
}

func TestIdentityDocument(t *testing.T) {
	tests := []struct {
		source opensts.PolicySource
		path   string
		wantID string
	}{
		{opensts.SourceUserInline, "", "Read"},
		{opensts.SourceGroupInline, "", "Read"},
		{opensts.SourceManaged, "/team/", "arn:aws:iam::123456789012:policy/team/Read"},
		{opensts.SourceGroupManaged, "/", "arn:aws:iam::123456789012:policy/Read"},
	}
	for _, tt := range tests {
		d := IdentityDocument(tt.source, "123456789012", tt.path, "Read", "{}")
		if d.ID != tt.wantID || d.Source != tt.source || d.Document != "{}" {
			t.Errorf("IdentityDocument(%q, %q) = %+v, want ID %q", tt.source, tt.path, d, tt.wantID)
		}
	}
}

func TestBoundaryPolicy(t *testing.T) {
	tests := []struct {
		arn, stored string
		wantName    string
		found       bool
	}{
		{"arn:aws:iam::123456789012:policy/Boundary", "", "Boundary", true},
		{"arn:aws:iam::123456789012:policy/Boundary", "/", "Boundary", true},
		{"arn:aws:iam::123456789012:policy/team/Boundary", "/team/", "Boundary", true},
		{"arn:aws:iam::123456789012:policy/team/Boundary", "/other/", "Boundary", false},
		{"arn:aws:iam::123456789012:policy/Boundary", "/team/", "Boundary", false},
		{"arn:aws:iam::210987654321:policy/Boundary", "/", "", false},
		{"arn:aws:iam::123456789012:user/Boundary", "/", "", false},
		{"not an arn", "/", "", false},
	}
	for _, tt := range tests {
		path, name, err := BoundaryPolicy("123456789012", tt.arn)
		if err == nil {
			if name != tt.wantName {
				t.Errorf("BoundaryPolicy(%q) name = %q, want %q", tt.arn, name, tt.wantName)
			}
			err = MatchesBoundary(tt.arn, path, tt.stored)
		}
		if found := err == nil; found != tt.found {
			t.Errorf("%q with stored path %q: found = %v (%v), want %v", tt.arn, tt.stored, found, err, tt.found)
		}
		if err != nil && !errors.Is(err, opensts.ErrNotFound) {
			t.Errorf("%q: error %v is not ErrNotFound", tt.arn, err)
		}
	}
}

func TestPageAttached(t *testing.T) {
	mine := opensts.AttachedPolicy{Name: "AdministratorAccess", ARN: "arn:aws:iam::123456789012:policy/team/AdministratorAccess"}
	aws := opensts.AttachedPolicy{Name: "AdministratorAccess", ARN: "arn:aws:iam::aws:policy/AdministratorAccess"}
	beta := opensts.AttachedPolicy{Name: "beta", ARN: "arn:aws:iam::123456789012:policy/Beta"}
	items := func() []opensts.AttachedPolicy { return []opensts.AttachedPolicy{beta, aws, mine} }

	var got []opensts.AttachedPolicy
	opt := opensts.ListOptions{MaxItems: 1}
	for range 4 {
		p, err := PageAttached(items(), opt)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, p.Items...)
		if p.Marker == "" {
			break
		}
		opt.Marker = p.Marker
	}
	if want := []opensts.AttachedPolicy{mine, aws, beta}; !slices.Equal(got, want) {
		t.Errorf("pages = %v, want %v", got, want)
	}
	p, err := PageAttached(items(), opensts.ListOptions{PathPrefix: "/team/"})
	if err != nil || !slices.Equal(p.Items, []opensts.AttachedPolicy{mine}) || p.Marker != "" {
		t.Errorf("PathPrefix /team/ = %+v, %v", p, err)
	}
	if _, err := PageAttached(items(), opensts.ListOptions{Marker: "!!"}); !errors.Is(err, opensts.ErrInvalidInput) {
		t.Errorf("bad marker: %v", err)
	}
}

func TestSamePolicy(t *testing.T) {
	const p = "arn:aws:iam::123456789012:policy/team/Ops"
	for arn, want := range map[string]bool{
		p: true,
		"arn:aws:iam::123456789012:policy/team/OPS": true,
		"arn:aws:iam::123456789012:policy/Team/Ops": false,
		"arn:aws:iam::123456789012:policy/Ops":      false,
		"arn:aws:iam::210987654321:policy/team/Ops": false,
		"arn:aws:iam::123456789012:role/team/Ops":   false,
		"arn:aws:iam::aws:policy/team/Ops":          false,
		"Ops":                                       false,
	} {
		if got := SamePolicy(arn, p); got != want {
			t.Errorf("SamePolicy(%q) = %v, want %v", arn, got, want)
		}
	}
}
