package api

import (
	"net/url"
	"testing"
)

// FuzzDecodeParams: the form decoder never panics, and what it decodes
// obeys the protocol's rules (first value wins; lists stop at a gap; integer
// members either decode to an int32 or fail as MalformedInput).
func FuzzDecodeParams(f *testing.F) {
	for _, s := range []string{
		"Action=GetSessionToken&Version=2011-06-15&DurationSeconds=900",
		"Action=GetFederationToken&Version=2011-06-15&Name=Bob&PolicyArns.member.1.arn=arn%3Aaws%3Aiam%3A%3A123456789012%3Apolicy%2Fp&Tags.member.1.Key=a&Tags.member.1.Value=b",
		"DurationSeconds=+0900&DurationSeconds=abc",
		"Tags=&TagKeys.member.1=x&TagKeys.member.3=y",
		"%zz=1", "a=%", ";;;", "",
	} {
		f.Add([]byte(s), "")
		f.Add([]byte(""), s)
	}
	f.Fuzz(func(t *testing.T, body []byte, query string) {
		p, err := decodeParams(body, true, query)
		if err != nil {
			if err != errMalformedQuery {
				t.Fatalf("unexpected error type %v", err)
			}
			return
		}
		for k, vs := range p {
			if v := p.get(k); v == nil || *v != vs[0] {
				t.Fatalf("get(%q) is not the first value", k)
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
		_ = url.Values(p)
	})
}
