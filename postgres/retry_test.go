package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/opensts/opensts"
)

// TestRetry pins which failures run a transaction again and what the
// caller finally sees.
func TestRetry(t *testing.T) {
	serialization := &pgconn.PgError{Code: "40001"}
	deadlock := &pgconn.PgError{Code: "40P01"}
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	errFn := errors.New("updater says no")
	for _, tc := range []struct {
		name       string
		failures   []error // returned by the first attempts, in order
		committing bool    // the failures came while committing
		want       error   // errors.Is target of the result; nil for success
		attempts   int
	}{
		{"serialization failure retried", []error{serialization, serialization}, false, nil, 3},
		{"deadlock retried", []error{deadlock}, true, nil, 2},
		{"endless conflicts", repeat(deadlock, 50), false, opensts.ErrConflict, conflictAttempts},
		{"connection lost before commit", []error{fmt.Errorf("query: %w", io.ErrUnexpectedEOF)}, false, nil, 2},
		{"dial refused", []error{refused, refused}, false, nil, 3},
		{"connection lost during commit", []error{io.ErrUnexpectedEOF}, true, opensts.ErrUnavailable, 1},
		{"server down for good", repeat(error(refused), 1000), false, opensts.ErrUnavailable, -1},
		{"admin shutdown", []error{&pgconn.PgError{Code: "57P01"}}, false, nil, 2},
		{"unique violation", []error{&pgconn.PgError{Code: "23505"}}, false, opensts.ErrAlreadyExists, 1},
		{"no rows", []error{pgx.ErrNoRows}, false, opensts.ErrNotFound, 1},
		{"updater error", []error{errFn}, false, errFn, 1},
		{"syntax error", []error{&pgconn.PgError{Code: "42601"}}, false, &pgconn.PgError{}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := &DB{}
			n := 0
			err := db.retry(context.Background(), func() (bool, error) {
				n++
				if n <= len(tc.failures) {
					return tc.committing, tc.failures[n-1]
				}
				return false, nil
			}, writeKind)
			switch target := tc.want.(type) {
			case nil:
				if err != nil {
					t.Errorf("err = %v, want success", err)
				}
			case *pgconn.PgError:
				if !errors.As(err, &target) {
					t.Errorf("err = %v, want the server's error", err)
				}
			default:
				if !errors.Is(err, tc.want) {
					t.Errorf("err = %v, want %v", err, tc.want)
				}
			}
			if tc.attempts > 0 && n != tc.attempts {
				t.Errorf("%d attempts, want %d", n, tc.attempts)
			}
			if tc.attempts < 0 && (n < 2 || n > 20) {
				t.Errorf("%d attempts in the retry budget, want a few", n)
			}
		})
	}
}

func repeat(err error, n int) []error {
	errs := make([]error, n)
	for i := range errs {
		errs[i] = err
	}
	return errs
}

func TestClassifyUnstorableText(t *testing.T) {
	err := &pgconn.PgError{Code: "22021"}
	if got := classify(err, readKind); !errors.Is(got, opensts.ErrNotFound) {
		t.Errorf("read: %v, want ErrNotFound", got)
	}
	if got := classify(err, writeKind); !errors.Is(got, opensts.ErrInvalidInput) {
		t.Errorf("write: %v, want ErrInvalidInput", got)
	}
}
