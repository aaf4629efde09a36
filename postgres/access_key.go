package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/internal/backend"
)

const accessKeyCols = `id, account_id, user_id, status, sealed_secret, created_at`

func scanAccessKey(row pgx.Row) (opensts.AccessKey, error) {
	var (
		k      opensts.AccessKey
		status string
	)
	if err := row.Scan(&k.ID, &k.AccountID, &k.UserID, &status, &k.SealedSecret, &k.CreatedAt); err != nil {
		return opensts.AccessKey{}, err
	}
	k.Status = opensts.AccessKeyStatus(status)
	k.CreatedAt = utc(k.CreatedAt)
	return k, nil
}

func insertAccessKey(ctx context.Context, tx pgx.Tx, k opensts.AccessKey) error {
	_, err := tx.Exec(ctx, `INSERT INTO access_keys (`+accessKeyCols+`) VALUES ($1, $2, $3, $4, $5, $6)`,
		k.ID, k.AccountID, k.UserID, string(k.Status), blob(k.SealedSecret), k.CreatedAt)
	return err
}

// CreateAccessKey stores a new access key. The owner's row (the user, or
// the account for a root key) is locked first, so concurrent creators
// cannot pass maxPerUser.
func (db *DB) CreateAccessKey(ctx context.Context, k opensts.AccessKey, maxPerUser int) error {
	err := db.write(ctx, func(tx pgx.Tx) error {
		if err := lockOwner(ctx, tx, k.AccountID, k.UserID, "FOR NO KEY UPDATE"); err != nil {
			return err
		}
		n, err := count(ctx, tx, `SELECT count(*) FROM access_keys WHERE account_id = $1 AND user_id = $2`, k.AccountID, k.UserID)
		if err != nil {
			return err
		}
		if n >= maxPerUser {
			return backend.LimitExceeded("access keys per user", maxPerUser)
		}
		return insertAccessKey(ctx, tx, k)
	})
	if err != nil {
		return fmt.Errorf("create access key %s: %w", k.ID, err)
	}
	return nil
}

// GetAccessKey returns the key with the given id. It is on the path of every
// signed request: one statement, prepared once per connection by pgx's
// statement cache. An id the database cannot hold (NUL, invalid UTF-8) is
// simply not found.
func (db *DB) GetAccessKey(ctx context.Context, id string) (opensts.AccessKey, error) {
	var k opensts.AccessKey
	err := db.readOne(ctx, func(q querier) (err error) {
		k, err = scanAccessKey(q.QueryRow(ctx, `SELECT `+accessKeyCols+` FROM access_keys WHERE id = $1`, id))
		return err
	})
	if err != nil {
		return opensts.AccessKey{}, fmt.Errorf("get access key %s: %w", id, err)
	}
	return k, nil
}

// ListAccessKeys lists one owner's keys, oldest first.
func (db *DB) ListAccessKeys(ctx context.Context, accountID, userID string) ([]opensts.AccessKey, error) {
	var keys []opensts.AccessKey
	err := db.read(ctx, func(q querier) error {
		keys = nil
		if err := ownerExists(ctx, q, accountID, userID); err != nil {
			return err
		}
		rows, err := q.Query(ctx, `SELECT `+accessKeyCols+` FROM access_keys
			WHERE account_id = $1 AND user_id = $2 ORDER BY created_at, id`, accountID, userID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			k, err := scanAccessKey(rows)
			if err != nil {
				return err
			}
			keys = append(keys, k)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list access keys of %s: %w", userID, err)
	}
	return keys, nil
}

// UpdateAccessKey runs fn on the current key, locked, and stores its status
// and sealed secret (which changes when the master key is rotated). ID,
// AccountID, UserID and CreatedAt changes are ignored.
func (db *DB) UpdateAccessKey(ctx context.Context, id string, fn func(*opensts.AccessKey) error) error {
	err := db.write(ctx, func(tx pgx.Tx) error {
		k, err := scanAccessKey(tx.QueryRow(ctx, `SELECT `+accessKeyCols+` FROM access_keys WHERE id = $1 FOR NO KEY UPDATE`, id))
		if err != nil {
			return err
		}
		if err := fn(&k); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE access_keys SET status = $1, sealed_secret = $2 WHERE id = $3`,
			string(k.Status), blob(k.SealedSecret), id)
		return err
	})
	if err != nil {
		return fmt.Errorf("update access key %s: %w", id, err)
	}
	return nil
}

// DeleteAccessKey deletes an access key.
func (db *DB) DeleteAccessKey(ctx context.Context, id string) error {
	err := db.write(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM access_keys WHERE id = $1`, id)
		if err == nil && tag.RowsAffected() == 0 {
			err = opensts.ErrNotFound
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("delete access key %s: %w", id, err)
	}
	return nil
}
