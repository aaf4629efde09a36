package policy

import (
	"errors"
	"fmt"
	"testing"
)

// mustParse parses doc or fails the test.
func mustParse(tb testing.TB, doc string, kind Kind) *Document {
	tb.Helper()
	d, err := Parse(doc, kind)
	if err != nil {
		tb.Fatalf("Parse(%s): %v", doc, err)
	}
	return d
}

// ctxOf builds a context from key → values.
func ctxOf(kv map[string][]string) *Context {
	c := NewContext()
	for k, v := range kv {
		c.Set(k, v...)
	}
	return c
}

// identity wraps documents as identity-based policies named P1, P2, ….
func identity(docs ...*Document) []Named {
	out := make([]Named, len(docs))
	for i, d := range docs {
		out[i] = Named{ID: fmt.Sprintf("P%d", i+1), Type: IdentityBased, Doc: d}
	}
	return out
}

// allowWithCondition is an identity policy allowing s3:GetObject on
// everything under the given Condition element.
func allowWithCondition(version, condition string) string {
	v := ""
	if version != "" {
		v = fmt.Sprintf(`"Version":%q,`, version)
	}
	return fmt.Sprintf(`{%s"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":%s}}`, v, condition)
}

// conditionHolds reports whether a Condition element lets an Allow apply.
func conditionHolds(tb testing.TB, version, condition string, kv map[string][]string) bool {
	tb.Helper()
	d := mustParse(tb, allowWithCondition(version, condition), Identity)
	dec := Evaluate(Input{Identity: identity(d)}, Request{Action: "s3:GetObject", Resource: "*", Context: ctxOf(kv)})
	return dec.Effect == Allowed
}

func asSyntaxError(tb testing.TB, err error) *SyntaxError {
	tb.Helper()
	var se *SyntaxError
	if !errors.As(err, &se) {
		tb.Fatalf("error %v (%T) is not a *SyntaxError", err, err)
	}
	return se
}
