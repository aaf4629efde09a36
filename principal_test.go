package opensts

import (
	"testing"
	"time"
)

// The caller model's derivations for every holder × session kind.
func TestPrincipal_Derivations(t *testing.T) {
	const acct = "123456789012"
	root := Holder{Type: HolderRoot, AccountID: acct, ID: acct}
	user := Holder{Type: HolderUser, AccountID: acct, ID: "AIDAEXAMPLE", Name: "alice", Path: "/eng/"}
	role := Holder{Type: HolderRole, AccountID: acct, ID: "AROAEXAMPLE", Name: "Deploy", Path: "/ci/"}
	mfa := time.Unix(1_800_000_000, 0)
	session := func(k SessionKind, name, source string, mfaAt time.Time) *Session {
		return &Session{Kind: k, Name: name, SourceAccessKeyID: source, MFAAuthenticatedAt: mfaAt}
	}
	cases := []struct {
		name                                string
		p                                   Principal
		arn, userID, ptype, ctype, throttle string
		root, mfa                           bool
	}{
		{"root keys", Principal{Holder: root, AccessKeyID: "AKIAROOT"},
			"arn:aws:iam::123456789012:root", acct, "Account", "Root", "AKIAROOT", true, false},
		{"root GetSessionToken", Principal{Holder: root, AccessKeyID: "ASIA1", Session: session(SessionToken, "", "AKIAROOT", mfa)},
			"arn:aws:iam::123456789012:root", acct, "Account", "Root", "AKIAROOT", true, true},
		{"root's federated user", Principal{Holder: root, AccessKeyID: "ASIA2", Session: session(SessionFederation, "Bob", "AKIAROOT", time.Time{})},
			"arn:aws:sts::123456789012:federated-user/Bob", acct + ":Bob", "FederatedUser", "FederatedUser", "AKIAROOT", false, false},
		{"user keys", Principal{Holder: user, AccessKeyID: "AKIAUSER"},
			"arn:aws:iam::123456789012:user/eng/alice", "AIDAEXAMPLE", "User", "IAMUser", "AKIAUSER", false, false},
		{"user GetSessionToken", Principal{Holder: user, AccessKeyID: "ASIA3", Session: session(SessionToken, "", "AKIAUSER", time.Time{})},
			"arn:aws:iam::123456789012:user/eng/alice", "AIDAEXAMPLE", "User", "IAMUser", "AKIAUSER", false, false},
		{"user's federated user", Principal{Holder: user, AccessKeyID: "ASIA4", Session: session(SessionFederation, "Bob", "AKIAUSER", mfa)},
			"arn:aws:sts::123456789012:federated-user/Bob", acct + ":Bob", "FederatedUser", "FederatedUser", "AKIAUSER", false, true},
		{"assumed role", Principal{Holder: role, AccessKeyID: "ASIA5", Session: session(SessionAssumedRole, "deploy@ci", "AKIAUSER", mfa)},
			"arn:aws:sts::123456789012:assumed-role/Deploy/deploy@ci", "AROAEXAMPLE:deploy@ci", "AssumedRole", "AssumedRole", "AKIAUSER", false, true},
		{"web identity", Principal{Holder: role, AccessKeyID: "ASIA6", Session: session(SessionWebIdentity, "gh-123", "", time.Time{})},
			"arn:aws:sts::123456789012:assumed-role/Deploy/gh-123", "AROAEXAMPLE:gh-123", "AssumedRole", "AssumedRole", "role:AROAEXAMPLE", false, false},
		{"SAML", Principal{Holder: role, AccessKeyID: "ASIA7", Session: session(SessionSAML, "alice@example.com", "", time.Time{})},
			"arn:aws:sts::123456789012:assumed-role/Deploy/alice@example.com", "AROAEXAMPLE:alice@example.com", "AssumedRole", "AssumedRole", "role:AROAEXAMPLE", false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.p
			got := []any{p.ARN(), p.UserID(), p.PrincipalType(), p.IdentityType(), p.ThrottleKey(), p.IsRoot(), p.MFA()}
			want := []any{tc.arn, tc.userID, tc.ptype, tc.ctype, tc.throttle, tc.root, tc.mfa}
			for i := range got {
				if got[i] != want[i] {
					t.Errorf("derivation %d = %v, want %v", i, got[i], want[i])
				}
			}
			if p.Temporary() != (p.Session != nil) {
				t.Error("Temporary")
			}
		})
	}
	if got := (Holder{Type: HolderRole, AccountID: acct, Name: "Deploy", Path: "/ci/"}).ARN(); got != "arn:aws:iam::123456789012:role/ci/Deploy" {
		t.Errorf("role ARN %s", got)
	}
}

// An unknown kind fails loudly rather than being taken for another.
func TestPrincipal_UnknownKindsPanic(t *testing.T) {
	for name, f := range map[string]func(){
		"holder":  func() { _ = Holder{Type: 9}.ARN() },
		"session": func() { p := Principal{Holder: Holder{Type: HolderUser}, Session: &Session{Kind: 42}}; _ = p.ARN() },
		"string":  func() { _ = SessionKind(42).String() },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("no panic")
				}
			}()
			f()
		})
	}
}

// roles-spec §4.5's vectors.
func TestSAMLProvider_NameQualifier(t *testing.T) {
	for _, tc := range []struct{ issuer, name, want string }{
		{"https://example.com/saml", "MySAMLIdP", "1uAJanUnBc2XeUkHURMht+xam2c="},
		{"https://integ.example.com/idp/shibboleth", "SAML-test", "h+wxl3tEgK1s2mVZeB/3Iu3VyiM="},
	} {
		p := SAMLProvider{AccountID: "123456789012", Name: tc.name, EntityID: tc.issuer}
		if got := p.NameQualifier(); got != tc.want {
			t.Errorf("NameQualifier(%s, %s) = %s, want %s", tc.issuer, tc.name, got, tc.want)
		}
	}
}

func TestPrincipal_PrincipalARNAndTags(t *testing.T) {
	role := Holder{Type: HolderRole, AccountID: "123456789012", ID: "AROAX", Name: "CI", Path: "/", Tags: []Tag{{"team", "red"}, {"env", "prod"}}}
	user := Holder{Type: HolderUser, AccountID: "123456789012", ID: "AIDAX", Name: "alice", Path: "/"}
	cases := []struct {
		name     string
		p        Principal
		arn      string
		wantTags map[string]string
	}{
		{"role session: the role", Principal{Holder: role, Session: &Session{Kind: SessionWebIdentity, Name: "s", Tags: []Tag{{"Team", "blue"}}}},
			"arn:aws:iam::123456789012:role/CI", map[string]string{"Team": "blue", "env": "prod"}},
		{"user", Principal{Holder: user}, "arn:aws:iam::123456789012:user/alice", map[string]string{}},
		{"federated user", Principal{Holder: user, Session: &Session{Kind: SessionFederation, Name: "Bob", Tags: []Tag{{"k", "v"}}}},
			"arn:aws:sts::123456789012:federated-user/Bob", map[string]string{"k": "v"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.p.PrincipalARN(); got != tc.arn {
				t.Errorf("PrincipalARN = %s, want %s", got, tc.arn)
			}
			got := map[string]string{}
			for _, tg := range tc.p.PrincipalTags() {
				got[tg.Key] = tg.Value
			}
			if len(got) != len(tc.wantTags) {
				t.Fatalf("PrincipalTags = %v, want %v", got, tc.wantTags)
			}
			for k, v := range tc.wantTags {
				if got[k] != v {
					t.Fatalf("PrincipalTags = %v, want %v", got, tc.wantTags)
				}
			}
		})
	}
}
