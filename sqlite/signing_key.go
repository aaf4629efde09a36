package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/internal/backend"
)

const signingKeyCols = `id, algorithm, sealed, public, created_at, active_at, retired_at, expires_at`

// ListSigningKeys returns the signing key set in the order the last update
// wrote it.
func (db *DB) ListSigningKeys(ctx context.Context) ([]opensts.SigningKey, error) {
	keys, err := listSigningKeys(ctx, db.reader())
	if err != nil {
		return nil, fmt.Errorf("list signing keys: %w", err)
	}
	return keys, nil
}

func listSigningKeys(ctx context.Context, q querier) ([]opensts.SigningKey, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+signingKeyCols+` FROM signing_keys ORDER BY position`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var keys []opensts.SigningKey
	for rows.Next() {
		var (
			k                opensts.SigningKey
			created, active  int64
			retired, expires sql.NullInt64
		)
		if err := rows.Scan(&k.ID, &k.Algorithm, &k.Sealed, &k.Public, &created, &active, &retired, &expires); err != nil {
			return nil, err
		}
		k.CreatedAt, k.ActiveAt = fromMicros(created), fromMicros(active)
		k.RetiredAt, k.ExpiresAt = fromNullMicros(retired), fromNullMicros(expires)
		keys = append(keys, k)
	}
	return keys, rows.Err()
}

// UpdateSigningKeys replaces the set with fn's result inside the write
// transaction, so concurrent rotations queue and each sees the set the
// previous one wrote. Duplicate key ids fail with ErrAlreadyExists.
func (db *DB) UpdateSigningKeys(ctx context.Context, fn func([]opensts.SigningKey) ([]opensts.SigningKey, error)) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		cur, err := listSigningKeys(ctx, tx)
		if err != nil {
			return err
		}
		next, err := fn(cur)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM signing_keys`); err != nil {
			return err
		}
		return insertSigningKeys(ctx, tx, next)
	})
	if err != nil {
		return fmt.Errorf("update signing keys: %w", err)
	}
	return nil
}

func insertSigningKeys(ctx context.Context, tx *sql.Tx, keys []opensts.SigningKey) error {
	for i, k := range keys {
		if _, err := tx.ExecContext(ctx, `INSERT INTO signing_keys (position, `+signingKeyCols+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, i, k.ID, k.Algorithm, blob(k.Sealed), blob(k.Public),
			micros(k.CreatedAt), micros(k.ActiveAt), nullMicros(k.RetiredAt), nullMicros(k.ExpiresAt)); err != nil {
			return fmt.Errorf("signing key %s: %w", k.ID, classify(err))
		}
	}
	return nil
}

// GetOutboundFederation returns the account's switch; an account without
// a row was never enabled.
func (db *DB) GetOutboundFederation(ctx context.Context, accountID string) (opensts.OutboundFederation, error) {
	f, err := getOutboundFederation(ctx, db.reader(), accountID)
	if err != nil {
		return opensts.OutboundFederation{}, fmt.Errorf("get outbound federation of %s: %w", accountID, err)
	}
	return f, nil
}

func getOutboundFederation(ctx context.Context, q querier, accountID string) (opensts.OutboundFederation, error) {
	f := opensts.OutboundFederation{AccountID: accountID}
	var changed int64
	err := q.QueryRowContext(ctx, `SELECT enabled, changed_at FROM outbound_federation WHERE account_id = ?`, accountID).
		Scan(&f.Enabled, &changed)
	if errors.Is(err, sql.ErrNoRows) {
		return f, nil
	}
	if err != nil {
		return opensts.OutboundFederation{}, err
	}
	f.ChangedAt = fromMicros(changed)
	return f, nil
}

// SetOutboundFederation reads and writes the switch in the one write
// transaction, so concurrent setters queue and each sees the value the
// previous one wrote.
func (db *DB) SetOutboundFederation(ctx context.Context, accountID string, enabled bool, at time.Time) (bool, error) {
	var previous bool
	err := db.write(ctx, func(tx *sql.Tx) error {
		ok, err := exists(ctx, tx, `SELECT EXISTS (SELECT 1 FROM accounts WHERE id = ?)`, accountID)
		if err != nil {
			return err
		}
		if !ok {
			return backend.NotFound("account " + accountID)
		}
		cur, err := getOutboundFederation(ctx, tx, accountID)
		if err != nil {
			return err
		}
		previous = cur.Enabled
		if cur.Enabled == enabled {
			return nil
		}
		return insertOutboundFederation(ctx, tx, opensts.OutboundFederation{AccountID: accountID, Enabled: enabled, ChangedAt: at})
	})
	if err != nil {
		return false, fmt.Errorf("set outbound federation of %s: %w", accountID, err)
	}
	return previous, nil
}

func insertOutboundFederation(ctx context.Context, tx *sql.Tx, f opensts.OutboundFederation) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO outbound_federation (account_id, enabled, changed_at) VALUES (?, ?, ?)
		ON CONFLICT (account_id) DO UPDATE SET enabled = excluded.enabled, changed_at = excluded.changed_at`,
		f.AccountID, f.Enabled, micros(f.ChangedAt))
	return classify(err)
}
