package webidentity

import (
	"encoding/json"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/opensts/opensts"
)

// sessionTags reads the https://aws.amazon.com/tags claim:
//
//	{"principal_tags": {"Project": ["Automation"]}, "transitive_tag_keys": ["Project"]}
//
// Each value is a single-element list of strings. The limits are
// AssumeRole's (roles-spec §2.8, §3.6): 50 tags, keys 1–128 and values
// 0–256 characters of the tag pattern, no "aws:" prefix, keys unique
// case-insensitively, transitive keys among the tags. Tags come back in
// key order (JSON objects have none).
func sessionTags(raw json.RawMessage) ([]opensts.Tag, []string, error) {
	var claim struct {
		PrincipalTags     map[string]json.RawMessage `json:"principal_tags"`
		TransitiveTagKeys []string                   `json:"transitive_tag_keys"`
	}
	if err := json.Unmarshal(raw, &claim); err != nil {
		return nil, nil, invalid("The https://aws.amazon.com/tags claim of the ID Token provided is malformed")
	}
	if len(claim.PrincipalTags) > maxTags {
		return nil, nil, invalid("The ID Token provided has more than 50 principal_tags")
	}
	tags := make([]opensts.Tag, 0, len(claim.PrincipalTags))
	seen := make(map[string]bool, len(claim.PrincipalTags))
	for k, rv := range claim.PrincipalTags {
		var vals []string
		if json.Unmarshal(rv, &vals) != nil || len(vals) != 1 {
			return nil, nil, invalid("Each value of principal_tags in the ID Token provided must be a list of one string")
		}
		v := vals[0]
		if n := utf8.RuneCountInString(k); n < 1 || n > maxTagKey || !opensts.PatternTagKey.Match(k) {
			return nil, nil, invalid(`Tag keys in the ID Token provided must be 1 to 128 characters matching [\p{L}\p{Z}\p{N}_.:/=+\-@]+`)
		}
		if n := utf8.RuneCountInString(v); n > maxTagValue || !opensts.PatternTagValue.Match(v) {
			return nil, nil, invalid(`Tag values in the ID Token provided must be 0 to 256 characters matching [\p{L}\p{Z}\p{N}_.:/=+\-@]*`)
		}
		lk := strings.ToLower(k)
		if strings.HasPrefix(lk, "aws:") {
			return nil, nil, invalid("Tag keys may not begin with the reserved prefix aws:")
		}
		if seen[lk] {
			return nil, nil, invalid("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
		}
		seen[lk] = true
		tags = append(tags, opensts.Tag{Key: k, Value: v})
	}
	sort.Slice(tags, func(i, j int) bool { return tags[i].Key < tags[j].Key })
	var trans []string
	dup := map[string]bool{}
	for _, k := range claim.TransitiveTagKeys {
		lk := strings.ToLower(k)
		if !seen[lk] {
			return nil, nil, invalid("The specified transitive tag key must be included in the requested tags.")
		}
		if !dup[lk] {
			dup[lk] = true
			trans = append(trans, k)
		}
	}
	if len(tags) == 0 {
		tags = nil
	}
	return tags, trans, nil
}
