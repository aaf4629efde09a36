package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/opensts/opensts"
)

const signingKeyCols = `id, algorithm, sealed, public, created_at, active_at, retired_at, expires_at`

// ListSigningKeys returns the signing key set in the order the last update
// wrote it.
func (db *DB) ListSigningKeys(ctx context.Context) ([]opensts.SigningKey, error) {
	var keys []opensts.SigningKey
	err := db.readOne(ctx, func(q querier) (err error) {
		keys, err = listSigningKeys(ctx, q)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list signing keys: %w", err)
	}
	return keys, nil
}

func listSigningKeys(ctx context.Context, q querier) ([]opensts.SigningKey, error) {
	rows, err := q.Query(ctx, `SELECT `+signingKeyCols+` FROM signing_keys ORDER BY position`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var keys []opensts.SigningKey
	for rows.Next() {
		var (
			k                opensts.SigningKey
			retired, expires pgtype.Timestamptz
		)
		if err := rows.Scan(&k.ID, &k.Algorithm, &k.Sealed, &k.Public, &k.CreatedAt, &k.ActiveAt, &retired, &expires); err != nil {
			return nil, err
		}
		k.CreatedAt, k.ActiveAt = utc(k.CreatedAt), utc(k.ActiveAt)
		k.RetiredAt, k.ExpiresAt = fromNullTime(retired), fromNullTime(expires)
		keys = append(keys, k)
	}
	return keys, rows.Err()
}

// UpdateSigningKeys replaces the set with fn's result. As UpdateTokenKeys,
// the transaction first locks signing_keys in EXCLUSIVE mode, which
// conflicts with itself and every write but not with reads: concurrent
// rotations, on any node, queue, and each sees the set the previous one
// wrote. Duplicate key ids fail with ErrAlreadyExists.
func (db *DB) UpdateSigningKeys(ctx context.Context, fn func([]opensts.SigningKey) ([]opensts.SigningKey, error)) error {
	err := db.write(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `LOCK TABLE signing_keys IN EXCLUSIVE MODE`); err != nil {
			return err
		}
		cur, err := listSigningKeys(ctx, tx)
		if err != nil {
			return err
		}
		next, err := fn(cur)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM signing_keys`); err != nil {
			return err
		}
		for i, k := range next {
			if _, err := tx.Exec(ctx, `INSERT INTO signing_keys (position, `+signingKeyCols+`)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, i, k.ID, k.Algorithm, blob(k.Sealed), blob(k.Public),
				k.CreatedAt, k.ActiveAt, nullTime(k.RetiredAt), nullTime(k.ExpiresAt)); err != nil {
				return fmt.Errorf("signing key %s: %w", k.ID, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("update signing keys: %w", err)
	}
	return nil
}

// GetOutboundFederation returns the account's switch; an account without
// a row was never enabled.
func (db *DB) GetOutboundFederation(ctx context.Context, accountID string) (opensts.OutboundFederation, error) {
	var f opensts.OutboundFederation
	err := db.readOne(ctx, func(q querier) (err error) {
		f, err = getOutboundFederation(ctx, q, accountID)
		return err
	})
	if err != nil {
		return opensts.OutboundFederation{}, fmt.Errorf("get outbound federation of %s: %w", accountID, err)
	}
	return f, nil
}

func getOutboundFederation(ctx context.Context, q querier, accountID string) (opensts.OutboundFederation, error) {
	f := opensts.OutboundFederation{AccountID: accountID}
	err := q.QueryRow(ctx, `SELECT enabled, changed_at FROM outbound_federation WHERE account_id = $1`, accountID).
		Scan(&f.Enabled, &f.ChangedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return f, nil
	}
	if err != nil {
		return opensts.OutboundFederation{}, err
	}
	f.ChangedAt = utc(f.ChangedAt)
	return f, nil
}

// SetOutboundFederation locks the account's row first (FOR NO KEY UPDATE:
// concurrent setters of one account queue, readers and other accounts do
// not wait); under READ COMMITTED the read that follows then sees what the
// previous setter committed, so exactly one of several enablers sees false.
func (db *DB) SetOutboundFederation(ctx context.Context, accountID string, enabled bool, at time.Time) (bool, error) {
	var previous bool
	err := db.write(ctx, func(tx pgx.Tx) error {
		if err := locked(ctx, tx, "account "+accountID, `SELECT 1 FROM accounts WHERE id = $1 FOR NO KEY UPDATE`, accountID); err != nil {
			return err
		}
		cur, err := getOutboundFederation(ctx, tx, accountID)
		if err != nil {
			return err
		}
		previous = cur.Enabled
		if cur.Enabled == enabled {
			return nil
		}
		_, err = tx.Exec(ctx, `INSERT INTO outbound_federation (account_id, enabled, changed_at) VALUES ($1, $2, $3)
			ON CONFLICT (account_id) DO UPDATE SET enabled = excluded.enabled, changed_at = excluded.changed_at`,
			accountID, enabled, at)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("set outbound federation of %s: %w", accountID, err)
	}
	return previous, nil
}
