package webidentity

import (
	"encoding/json"

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
	if len(claim.PrincipalTags) > opensts.MaxSessionTagsPerSession {
		return nil, nil, invalid("The ID Token provided has more than 50 principal_tags")
	}
	tags := make([]opensts.Tag, 0, len(claim.PrincipalTags))
	for k, rv := range claim.PrincipalTags {
		var vals []string
		if json.Unmarshal(rv, &vals) != nil || len(vals) != 1 {
			return nil, nil, invalid("Each value of principal_tags in the ID Token provided must be a list of one string")
		}
		tags = append(tags, opensts.Tag{Key: k, Value: vals[0]})
	}
	tags, trans, err := opensts.FederatedTags("the ID Token provided", tags, claim.TransitiveTagKeys)
	if err != nil || len(tags) == 0 {
		return nil, trans, err
	}
	return tags, trans, nil
}
