package policy

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// globBacktrack is the matcher globParts replaced: greedy, backtracking to
// the last star on a mismatch, len(pattern) × len(s) steps in the worst
// case. It is the reference the tests compare globParts with.
func globBacktrack(parts []part, vals []string, s string, fold bool) bool {
	pi, si, vi := 0, 0, 0
	starPi, starSi, starVi := -1, 0, 0
	for {
		if pi < len(parts) {
			pt := &parts[pi]
			switch pt.kind {
			case partStar:
				starPi, starSi, starVi = pi, si, vi
				pi++
				continue
			case partQmark:
				if si < len(s) {
					si += runeLen(s[si:])
					pi++
					continue
				}
			case partVar:
				v := vals[vi]
				if hasPrefix(s[si:], v, fold) {
					si += len(v)
					pi++
					vi++
					continue
				}
			default:
				if hasPrefix(s[si:], pt.text, fold) {
					si += len(pt.text)
					pi++
					continue
				}
			}
		} else if si == len(s) {
			return true
		}
		if starPi < 0 || starSi >= len(s) {
			return false
		}
		starSi += runeLen(s[starSi:])
		pi, si, vi = starPi+1, starSi, starVi
	}
}

// globRegexp translates parts into an anchored regular expression: a second,
// independent reference for patterns and values that are valid UTF-8.
func globRegexp(parts []part, vals []string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString(`(?s)\A`)
	vi := 0
	for _, pt := range parts {
		switch pt.kind {
		case partStar:
			b.WriteString(`.*`)
		case partQmark:
			b.WriteString(`.`)
		case partVar:
			b.WriteString(regexp.QuoteMeta(vals[vi]))
			vi++
		default:
			b.WriteString(regexp.QuoteMeta(pt.text))
		}
	}
	b.WriteString(`\z`)
	return regexp.MustCompile(b.String())
}

// globResult is the new matcher's answer and the references'.
type globResult struct {
	got, backtrack bool
	regexp         *bool // nil when an input is not valid UTF-8 or fold is set
	resolved       bool  // false when a variable has no value (both must be false)
}

// globCase compiles pat as a Resource or StringLike value (or, with fold, as
// an action name), resolves its variables from ctx, and matches value.
func globCase(pat, value string, ctx *Context, fold bool) globResult {
	var pp pattern
	if fold {
		pp = compilePattern(lowerASCII(pat), true, false)
	} else {
		pp = compilePattern(pat, true, true)
	}
	r := globResult{got: pp.match(value, ctx, fold), resolved: true}
	var vals []string
	valid := utf8.ValidString(pat) && utf8.ValidString(value)
	for i := range pp.parts {
		if pp.parts[i].kind == partVar {
			v, ok := pp.parts[i].resolve(ctx)
			if !ok {
				r.resolved = false
				return r
			}
			vals = append(vals, v)
			valid = valid && utf8.ValidString(v)
		}
	}
	r.backtrack = globBacktrack(pp.parts, vals, value, fold)
	if valid && !fold {
		m := globRegexp(pp.parts, vals).MatchString(value)
		r.regexp = &m
	}
	return r
}

func TestGlob_MatchesReference(t *testing.T) {
	ctx := ctxOf(map[string][]string{"aws:username": {"bob"}, "k": {"a*?"}, "e": {""}, "u": {"é"}})
	tests := []struct {
		pattern, value string
		fold           bool
	}{
		{"", "", false},
		{"", "a", false},
		{"*", "", false},
		{"?", "", false},
		{"?", "é", false},
		{"??", "é", false},
		{"a*", "a", false},
		{"*a", "ba", false},
		{"*a*", "bab", false},
		{"a*b*c", "abc", false},
		{"a*b*c", "abbc", false},
		{"a*b*c", "acb", false},
		{"a*b?c", "abxbyc", false},
		{"*ab?d*", "abcabxd", false},
		{"*?b", "b", false},
		{"*?b", "ab", false},
		{"*??", "é", false},
		{"*??", "éa", false},
		{"*é?", "aéé", false},
		{"*a*a*a*a*b", strings.Repeat("a", 40), false},
		{"*a*a*a*a*a", strings.Repeat("a", 5), false},
		{"*a?a?a*b", "aaaaaaab", false},
		{"x*${aws:username}*y", "xbobby", false},
		{"x*${aws:username}", "xbobbob", false},
		{"*${aws:username}?", "bobbob", false},
		{"*${k}*", "xa*?y", false},
		{"*${k}*", "xaby", false},
		{"*${e}*", "", false},
		{"*a${e}b*", "xaby", false},
		{"*a${aws:username}b*", "abobb", false},
		{"*${u}?", "aéé", false},
		{"*${missing}*", "x", false},
		{"${missing, 'd'}*", "dx", false},
		{"*GET*OBJ?CT", "getobjectgetobject", true},
		{"*get*obj?ct", "GetObjectGetObjXct", true},
		{"s3:get*", "s3:GetObject", true},
		{"*\xff*", "a\xffb", false},
		{"*?*", "\xe2\x82", false},
		{"*€?", "€\xe2\x82", false},
	}
	for _, tc := range tests {
		r := globCase(tc.pattern, tc.value, ctx, tc.fold)
		if !r.resolved {
			if r.got {
				t.Errorf("%q vs %q: matched with an unresolved variable", tc.pattern, tc.value)
			}
			continue
		}
		if r.got != r.backtrack {
			t.Errorf("%q vs %q (fold %v): got %v, backtracking matcher %v", tc.pattern, tc.value, tc.fold, r.got, r.backtrack)
		}
		if r.regexp != nil && *r.regexp != r.got {
			t.Errorf("%q vs %q: got %v, regexp %v", tc.pattern, tc.value, r.got, *r.regexp)
		}
	}
}

// FuzzGlob checks the linear matcher against the backtracking one (and a
// regexp translation when everything is valid UTF-8) on random patterns,
// values and variable values; the variable ${v} reads the third input.
func FuzzGlob(f *testing.F) {
	f.Add("*a*a*a*b", "aaaaaaaa", "", false)
	f.Add("arn:aws:s3:::bucket/home/${v}/*", "arn:aws:s3:::bucket/home/bob/x", "bob", false)
	f.Add("*${v}?x*", "ab?xcx", "b", false)
	f.Add("iam:*Access?ey*", "IAM:CreateAccessKey", "", true)
	f.Add("*?é*", "aéé", "é", false)
	f.Add("*\xe2\x82*?", "€\xe2\x82ab", "\x82", false)
	f.Fuzz(func(t *testing.T, pattern, value, v string, fold bool) {
		if len(pattern) > 256 || len(value) > 256 {
			return // the reference is quadratic; the fuzzer wants speed
		}
		ctx := ctxOf(map[string][]string{"v": {v}})
		r := globCase(pattern, value, ctx, fold)
		if !r.resolved {
			if r.got {
				t.Fatalf("%q vs %q: matched with an unresolved variable", pattern, value)
			}
			return
		}
		// Parse accepts only valid UTF-8, so literals always are; a
		// variable's value may not be, and then the two matchers may
		// differ on where a character starts (see globParts).
		if r.got != r.backtrack && utf8.ValidString(pattern) && utf8.ValidString(v) {
			t.Fatalf("%q vs %q (v %q, fold %v): got %v, backtracking matcher %v", pattern, value, v, fold, r.got, r.backtrack)
		}
		if r.regexp != nil && *r.regexp != r.got {
			t.Fatalf("%q vs %q (v %q): got %v, regexp %v", pattern, value, v, r.got, *r.regexp)
		}
	})
}
