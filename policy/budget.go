package policy

import (
	"context"
	"errors"
	"fmt"
)

// ErrWorkLimit is Budget.Err when the evaluations it metered ran out of work.
var ErrWorkLimit = errors.New("policy evaluation work limit reached")

// budgetPoll is how many work units pass between looks at the context.
const budgetPoll = 1 << 20

// Budget bounds the work of a series of evaluations that share it, such as
// the pairs of one SimulateCustomPolicy page or one AuthorizeRequest, and
// stops them when their context is done (client gone, deadline passed).
//
// Work is counted in units of about one byte compared: matching a value of n
// bytes against a pattern costs n plus the pattern's length, and more for
// what the matcher may scan repeatedly (a middle segment holding ?, or an
// action pattern compared without case). Every pattern tried, condition
// value compared and statement visited is charged before it is done, so a
// budget of N units bounds the work to about N whatever the policies.
//
// Once the budget is spent or the context is done, Evaluate stops early and
// its Decision means nothing: callers check Err after each evaluation. A nil
// *Budget meters nothing, which is what every request's own authorization
// uses (its policies are bounded by the IAM quotas they were stored under).
// A Budget is not safe for concurrent use.
type Budget struct {
	ctx  context.Context
	left int
	poll int
	err  error
}

// NewBudget returns a budget of units of work, cancelled with ctx.
func NewBudget(ctx context.Context, units int) *Budget {
	return &Budget{ctx: ctx, left: units, poll: budgetPoll}
}

// Err is nil while work remains, ErrWorkLimit once the budget is spent, or
// the context's error (wrapped) once it is done.
func (b *Budget) Err() error { return b.err }

// charge spends n units, reporting false (and setting Err) when the budget is
// spent or the context done.
func (b *Budget) charge(n int) bool {
	if b.err != nil {
		return false
	}
	b.left -= n
	b.poll -= n
	if b.left < 0 {
		b.err = ErrWorkLimit
		return false
	}
	if b.poll <= 0 {
		b.poll = budgetPoll
		if err := b.ctx.Err(); err != nil {
			b.err = fmt.Errorf("policy evaluation stopped: %w", err)
			return false
		}
	}
	return true
}

// spent reports whether b has stopped; a nil budget never does.
func (b *Budget) spent() bool { return b != nil && b.err != nil }
