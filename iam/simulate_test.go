package iam

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/opensts/opensts/policy"
)

// cancelAfter is a context whose Err reports nothing the first n times, then
// context.Canceled: a client that leaves while its request is being worked.
type cancelAfter struct {
	context.Context
	n int
}

func (c *cancelAfter) Err() error {
	if c.n > 0 {
		c.n--
		return nil
	}
	return context.Canceled
}

func TestSimulate_Cancelled(t *testing.T) {
	// Enough matching for one evaluation to pass several of the budget's
	// looks at the context.
	resources := make([]string, 3000)
	for i := range resources {
		resources[i] = `"arn:aws:s3:::*` + strings.Repeat("a", 100) + `b"`
	}
	in := SimulateInput{
		PolicyInputList: []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":[` + strings.Join(resources, ",") + `]}}`},
		ActionNames:     []string{"s3:GetObject"}, // one pair: only the budget can stop it
		ResourceArns:    []string{"arn:aws:s3:::" + strings.Repeat("a", 2000)},
	}
	var pin policy.Input
	if err := addInputs(&pin, in); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		ctx  context.Context
	}{
		{"ok/before the first pair", &cancelAfter{Context: context.Background()}},
		{"ok/during an evaluation", &cancelAfter{Context: context.Background(), n: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			page, err := simulate(tc.ctx, pin, policy.PrincipalInfo{}, in, policy.NewContext(), nil)
			if !errors.Is(err, context.Canceled) || len(page.Items) != 0 {
				t.Fatalf("got %d results, err %v; want none, context.Canceled", len(page.Items), err)
			}
		})
	}
}
