package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/opensts/opensts"
)

// ListTokenKeys returns the key ring in the order the last update wrote it.
func (db *DB) ListTokenKeys(ctx context.Context) ([]opensts.TokenKey, error) {
	keys, err := listTokenKeys(ctx, db.reader())
	if err != nil {
		return nil, fmt.Errorf("list token keys: %w", err)
	}
	return keys, nil
}

func listTokenKeys(ctx context.Context, q querier) ([]opensts.TokenKey, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, sealed, created_at, retired_at, expires_at FROM token_keys ORDER BY position`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var keys []opensts.TokenKey
	for rows.Next() {
		var (
			k                opensts.TokenKey
			id               int64
			created          int64
			retired, expires sql.NullInt64
		)
		if err := rows.Scan(&id, &k.Sealed, &created, &retired, &expires); err != nil {
			return nil, err
		}
		k.ID = uint32(id)
		k.CreatedAt, k.RetiredAt, k.ExpiresAt = fromMicros(created), fromNullMicros(retired), fromNullMicros(expires)
		keys = append(keys, k)
	}
	return keys, rows.Err()
}

// UpdateTokenKeys replaces the ring with fn's result inside the write
// transaction, so concurrent rotations queue and each sees the ring the
// previous one wrote. Duplicate key ids fail with ErrAlreadyExists.
func (db *DB) UpdateTokenKeys(ctx context.Context, fn func([]opensts.TokenKey) ([]opensts.TokenKey, error)) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		cur, err := listTokenKeys(ctx, tx)
		if err != nil {
			return err
		}
		next, err := fn(cur)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM token_keys`); err != nil {
			return err
		}
		for i, k := range next {
			if _, err := tx.ExecContext(ctx, `INSERT INTO token_keys (id, position, sealed, created_at, retired_at, expires_at)
				VALUES (?, ?, ?, ?, ?, ?)`, int64(k.ID), i, blob(k.Sealed), micros(k.CreatedAt),
				nullMicros(k.RetiredAt), nullMicros(k.ExpiresAt)); err != nil {
				return fmt.Errorf("key %d: %w", k.ID, classify(err))
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("update token keys: %w", err)
	}
	return nil
}
