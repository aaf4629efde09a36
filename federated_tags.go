package opensts

import (
	"sort"
	"strings"
	"unicode/utf8"
)

// FederatedTags applies AssumeRole's rules for session tags (roles-spec
// §2.8, §3.6, §4.4) to the tags and transitive keys an identity provider
// put in a token or assertion, named by source in messages ("the ID Token
// provided", "the SAML assertion"): at most MaxSessionTagsPerSession tags,
// keys 1–128 and values 0–256 characters of the tag patterns, no "aws:"
// prefix, keys unique case-insensitively, transitive keys among the tags
// (kept once each). Tags come back in key order (neither a JSON object nor
// attributes have one); errors are of kind ErrInvalidIdentityToken.
func FederatedTags(source string, tags []Tag, transitive []string) ([]Tag, []string, error) {
	invalid := func(format string, args ...any) error { return Errorf(ErrInvalidIdentityToken, format, args...) }
	if len(tags) > MaxSessionTagsPerSession {
		return nil, nil, invalid("%s has more than %d session tags", capitalize(source), MaxSessionTagsPerSession)
	}
	seen := make(map[string]bool, len(tags))
	for _, t := range tags {
		if n := utf8.RuneCountInString(t.Key); n < 1 || n > 128 || !PatternTagKey.Match(t.Key) {
			return nil, nil, invalid(`Tag keys in %s must be 1 to 128 characters matching [\p{L}\p{Z}\p{N}_.:/=+\-@]+`, source)
		}
		if n := utf8.RuneCountInString(t.Value); n > 256 || !PatternTagValue.Match(t.Value) {
			return nil, nil, invalid(`Tag values in %s must be 0 to 256 characters matching [\p{L}\p{Z}\p{N}_.:/=+\-@]*`, source)
		}
		lk := strings.ToLower(t.Key)
		if strings.HasPrefix(lk, "aws:") {
			return nil, nil, invalid("Tag keys may not begin with the reserved prefix aws:")
		}
		if seen[lk] {
			return nil, nil, invalid("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
		}
		seen[lk] = true
	}
	out := append([]Tag(nil), tags...)
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	var trans []string
	dup := map[string]bool{}
	for _, k := range transitive {
		lk := strings.ToLower(k)
		if !seen[lk] {
			return nil, nil, invalid("The specified transitive tag key must be included in the requested tags.")
		}
		if !dup[lk] {
			dup[lk] = true
			trans = append(trans, k)
		}
	}
	return out, trans, nil
}

// MaxSessionTagsPerSession is AWS's bound on a session's tags.
const MaxSessionTagsPerSession = 50

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
