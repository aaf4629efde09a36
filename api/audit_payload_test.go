package api

import (
	"bytes"
	"net/url"
	"strings"
	"testing"

	"github.com/opensts/opensts/internal/jsonw"
)

// secretForTest stands for the auditor's list of secret member names.
func secretForTest(name string) bool {
	return strings.EqualFold(name, "password") || name == "tokenCode"
}

// scrubbed is what the map path gives once the auditor has dropped the
// secret names at the top level (the cases below nest none).
func scrubbed(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	for k := range m {
		if secretForTest(k) {
			delete(m, k)
		}
	}
	return m
}

// The payloads write exactly what the maps they replace encode to.
func TestAuditPayloads_MatchMaps(t *testing.T) {
	op := &operation{name: "GetSessionToken", secret: []string{"TokenCode"}}
	queries := []string{
		"Action=GetSessionToken&Version=2011-06-15",
		"Action=GetSessionToken&Version=2011-06-15&DurationSeconds=900",
		"DurationSeconds=900&SerialNumber=arn%3Aaws%3Aiam%3A%3A1%3Amfa%2Fa&TokenCode=123456",
		"Zed=1&apple=2&Apple=3&apple=4",              // names equal once lowered, and order by lowered name
		"Name=x&name=y&Éclair=%22q%22%5C&Password=p", // non-ASCII first letter, escapes, a secret name
		"Tags.member.1.Key=k&Tags.member.1.Value=v&DurationSeconds=900",
		"X-Amz-Security-Token=t&Policy=%7B%7D",
		"Empty=",
	}
	for _, q := range queries {
		form, err := url.ParseQuery(q)
		if err != nil {
			t.Fatal(err)
		}
		p := params(form)
		want := jsonw.AppendObject(nil, scrubbed(requestParameters(p, op)))
		a := auditParams{p: p, op: op}
		var got []byte
		switch a.shape() {
		case noParams:
			got = []byte("null")
		case flatParams:
			got, _ = a.AppendJSON(nil, secretForTest)
		case nestedParams:
			continue // recorded through the map
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s:\n got %s\nwant %s", q, got, want)
		}
	}

	responses := []*node{
		el("GetSessionTokenResult", el("Credentials",
			leaf("AccessKeyId", "ASIAEXAMPLE"), leaf("SecretAccessKey", "s"), leaf("SessionToken", "t"), leaf("Expiration", "2026-01-02T03:04:05Z"))),
		el("ListUsersResult", list("Users", []*node{el("member", leaf("UserName", "a"), leaf("Path", "/")), el("member", leaf("UserName", "b\"<>"))}),
			leaf("IsTruncated", "false")),
		el("R", leaf("Same", "first"), leaf("Other", "o"), leaf("Same", "last"), leaf("Password", "p"), el("Empty")),
	}
	for _, n := range responses {
		want := jsonw.AppendObject(nil, scrubbed(n.object(auditKey)))
		got, dropped := (*auditResponse)(n).AppendJSON(nil, secretForTest)
		if !bytes.Equal(got, want) {
			t.Errorf("%s:\n got %s\nwant %s", n.name, got, want)
		}
		if bytes.Contains(want, []byte(`"password"`)) || (n.name == "R") != (dropped == "password") {
			t.Errorf("%s: dropped %q", n.name, dropped)
		}
	}
}
