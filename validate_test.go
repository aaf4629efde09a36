package opensts

import (
	"strings"
	"testing"
)

func ptr(s string) *string { return &s }

// AWS's ValidationError format, item order and code-point lengths (spec §2.8).
func TestValidationError(t *testing.T) {
	cases := []struct {
		name  string
		check func(*ValidationError)
		want  string
	}{
		{"null", func(v *ValidationError) { v.CheckString("name", nil, StringRule{Required: true}) },
			"1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null"},
		{"pattern before length", func(v *ValidationError) {
			v.CheckString("policy", ptr(""), StringRule{Min: 1, Pattern: &PatternPolicyText})
		}, `2 validation errors detected: Value '' at 'policy' failed to satisfy constraint: Member must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u00FF]+; Value '' at 'policy' failed to satisfy constraint: Member must have length greater than or equal to 1`},
		{"code points, not bytes", func(v *ValidationError) {
			v.CheckString("name", ptr(strings.Repeat("é", 32)), StringRule{Max: 32})
		}, ""},
		{"33 code points", func(v *ValidationError) {
			v.CheckString("name", ptr(strings.Repeat("é", 33)), StringRule{Max: 32})
		}, "1 validation error detected: Value '" + strings.Repeat("é", 33) + "' at 'name' failed to satisfy constraint: Member must have length less than or equal to 32"},
		{"int range", func(v *ValidationError) {
			n := int64(129601)
			v.CheckInt("durationSeconds", &n, false, 900, 129600)
		}, "1 validation error detected: Value '129601' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 129600"},
		{"sensitive value left out", func(v *ValidationError) {
			v.CheckString("webIdentityToken", ptr("eyJ"), StringRule{Required: true, Min: 4, Max: 20000, Sensitive: true})
		}, "1 validation error detected: Value at 'webIdentityToken' failed to satisfy constraint: Member must have length greater than or equal to 4"},
		{"sensitive and null", func(v *ValidationError) {
			v.CheckString("webIdentityToken", nil, StringRule{Required: true, Sensitive: true})
		}, "1 validation error detected: Value null at 'webIdentityToken' failed to satisfy constraint: Member must not be null"},
		{"optional absent", func(v *ValidationError) {
			v.CheckString("serialNumber", nil, StringRule{Min: 9})
			v.CheckInt("durationSeconds", nil, false, 900, 129600)
		}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var v ValidationError
			tc.check(&v)
			err := v.Err()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("unexpected %v", err)
				}
				return
			}
			if err == nil || err.Error() != tc.want {
				t.Fatalf("got  %v\nwant %s", err, tc.want)
			}
		})
	}
}

func TestPatterns(t *testing.T) {
	cases := []struct {
		p     Pattern
		value string
		ok    bool
	}{
		{PatternName, "Bob", true}, {PatternName, "a=b,c.d@e-f_g+h", true}, {PatternName, "", true}, {PatternName, "a b", false}, {PatternName, "a/b", false},
		{PatternSerialNumber, "arn:aws:iam::123456789012:mfa/alice", true}, {PatternSerialNumber, "GAHT12345678", true}, {PatternSerialNumber, "a b", false},
		{PatternTokenCode, "123456", true}, {PatternTokenCode, "12345a", false}, {PatternTokenCode, "１２３４５６", false},
		{PatternPolicyText, "{\t\n\r é}", true}, {PatternPolicyText, "{ \u0100 }", false},
		{PatternARN, "arn:aws:iam::123456789012:policy/p", true}, {PatternARN, "arn:😀", false},
		{PatternTagKey, "team name", true}, {PatternTagKey, "a#b", false}, {PatternTagValue, "", true},
		{PatternPath, "/", true}, {PatternPath, "/a/b/", true}, {PatternPath, "/a", false},
		{PatternPolicyPath, "/a/b/", true}, {PatternPolicyPath, "/a b/", false},
	}
	for _, tc := range cases {
		if got := tc.p.Match(tc.value); got != tc.ok {
			t.Errorf("%s matches %q = %v, want %v", tc.p.Text, tc.value, got, tc.ok)
		}
	}
}

// classInputs exercise the edges of the class patterns' ranges.
var classInputs = []string{
	"", "a", "\t\n\r", " ~", "\x7f", "\u0080", "\u0085", "\u009f", "\u00a0", "\u00ff", "\u0100",
	"\ud7ff", "\ue000", "\ufffd", "\ufffe", "\U00010000", "\x00", "\x08", "\x1f", "ok\xffbad", "\xc3",
	`{"Version":"2012-10-17","Statement":[]}`, "arn:aws:iam::123456789012:policy/Ünïcode",
}

// The rune-by-rune class patterns answer as their regular expressions.
func TestClassPatterns(t *testing.T) {
	inputs := classInputs
	for b := range 256 { // every byte, alone and inside valid text
		inputs = append(inputs, string([]byte{byte(b)}), "ab"+string([]byte{byte(b)})+"é")
	}
	for _, p := range []Pattern{PatternPolicyText, PatternARN} {
		for _, s := range inputs {
			if got, want := p.Match(s), p.re.MatchString(s); got != want {
				t.Errorf("%s on %q: %v, regexp says %v", p.Text, s, got, want)
			}
		}
	}
}

func FuzzClassPatterns(f *testing.F) {
	for _, s := range classInputs {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, p := range []Pattern{PatternPolicyText, PatternARN} {
			if got, want := p.Match(s), p.re.MatchString(s); got != want {
				t.Fatalf("%s on %q: %v, regexp says %v", p.Text, s, got, want)
			}
		}
	})
}

func TestValidSessionNameAndSourceIdentity(t *testing.T) {
	for _, tc := range []struct {
		s                 string
		name, sourceIdent bool
	}{
		{"ab", true, true}, {"a", false, false}, {strings.Repeat("a", 64), true, true}, {strings.Repeat("a", 65), false, false},
		{"alice@example.com", true, true}, {"a b", false, false}, {"é1", false, false}, {"aws:x", false, false},
		{"AWS:admin", false, false}, {"awsx", true, true}, {"a_+=,.@-9", true, true},
	} {
		if got := ValidSessionName(tc.s); got != tc.name {
			t.Errorf("ValidSessionName(%q) = %v, want %v", tc.s, got, tc.name)
		}
		if got := ValidSourceIdentity(tc.s); got != tc.sourceIdent {
			t.Errorf("ValidSourceIdentity(%q) = %v, want %v", tc.s, got, tc.sourceIdent)
		}
	}
}

// BenchmarkPolicyTextPattern checks a 500-character policy document, as
// every call carrying a session policy does.
func BenchmarkPolicyTextPattern(b *testing.B) {
	doc := `{"Version":"2012-10-17","Statement":[` + strings.Repeat(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},`, 6) + `{"Effect":"Deny","Action":"iam:*","Resource":"*"}]}`
	for b.Loop() {
		if !PatternPolicyText.Match(doc) {
			b.Fatal("no match")
		}
	}
}
