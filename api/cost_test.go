package api_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/opensts/opensts/api"
	"github.com/opensts/opensts/sigv4"
)

// Hostile requests: as large as a body may be (api.DefaultMaxBodyBytes),
// built from the inputs that cost the old wildcard matcher minutes of CPU,
// sent through the real handler by a caller allowed only the action. Each
// must be answered — evaluated, cut short with a Marker, or refused as too
// much work — within costBound.

// policyJSON renders a 2012-10-17 document with the given statements.
func policyJSON(t *testing.T, stmts ...map[string]any) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": stmts})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// maxDocument is the longest PolicyInputList member (policyDocumentType).
const maxDocument = 131072

// policyInputs adds PolicyInputList members holding stmts, as many
// statements per document as its limit allows.
func policyInputs(t *testing.T, form url.Values, stmts []map[string]any) {
	t.Helper()
	n := 0
	for len(stmts) > 0 {
		k := len(stmts)
		for len(policyJSON(t, stmts[:k]...)) > maxDocument {
			k = k * 3 / 4
		}
		n++
		form.Set("PolicyInputList.member."+strconv.Itoa(n), policyJSON(t, stmts[:k]...))
		stmts = stmts[k:]
	}
}

// chunks splits values into statements made by stmt, each holding at most
// per values.
func chunks(values []string, per int, stmt func([]string) map[string]any) []map[string]any {
	var out []map[string]any
	for len(values) > 0 {
		k := min(per, len(values))
		out = append(out, stmt(values[:k]))
		values = values[k:]
	}
	return out
}

// repeatItem returns n copies of s.
func repeatItem(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

// addList adds Name.member.N for each value.
func addList(form url.Values, name string, values []string) {
	for i, v := range values {
		form.Set(name+".member."+strconv.Itoa(i+1), v)
	}
}

// longARN is an ARN of ResourceNameType's 2,048 characters.
var longARN = "arn:aws:s3:::" + strings.Repeat("a", 2048-len("arn:aws:s3:::"))

// almostMatching is a pattern the old matcher compared part by part at
// every position of an "aaa…" value: a star, then parts that all match
// but the last.
func almostMatching(parts int) string { return "*" + strings.Repeat("a?", parts/2) + "b" }

// mustAllow gives a new user one inline policy allowing action, and returns
// its key.
func (h *harness) mustAllow(name, action string) creds {
	h.t.Helper()
	c := h.mustUser(name)
	doc := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"` + action + `","Resource":"*"}}`
	if r := h.do(root, iamForm("PutUserPolicy", "UserName", name, "PolicyName", "allow", "PolicyDocument", doc)); r.status != 200 {
		h.t.Fatalf("PutUserPolicy: %s", r.body)
	}
	return c
}

// timed sends form as c and fails the test if the answer took longer than
// costBound or the body exceeded the server's limit.
func (h *harness) timed(t *testing.T, c creds, form url.Values) response {
	t.Helper()
	if n := len(form.Encode()); n > api.DefaultMaxBodyBytes {
		t.Fatalf("request body %d bytes, over the %d-byte limit", n, api.DefaultMaxBodyBytes)
	}
	start := time.Now()
	r := h.do(c, form)
	took := time.Since(start)
	t.Logf("%d-byte request: %d in %v", len(form.Encode()), r.status, took)
	if took > costBound {
		t.Fatalf("answered in %v, want under %v", took, costBound)
	}
	return r
}

// wantAnswerOrTooMuch accepts a 200 or the refusal of a pair that alone
// needs more than a request's share of evaluation work.
func wantAnswerOrTooMuch(t *testing.T, r response, code string) {
	t.Helper()
	if r.status == http.StatusOK {
		return
	}
	if r.status != http.StatusBadRequest || between(r.body, "Code") != code ||
		!strings.Contains(between(r.body, "Message"), "exceeds the evaluation work OpenSTS allows one request") {
		t.Fatalf("got %d, want 200 or 400 %s for too much work: %.2000s", r.status, code, r.body)
	}
}

func TestCost_SimulateCustomPolicy(t *testing.T) {
	h := newHarness(t)
	sim := h.mustAllow("simulator", "iam:SimulateCustomPolicy")
	allowAll := func(extra map[string]any) map[string]any {
		stmt := map[string]any{"Effect": "Allow", "Action": "*", "Resource": "*"}
		for k, v := range extra {
			stmt[k] = v
		}
		return stmt
	}
	tests := []struct {
		name string
		form func() url.Values
		// pages is whether the budget must cut the page short.
		pages bool
	}{
		{"almost matching pattern against a long context value", func() url.Values {
			f := iamForm("SimulateCustomPolicy", "ActionNames.member.1", "s3:ListBucket",
				"ContextEntries.member.1.ContextKeyName", "s3:prefix", "ContextEntries.member.1.ContextKeyType", "string",
				"ContextEntries.member.1.ContextKeyValues.member.1", strings.Repeat("a", 600_000))
			policyInputs(t, f, []map[string]any{allowAll(map[string]any{
				"Condition": map[string]any{"StringLike": map[string]any{"s3:prefix": almostMatching(120_000)}}})})
			return f
		}, false},
		{"almost matching resources against 1,000 long pairs", func() url.Values {
			f := iamForm("SimulateCustomPolicy", "PermissionsBoundaryPolicyInputList.member.1", policyJSON(t, allowAll(nil)), "MaxItems", "1000")
			policyInputs(t, f, chunks(repeatItem("arn:aws:s3:::"+almostMatching(1000), 240), 120, func(rs []string) map[string]any {
				return allowAll(map[string]any{"Resource": rs})
			}))
			addList(f, "ActionNames", repeatItem("s3:GetObject", 10))
			addList(f, "ResourceArns", repeatItem(longARN, 100))
			return f
		}, true},
		{"StringLike values × context values", func() url.Values {
			f := iamForm("SimulateCustomPolicy", "ActionNames.member.1", "s3:ListBucket",
				"ContextEntries.member.1.ContextKeyName", "s3:prefix", "ContextEntries.member.1.ContextKeyType", "stringList")
			policyInputs(t, f, chunks(repeatItem("*a*a*a*b*", 14_000), 7_000, func(vs []string) map[string]any {
				return allowAll(map[string]any{"Condition": map[string]any{"ForAnyValue:StringLike": map[string]any{"s3:prefix": vs}}})
			}))
			addList(f, "ContextEntries.member.1.ContextKeyValues", repeatItem(strings.Repeat("a", 64), 1000))
			return f
		}, false},
		{"thousands of statements", func() url.Values {
			stmts := make([]map[string]any, 2500)
			for i := range stmts {
				stmts[i] = allowAll(map[string]any{"Resource": "arn:aws:s3:::*a*b",
					"Condition": map[string]any{"StringLike": map[string]any{"k:" + strconv.Itoa(i): "*a*"}}})
			}
			f := iamForm("SimulateCustomPolicy", "MaxItems", "1000")
			policyInputs(t, f, stmts)
			addList(f, "ActionNames", repeatItem("s3:GetObject", 100))
			addList(f, "ResourceArns", repeatItem(longARN[:200], 10))
			return f
		}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := h.timed(t, sim, tc.form())
			wantAnswerOrTooMuch(t, r, "InvalidInput")
			if r.status == http.StatusOK && tc.pages != (between(r.body, "IsTruncated") == "true") {
				t.Fatalf("IsTruncated %q, want %v", between(r.body, "IsTruncated"), tc.pages)
			}
		})
	}
}

// A page the budget cuts short ends with a Marker, and the next page goes
// on from there: all pairs are answered, each once.
func TestCost_SimulatePages(t *testing.T) {
	h := newHarness(t)
	sim := h.mustAllow("simulator", "iam:SimulateCustomPolicy")
	doc := policyJSON(t, map[string]any{"Effect": "Allow", "Action": "*", "Resource": repeatItem("arn:aws:s3:::"+almostMatching(1000), 120)})
	form := iamForm("SimulateCustomPolicy", "PolicyInputList.member.1", doc, "MaxItems", "1000")
	addList(form, "ActionNames", []string{"s3:GetObject", "s3:PutObject"})
	addList(form, "ResourceArns", repeatItem(longARN, 100))
	results, pages := 0, 0
	for marker := ""; ; pages++ {
		if marker != "" {
			form.Set("Marker", marker)
		}
		r := h.timed(t, sim, form)
		if r.status != http.StatusOK {
			t.Fatalf("page %d: %.2000s", pages, r.body)
		}
		results += strings.Count(r.body, "<EvalActionName>")
		if between(r.body, "IsTruncated") != "true" {
			break
		}
		marker = between(r.body, "Marker")
		if pages > 200 {
			t.Fatal("too many pages")
		}
	}
	if results != 200 || pages == 0 {
		t.Fatalf("%d results in %d pages, want 200 in more than one", results, pages+1)
	}
}

// A pair that alone needs more than a request's work is refused, not
// answered wrongly; a caller's mistake, so 400.
func TestCost_SimulateTooMuch(t *testing.T) {
	h := newHarness(t)
	sim := h.mustAllow("simulator", "iam:SimulateCustomPolicy")
	doc := policyJSON(t, map[string]any{"Effect": "Allow", "Action": "*", "Resource": "*",
		"Condition": map[string]any{"ForAnyValue:StringLike": map[string]any{"s3:prefix": repeatItem("*a*a*a*b*", 10_000)}}})
	form := iamForm("SimulateCustomPolicy", "PolicyInputList.member.1", doc, "ActionNames.member.1", "s3:ListBucket",
		"ContextEntries.member.1.ContextKeyName", "s3:prefix", "ContextEntries.member.1.ContextKeyType", "stringList")
	addList(form, "ContextEntries.member.1.ContextKeyValues", repeatItem(strings.Repeat("a", 64), 1000))
	wantError(t, h.timed(t, sim, form), http.StatusBadRequest, "InvalidInput",
		"Simulating s3:ListBucket on * exceeds the evaluation work OpenSTS allows one request; use fewer or simpler wildcard patterns, condition values or context values.")
}

func TestCost_AuthorizeRequest(t *testing.T) {
	h := newHarness(t)
	svc := h.mustAllow("notes-service", "opensts:AuthorizeRequest")
	alice := h.mustUser("alice")
	signed, err := http.NewRequest(http.MethodGet, "http://notes.example.test/note/1", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := sigv4.Sign(signed, nil, alice.id, alice.secret, "", "us-east-1", "notes", h.clock.Now()); err != nil {
		t.Fatal(err)
	}
	forward := func(resourcePolicy string, actions, resources []string, context []string) url.Values {
		f := sts("AuthorizeRequest", "Method", http.MethodGet, "Url", signed.URL.String(), "Service", "notes",
			"Headers.member.1.Name", "Host", "Headers.member.1.Value", signed.Host,
			"Headers.member.2.Name", "Authorization", "Headers.member.2.Value", signed.Header.Get("Authorization"),
			"Headers.member.3.Name", "X-Amz-Date", "Headers.member.3.Value", signed.Header.Get("X-Amz-Date"))
		if resourcePolicy != "" {
			f.Set("ResourcePolicy", resourcePolicy)
		}
		addList(f, "ActionNames", actions)
		addList(f, "ResourceArns", resources)
		if context != nil {
			f.Set("ContextEntries.member.1.ContextKeyName", "notes:tag")
			addList(f, "ContextEntries.member.1.ContextKeyValues", context)
		}
		return f
	}
	everyone := map[string]any{"AWS": "*"}
	if r := h.do(svc, forward(policyJSON(t, map[string]any{"Effect": "Allow", "Principal": everyone, "Action": "notes:*", "Resource": "*"}),
		[]string{"notes:GetNote"}, nil, nil)); r.status != http.StatusOK || between(r.body, "Allowed") != "true" {
		t.Fatalf("the forwarded request is not allowed as it stands: %d %.2000s", r.status, r.body)
	}
	tests := []struct {
		name string
		form url.Values
	}{
		{"almost matching resources against 100 long pairs", forward(
			policyJSON(t, map[string]any{"Effect": "Allow", "Principal": everyone, "Action": "*", "Resource": repeatItem("arn:aws:s3:::"+almostMatching(1000), 120)}),
			repeatItem("notes:GetNote", 10), repeatItem(longARN, 10), nil)},
		{"almost matching condition against a long context value", forward(
			policyJSON(t, map[string]any{"Effect": "Allow", "Principal": everyone, "Action": "*", "Resource": "*",
				"Condition": map[string]any{"StringLike": map[string]any{"notes:tag": almostMatching(120_000)}}}),
			repeatItem("notes:GetNote", 100), nil, []string{strings.Repeat("a", 600_000)})},
		{"StringLike values × context values", forward(
			policyJSON(t, map[string]any{"Effect": "Allow", "Principal": everyone, "Action": "*", "Resource": "*",
				"Condition": map[string]any{"ForAnyValue:StringLike": map[string]any{"notes:tag": repeatItem("*a*a*a*b*", 10_000)}}}),
			repeatItem("notes:GetNote", 100), nil, repeatItem(strings.Repeat("a", 64), 1000))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := h.timed(t, svc, tc.form)
			wantAnswerOrTooMuch(t, r, "InvalidParameterValue")
			if r.status == http.StatusOK && between(r.body, "Authenticated") != "true" {
				t.Fatalf("forwarded request did not authenticate: %s", r.body[:min(len(r.body), 2000)])
			}
		})
	}
}
