package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/internal/backend"
)

// InitDefaultAccount creates the default account and its first root key in
// one transaction unless a default account exists. The transaction first
// locks the accounts table against other initialisers (SHARE ROW
// EXCLUSIVE conflicts with itself), so nodes starting at once queue and
// all but the first find the account; the partial unique index
// accounts_one_default backs that up.
func (db *DB) InitDefaultAccount(ctx context.Context, a opensts.Account, rootKey opensts.AccessKey) (opensts.Account, bool, error) {
	if err := backend.CheckRootKey(a, rootKey); err != nil {
		return opensts.Account{}, false, fmt.Errorf("init default account %s: %w", a.ID, err)
	}
	var (
		got     opensts.Account
		created bool
	)
	err := db.write(ctx, func(tx pgx.Tx) error {
		got, created = opensts.Account{}, false
		if _, err := tx.Exec(ctx, `LOCK TABLE accounts IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return err
		}
		existing, err := defaultAccount(ctx, tx)
		if err == nil {
			got = existing
			return nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO accounts (id, is_default, created_at) VALUES ($1, true, $2)`,
			a.ID, a.CreatedAt); err != nil {
			return err
		}
		if err := insertAccessKey(ctx, tx, rootKey); err != nil {
			return err
		}
		got, created = opensts.Account{ID: a.ID, CreatedAt: truncate(a.CreatedAt)}, true
		return nil
	})
	if err != nil {
		return opensts.Account{}, false, fmt.Errorf("init default account %s: %w", a.ID, err)
	}
	return got, created, nil
}

// DefaultAccount returns the default account.
func (db *DB) DefaultAccount(ctx context.Context) (opensts.Account, error) {
	var a opensts.Account
	err := db.readOne(ctx, func(q querier) (err error) {
		a, err = defaultAccount(ctx, q)
		return err
	})
	if err != nil {
		return opensts.Account{}, fmt.Errorf("get default account: %w", err)
	}
	return a, nil
}

// GetAccount returns the account with the given id.
func (db *DB) GetAccount(ctx context.Context, id string) (opensts.Account, error) {
	var created time.Time
	err := db.readOne(ctx, func(q querier) error {
		return q.QueryRow(ctx, `SELECT created_at FROM accounts WHERE id = $1`, id).Scan(&created)
	})
	if err != nil {
		return opensts.Account{}, fmt.Errorf("get account %s: %w", id, err)
	}
	return opensts.Account{ID: id, CreatedAt: utc(created)}, nil
}

func defaultAccount(ctx context.Context, q querier) (opensts.Account, error) {
	var a opensts.Account
	if err := q.QueryRow(ctx, `SELECT id, created_at FROM accounts WHERE is_default`).Scan(&a.ID, &a.CreatedAt); err != nil {
		return opensts.Account{}, err
	}
	a.CreatedAt = utc(a.CreatedAt)
	return a, nil
}

// lockAccount locks the account row against the other creators of
// account-wide quota-limited entities (users, groups, managed policies,
// MFA devices), so that a count and the insert that follows are atomic. FOR
// NO KEY UPDATE leaves foreign-key checks on the row (FOR KEY SHARE) free.
func lockAccount(ctx context.Context, tx pgx.Tx, id string) error {
	return locked(ctx, tx, "account "+id, `SELECT 1 FROM accounts WHERE id = $1 FOR NO KEY UPDATE`, id)
}

// accountExists reports whether the account is stored.
func accountExists(ctx context.Context, q querier, id string) error {
	ok, err := exists(ctx, q, `SELECT EXISTS (SELECT 1 FROM accounts WHERE id = $1)`, id)
	if err != nil {
		return err
	}
	if !ok {
		return backend.NotFound("account " + id)
	}
	return nil
}
