package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/opensts/opensts"
)

// ListTokenKeys returns the key ring in the order the last update wrote it.
func (db *DB) ListTokenKeys(ctx context.Context) ([]opensts.TokenKey, error) {
	var keys []opensts.TokenKey
	err := db.readOne(ctx, func(q querier) (err error) {
		keys, err = listTokenKeys(ctx, q)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list token keys: %w", err)
	}
	return keys, nil
}

func listTokenKeys(ctx context.Context, q querier) ([]opensts.TokenKey, error) {
	rows, err := q.Query(ctx, `SELECT id, sealed, created_at, retired_at, expires_at FROM token_keys ORDER BY position`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var keys []opensts.TokenKey
	for rows.Next() {
		var (
			k                opensts.TokenKey
			id               int64
			retired, expires pgtype.Timestamptz
		)
		if err := rows.Scan(&id, &k.Sealed, &k.CreatedAt, &retired, &expires); err != nil {
			return nil, err
		}
		k.ID = uint32(id)
		k.CreatedAt, k.RetiredAt, k.ExpiresAt = utc(k.CreatedAt), fromNullTime(retired), fromNullTime(expires)
		keys = append(keys, k)
	}
	return keys, rows.Err()
}

// UpdateTokenKeys replaces the ring with fn's result. The transaction
// first locks the token_keys table in EXCLUSIVE mode, which conflicts with
// itself and with every write but not with reads: concurrent rotations, on
// any node, queue, and each sees the ring the previous one wrote, while
// ListTokenKeys keeps reading the last committed ring. Duplicate key ids
// fail with ErrAlreadyExists.
func (db *DB) UpdateTokenKeys(ctx context.Context, fn func([]opensts.TokenKey) ([]opensts.TokenKey, error)) error {
	err := db.write(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `LOCK TABLE token_keys IN EXCLUSIVE MODE`); err != nil {
			return err
		}
		cur, err := listTokenKeys(ctx, tx)
		if err != nil {
			return err
		}
		next, err := fn(cur)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM token_keys`); err != nil {
			return err
		}
		for i, k := range next {
			if _, err := tx.Exec(ctx, `INSERT INTO token_keys (id, position, sealed, created_at, retired_at, expires_at)
				VALUES ($1, $2, $3, $4, $5, $6)`, int64(k.ID), i, blob(k.Sealed), k.CreatedAt,
				nullTime(k.RetiredAt), nullTime(k.ExpiresAt)); err != nil {
				return fmt.Errorf("key %d: %w", k.ID, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("update token keys: %w", err)
	}
	return nil
}
