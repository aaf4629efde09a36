package opensts

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestFederatedTags(t *testing.T) {
	many := make([]Tag, 51)
	for i := range many {
		many[i] = Tag{Key: fmt.Sprintf("k%02d", i), Value: "v"}
	}
	cases := []struct {
		name       string
		tags       []Tag
		transitive []string
		want       string // the tags in order, or the error's message
	}{
		{"sorted by key", []Tag{{"b", "2"}, {"a", "1"}}, []string{"A", "a"}, "a=1 b=2 transitive [A]"},
		{"empty value", []Tag{{"a", ""}}, nil, "a= transitive []"},
		{"too many", many, nil, "The SAML assertion has more than 50 session tags"},
		{"aws prefix", []Tag{{"AWS:x", "1"}}, nil, "Tag keys may not begin with the reserved prefix aws:"},
		{"duplicate without case", []Tag{{"Team", "1"}, {"team", "2"}}, nil, "Duplicate tag keys found. Please note that Tag keys are case insensitive."},
		{"key too long", []Tag{{strings.Repeat("k", 129), "1"}}, nil, `Tag keys in the SAML assertion must be 1 to 128 characters matching [\p{L}\p{Z}\p{N}_.:/=+\-@]+`},
		{"bad value", []Tag{{"k", "a*b"}}, nil, `Tag values in the SAML assertion must be 0 to 256 characters matching [\p{L}\p{Z}\p{N}_.:/=+\-@]*`},
		{"transitive not a tag", []Tag{{"a", "1"}}, []string{"b"}, "The specified transitive tag key must be included in the requested tags."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tags, trans, err := FederatedTags("the SAML assertion", tc.tags, tc.transitive)
			var got string
			if err != nil {
				if !errors.Is(err, ErrInvalidIdentityToken) {
					t.Fatalf("error kind: %v", err)
				}
				got = err.Error()
			} else {
				for _, tg := range tags {
					got += tg.Key + "=" + tg.Value + " "
				}
				got += fmt.Sprintf("transitive %v", trans)
			}
			if got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}
