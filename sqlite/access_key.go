package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/internal/backend"
)

const accessKeyCols = `id, account_id, user_id, status, sealed_secret, created_at`

func scanAccessKey(row scanner) (opensts.AccessKey, error) {
	var (
		k       opensts.AccessKey
		status  string
		created int64
	)
	if err := row.Scan(&k.ID, &k.AccountID, &k.UserID, &status, &k.SealedSecret, &created); err != nil {
		return opensts.AccessKey{}, classify(err)
	}
	k.Status = opensts.AccessKeyStatus(status)
	k.CreatedAt = fromMicros(created)
	return k, nil
}

func insertAccessKey(ctx context.Context, tx *sql.Tx, k opensts.AccessKey) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO access_keys (`+accessKeyCols+`) VALUES (?, ?, ?, ?, ?, ?)`,
		k.ID, k.AccountID, k.UserID, string(k.Status), blob(k.SealedSecret), micros(k.CreatedAt))
	return classify(err)
}

// CreateAccessKey stores a new access key. The count and the insert share
// one write transaction, so concurrent creators cannot pass maxPerUser.
func (db *DB) CreateAccessKey(ctx context.Context, k opensts.AccessKey, maxPerUser int) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := ownerExists(ctx, tx, k.AccountID, k.UserID); err != nil {
			return err
		}
		n, err := count(ctx, tx, `SELECT count(*) FROM access_keys WHERE account_id = ? AND user_id = ?`, k.AccountID, k.UserID)
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
// signed request, so it runs one prepared statement on the read pool.
func (db *DB) GetAccessKey(ctx context.Context, id string) (opensts.AccessKey, error) {
	k, err := scanAccessKey(db.getAccessKey.QueryRowContext(ctx, id))
	if err != nil {
		return opensts.AccessKey{}, fmt.Errorf("get access key %s: %w", id, err)
	}
	return k, nil
}

// ListAccessKeys lists one owner's keys, oldest first.
func (db *DB) ListAccessKeys(ctx context.Context, accountID, userID string) ([]opensts.AccessKey, error) {
	var keys []opensts.AccessKey
	err := db.read(ctx, func(tx querier) error {
		if err := ownerExists(ctx, tx, accountID, userID); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+accessKeyCols+` FROM access_keys
			WHERE account_id = ? AND user_id = ? ORDER BY created_at, id`, accountID, userID)
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

// UpdateAccessKey runs fn on the current key and stores its status and sealed
// secret (which changes when the master key is rotated). ID, AccountID,
// UserID and CreatedAt changes are ignored.
func (db *DB) UpdateAccessKey(ctx context.Context, id string, fn func(*opensts.AccessKey) error) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		k, err := scanAccessKey(tx.QueryRowContext(ctx, `SELECT `+accessKeyCols+` FROM access_keys WHERE id = ?`, id))
		if err != nil {
			return err
		}
		if err := fn(&k); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE access_keys SET status = ?, sealed_secret = ? WHERE id = ?`,
			string(k.Status), blob(k.SealedSecret), id)
		return classify(err)
	})
	if err != nil {
		return fmt.Errorf("update access key %s: %w", id, err)
	}
	return nil
}

// DeleteAccessKey deletes an access key.
func (db *DB) DeleteAccessKey(ctx context.Context, id string) error {
	res, err := db.w.ExecContext(ctx, `DELETE FROM access_keys WHERE id = ?`, id)
	if err == nil {
		var n int64
		if n, err = res.RowsAffected(); err == nil && n == 0 {
			err = opensts.ErrNotFound
		}
	}
	if err != nil {
		return fmt.Errorf("delete access key %s: %w", id, classify(err))
	}
	return nil
}
