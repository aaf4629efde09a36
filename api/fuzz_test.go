package api

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

// FuzzDecodeParams: the form decoder never panics, agrees with
// url.ParseQuery on what it keeps, stays within its bounds (parameter count,
// name length and depth, one value per name), and what it decodes obeys the
// protocol's rules (lists stop at a gap; integer members either decode to an
// int32 or fail as MalformedInput).
func FuzzDecodeParams(f *testing.F) {
	for _, s := range []string{
		"Action=GetSessionToken&Version=2011-06-15&DurationSeconds=900",
		"Action=GetFederationToken&Version=2011-06-15&Name=Bob&PolicyArns.member.1.arn=arn%3Aaws%3Aiam%3A%3A123456789012%3Apolicy%2Fp&Tags.member.1.Key=a&Tags.member.1.Value=b",
		"DurationSeconds=+0900&DurationSeconds=abc",
		"Name=alice&Name=alice&Name=zed",
		"Tags=&TagKeys.member.1=x&TagKeys.member.3=y",
		"A.member.1000.A.member.1000.A.member.1000.A.member.1000.A.member.1000=x",
		strings.Repeat("a", 300) + "=1&b=2",
		"%zz=1", "a=%", ";;;", "",
	} {
		f.Add([]byte(s), "")
		f.Add([]byte(""), s)
	}
	f.Fuzz(func(t *testing.T, body []byte, query string) {
		p, err := decodeParams(body, true, query)
		if err != nil {
			var mi *malformedInputError
			if err != errMalformedQuery && !errors.As(err, &mi) {
				t.Fatalf("unexpected error type %v", err)
			}
			return
		}
		if len(p) > maxParams {
			t.Fatalf("%d parameters decoded", len(p))
		}
		ref, _ := url.ParseQuery(string(body))
		refQ, _ := url.ParseQuery(query)
		for k, vs := range p {
			if len(vs) != 1 {
				t.Fatalf("%q has %d values", k, len(vs))
			}
			if len(k) > maxNameBytes || strings.Count(k, ".") >= maxNameSegments {
				t.Fatalf("name %q is beyond the bounds", k)
			}
			want := append(ref[k], refQ[k]...)
			if len(want) == 0 || want[0] != vs[0] {
				t.Fatalf("%q = %q, url.ParseQuery has %q", k, vs[0], want)
			}
		}
		n, err := p.int32("DurationSeconds")
		if err == nil && n != nil && (*n < -1<<31 || *n > 1<<31-1) {
			t.Fatalf("int32 decoded %d", *n)
		}
		if err != nil {
			if _, ok := err.(*malformedInputError); !ok {
				t.Fatalf("int32 error %T", err)
			}
		}
		if l := p.list("TagKeys"); len(l) > maxListMembers {
			t.Fatalf("list of %d members", len(l))
		}
		for _, m := range p.structs("Tags", "Key", "Value") {
			if m["Key"] == nil && m["Value"] == nil {
				t.Fatal("empty struct decoded")
			}
		}
		// The audit tree stays within its node budget, whatever the names.
		if n := countNodes(requestParameters(p, stsService.ops["GetSessionToken"])); n > maxAuditNodes+1 {
			t.Fatalf("audit tree of %d nodes", n)
		}
	})
}

// countNodes counts the maps, list slots and values of an audit tree.
func countNodes(v any) int {
	switch v := v.(type) {
	case map[string]any:
		n := 1
		for _, x := range v {
			n += countNodes(x)
		}
		return n
	case []any:
		n := 0
		for _, x := range v {
			n += 1 + countNodes(x)
		}
		return n
	}
	return 0
}

func TestMemberIndexTooLarge(t *testing.T) {
	for name, want := range map[string]bool{
		"ActionNames.member.1":                                 false,
		"ActionNames.member.1000":                              false,
		"ActionNames.member.1001":                              true,
		"ActionNames.member.99999999999999999999":              true,
		"ActionNames.member.01001":                             false, // not an index the decoder reads
		"ContextEntries.member.1.ContextKeyValues.member.1000": false,
		"ContextEntries.member.1.ContextKeyValues.member.2000": true,
		"ContextEntries.member.5000.ContextKeyName":            true,
		"Action":            false,
		"X.member.":         false,
		"X.member.member.7": false,
	} {
		if got := memberIndexTooLarge(name); got != want {
			t.Errorf("memberIndexTooLarge(%q) = %v, want %v", name, got, want)
		}
	}
}
