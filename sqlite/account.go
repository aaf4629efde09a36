package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/internal/backend"
)

// InitDefaultAccount creates the default account and its first root key in
// one transaction unless a default account exists. The write lock taken at
// BEGIN serialises concurrent callers in this and other processes; the
// partial unique index accounts_one_default backs that up.
func (db *DB) InitDefaultAccount(ctx context.Context, a opensts.Account, rootKey opensts.AccessKey) (opensts.Account, bool, error) {
	if err := backend.CheckRootKey(a, rootKey); err != nil {
		return opensts.Account{}, false, fmt.Errorf("init default account %s: %w", a.ID, err)
	}
	var (
		got     opensts.Account
		created bool
	)
	err := db.write(ctx, func(tx *sql.Tx) error {
		existing, err := defaultAccount(ctx, tx)
		if err == nil {
			got = existing
			return nil
		}
		if !errors.Is(err, opensts.ErrNotFound) {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO accounts (id, is_default, created_at) VALUES (?, 1, ?)`,
			a.ID, micros(a.CreatedAt)); err != nil {
			return classify(err)
		}
		if err := insertAccessKey(ctx, tx, rootKey); err != nil {
			return err
		}
		got, created = opensts.Account{ID: a.ID, CreatedAt: fromMicros(micros(a.CreatedAt))}, true
		return nil
	})
	if err != nil {
		return opensts.Account{}, false, fmt.Errorf("init default account %s: %w", a.ID, err)
	}
	return got, created, nil
}

// DefaultAccount returns the default account.
func (db *DB) DefaultAccount(ctx context.Context) (opensts.Account, error) {
	a, err := defaultAccount(ctx, db.reader())
	if err != nil {
		return opensts.Account{}, fmt.Errorf("get default account: %w", err)
	}
	return a, nil
}

// GetAccount returns the account with the given id.
func (db *DB) GetAccount(ctx context.Context, id string) (opensts.Account, error) {
	var created int64
	err := db.reader().QueryRowContext(ctx, `SELECT created_at FROM accounts WHERE id = ?`, id).Scan(&created)
	if err != nil {
		return opensts.Account{}, fmt.Errorf("get account %s: %w", id, classify(err))
	}
	return opensts.Account{ID: id, CreatedAt: fromMicros(created)}, nil
}

func defaultAccount(ctx context.Context, q querier) (opensts.Account, error) {
	var (
		a       opensts.Account
		created int64
	)
	err := q.QueryRowContext(ctx, `SELECT id, created_at FROM accounts WHERE is_default = 1`).Scan(&a.ID, &created)
	if err != nil {
		return opensts.Account{}, classify(err)
	}
	a.CreatedAt = fromMicros(created)
	return a, nil
}

// accountExists reports whether the account is stored.
func accountExists(ctx context.Context, q querier, id string) error {
	ok, err := exists(ctx, q, `SELECT EXISTS (SELECT 1 FROM accounts WHERE id = ?)`, id)
	if err != nil {
		return err
	}
	if !ok {
		return backend.NotFound("account " + id)
	}
	return nil
}
