package policy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// workLimit is the budget iam and access give one request (their
// maxSimulationWork and maxCheckWork).
const workLimit = 100_000_000

// policyBytes is about what one request can carry: bodies are capped at
// 1 MiB (api.DefaultMaxBodyBytes), and form encoding only grows policy text.
const policyBytes = 1 << 20

// docOf renders a 2012-10-17 document with the given statements.
func docOf(tb testing.TB, stmts ...map[string]any) string {
	tb.Helper()
	b, err := json.Marshal(map[string]any{"Version": Version2012, "Statement": stmts})
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// fill repeats item (its index substituted for %d, if present) until the
// items' text reaches n bytes.
func fill(item string, n int) []string {
	var out []string
	for size := 0; size < n; size += len(item) + 3 {
		if strings.Contains(item, "%d") {
			out = append(out, fmt.Sprintf(item, len(out)))
			continue
		}
		out = append(out, item)
	}
	return out
}

type hostileCase struct {
	name     string
	doc      string
	action   string
	resource string
	ctx      *Context
}

// hostileCases are the most expensive inputs we know of, each about as large
// as a request allows: patterns that made the old matcher backtrack,
// patterns full of ?, many patterns against long values, many condition
// values against many context values, many statements and condition keys.
func hostileCases(tb testing.TB) []hostileCase {
	long := "arn:aws:s3:::" + strings.Repeat("a", 2035) // ResourceNameType's 2,048 characters
	manyValues := NewContext()
	manyValues.Set("s3:prefix", fill(strings.Repeat("a", 64), policyBytes/4)...)
	longValue := NewContext()
	longValue.Set("s3:prefix", strings.Repeat("a", policyBytes/2))
	keys := map[string]any{}
	for _, k := range fill("k:%d", policyBytes/2) {
		keys[k] = "x"
	}
	allow := func(extra map[string]any) map[string]any {
		s := map[string]any{"Effect": "Allow", "Action": "*", "Resource": "*"}
		for k, v := range extra {
			s[k] = v
		}
		return s
	}
	var stmts []map[string]any
	for _, k := range fill("k:%d", policyBytes/16) {
		stmts = append(stmts, allow(map[string]any{"Condition": map[string]any{"StringEquals": map[string]any{k: "x"}}}))
	}
	return []hostileCase{
		// The old matcher's worst cases: a star, then m parts that almost
		// match at every position, (len(value) - m) × m steps.
		{"? after a star, long context value",
			docOf(tb, allow(map[string]any{"Condition": map[string]any{"StringLike": map[string]any{"s3:prefix": "*" + strings.Repeat("a?", policyBytes/16) + "b"}}})), "s3:ListBucket", "*", longValue},
		{"literals after stars, longest resource",
			docOf(tb, allow(map[string]any{"Resource": fill("arn:aws:s3:::*"+strings.Repeat("a", 1000)+"b", policyBytes)})), "s3:GetObject", long, nil},
		{"one long pattern of stars",
			docOf(tb, allow(map[string]any{"Resource": "arn:aws:s3:::" + strings.Repeat("*a", policyBytes/2-16) + "*b"})), "s3:GetObject", long, nil},
		{"many backtracking patterns",
			docOf(tb, allow(map[string]any{"Resource": fill("arn:aws:s3:::*a*a*a*a*b*", policyBytes)})), "s3:GetObject", long, nil},
		{"patterns of ?",
			docOf(tb, allow(map[string]any{"Resource": fill("arn:aws:s3:::*"+strings.Repeat("a?", 512)+"b*", policyBytes)})), "s3:GetObject", long, nil},
		{"action patterns",
			docOf(tb, allow(map[string]any{"Action": fill("s3:*g*e*t*o*b*j*e*c*t*x", policyBytes)})), "s3:GetObjectRetentionConfigurationOfAVeryLongActionName" + strings.Repeat("y", 60), "*", nil},
		{"StringLike values × context values",
			docOf(tb, allow(map[string]any{"Condition": map[string]any{"ForAnyValue:StringLike": map[string]any{"s3:prefix": fill("*a*a*a*b*", policyBytes/2)}}})), "s3:ListBucket", "*", manyValues},
		{"ArnLike values × context values",
			docOf(tb, allow(map[string]any{"Condition": map[string]any{"ForAnyValue:ArnLike": map[string]any{"s3:prefix": fill("arn:*:*:*:*:*a*a*b", policyBytes/2)}}})), "s3:ListBucket", "*", manyValues},
		{"condition keys",
			docOf(tb, allow(map[string]any{"Condition": map[string]any{"StringEquals": keys}})), "s3:GetObject", "*", nil},
		{"statements",
			docOf(tb, stmts...), "s3:GetObject", "*", nil},
	}
}

// simulatePage evaluates pairs of c's request under one budget as a
// simulation page does, stopping when the budget does.
func simulatePage(d *Document, c hostileCase, b *Budget, pairs int) int {
	in := Input{Identity: []Named{{ID: "P1", Type: IdentityBased, Doc: d}}, Boundary: &Named{ID: "B", Type: PermissionsBoundary, Doc: d}}
	n := 0
	for ; n < pairs && b.Err() == nil; n++ {
		Evaluate(in, Request{Action: c.action, Resource: c.resource, Context: c.ctx, Budget: b})
		Evaluate(Input{Identity: []Named{*in.Boundary}}, Request{Action: c.action, Resource: c.resource, Context: c.ctx, Budget: b})
	}
	return n
}

// TestBudget_BoundsHostileInputs: a request's worth of the most expensive
// policies, evaluated for a full page of 1,000 pairs with a boundary, takes
// a small fraction of a second: the budget stops it. Before budgets and the
// linear matcher, single evaluations of these took from seconds to minutes.
func TestBudget_BoundsHostileInputs(t *testing.T) {
	for _, c := range hostileCases(t) {
		t.Run(c.name, func(t *testing.T) {
			d := mustParse(t, c.doc, Identity)
			b := NewBudget(context.Background(), workLimit)
			start := time.Now()
			pairs := simulatePage(d, c, b, 1000)
			took := time.Since(start)
			t.Logf("%d bytes: %d pairs in %v (%v)", len(c.doc), pairs, took, b.Err())
			if err := b.Err(); err != nil && !errors.Is(err, ErrWorkLimit) {
				t.Fatalf("budget error %v", err)
			}
			if took > hostileBound {
				t.Fatalf("took %v, want under %v", took, hostileBound)
			}
		})
	}
}

// TestBudget_FitsTypicalPage: a user at IAM's policy quotas — an inline
// policy and ten managed policies of 6,144 characters, about 64 KB of
// typical statements (benchUserPolicies, repeated) — is simulated for a full
// page of 1,000 pairs within the budget (docs/compatibility.md says so).
func TestBudget_FitsTypicalPage(t *testing.T) {
	var in Input
	for size := 0; size < 2048+10*6144; {
		for _, text := range benchUserPolicies {
			in.Identity = append(in.Identity, Named{ID: "P", Type: IdentityBased, Doc: mustParse(t, text, Identity)})
			size += len(text)
		}
	}
	ctx := ctxOf(map[string][]string{"aws:username": {"bob"}, "aws:SourceIp": {"203.0.113.9"}, "aws:MultiFactorAuthPresent": {"true"},
		"aws:RequestedRegion": {"us-east-1"}, "aws:PrincipalTag/team": {"platform"}})
	for _, action := range []string{"s3:GetObject", "iam:CreateUser", "ec2:StartInstances", "dynamodb:GetItem"} {
		b := NewBudget(context.Background(), workLimit)
		for range 1000 {
			Evaluate(in, Request{Action: action, Resource: "arn:aws:s3:::team-bucket/home/bob/" + strings.Repeat("x", 64), Context: ctx, Budget: b})
		}
		if b.Err() != nil {
			t.Errorf("%s: %d documents for 1,000 pairs: %v", action, len(in.Identity), b.Err())
		}
	}
}

// TestGlob_Linear: matching costs about the value plus the pattern, not
// their product. The old matcher took (len(value) - m) × m steps for m parts
// after a star that almost match everywhere: tens of seconds for the first
// two of these.
func TestGlob_Linear(t *testing.T) {
	value := strings.Repeat("a", policyBytes/4)
	qs := strings.Repeat("a?", policyBytes/16)
	lit := strings.Repeat("a", policyBytes/8)
	tests := []struct{ name, pattern string }{
		{"last segment with ?", "*" + qs + "b"},
		{"first and last segments with ?", qs + "*" + qs + "b"},
		{"literal segments", "a*" + lit + "b*" + lit + "c*a"},
		{"many stars", strings.Repeat("*a", policyBytes/2) + "*b"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := compilePattern(tc.pattern, true, true)
			start := time.Now()
			if p.match(value, nil, false) {
				t.Fatal("matched")
			}
			if took := time.Since(start); took > hostileBound {
				t.Fatalf("matching took %v, want under %v", took, hostileBound)
			}
		})
	}
}

// TestBudget_Decisions: a budget that is not spent changes no decision.
func TestBudget_Decisions(t *testing.T) {
	d := mustParse(t, benchUserPolicies[0], Identity)
	in := Input{Identity: identity(d)}
	for _, action := range []string{"iam:GetUser", "iam:CreateUser", "s3:GetObject", "sts:GetSessionToken"} {
		for _, mfa := range []string{"true", "false"} {
			ctx := ctxOf(map[string][]string{"aws:username": {"bob"}, "aws:MultiFactorAuthPresent": {mfa}})
			req := Request{Action: action, Resource: "arn:aws:iam::123456789012:user/bob", Context: ctx}
			want := Evaluate(in, req)
			req.Budget = NewBudget(context.Background(), workLimit)
			got := Evaluate(in, req)
			if got.Effect != want.Effect || len(got.Matched) != len(want.Matched) || len(got.MissingContextKeys) != len(want.MissingContextKeys) {
				t.Errorf("%s (MFA %s): with a budget %+v, without %+v", action, mfa, got, want)
			}
			if req.Budget.Err() != nil {
				t.Errorf("%s: budget %v", action, req.Budget.Err())
			}
		}
	}
}

func TestBudget_Stops(t *testing.T) {
	var c hostileCase
	for _, hc := range hostileCases(t) {
		if hc.name == "many backtracking patterns" {
			c = hc
		}
	}
	d := mustParse(t, c.doc, Identity)
	t.Run("ok/work limit", func(t *testing.T) {
		b := NewBudget(context.Background(), 1000)
		if n := simulatePage(d, c, b, 1000); n != 1 || !errors.Is(b.Err(), ErrWorkLimit) {
			t.Fatalf("%d pairs, err %v; want 1, ErrWorkLimit", n, b.Err())
		}
	})
	t.Run("ok/context done", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		b := NewBudget(ctx, 1<<62)
		start := time.Now()
		n := simulatePage(d, c, b, 1000)
		if !errors.Is(b.Err(), context.Canceled) || n != 1 {
			t.Fatalf("%d pairs, err %v; want 1, context.Canceled", n, b.Err())
		}
		// The context is polled every budgetPoll units, inside an evaluation.
		if took := time.Since(start); took > hostileBound {
			t.Fatalf("stopping took %v", took)
		}
	})
}

// BenchmarkEvaluate_Hostile is one page of the hostile cases: each op is a
// budget's worth of evaluations at most.
func BenchmarkEvaluate_Hostile(b *testing.B) {
	for _, c := range hostileCases(b) {
		d := mustParse(b, c.doc, Identity)
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				simulatePage(d, c, NewBudget(context.Background(), workLimit), 1000)
			}
		})
	}
}

// BenchmarkGlob_Backtracking is a pattern that cost the old matcher
// (len(value) - m) × m steps: a star, then m parts that almost match,
// against a value of ResourceNameType's 2,048 characters.
func BenchmarkGlob_Backtracking(b *testing.B) {
	value := strings.Repeat("a", 2048)
	p := compilePattern("*"+strings.Repeat("a?", 512)+"b", true, true)
	for b.Loop() {
		p.match(value, nil, false)
	}
}
