package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/internal/backend"
)

const oidcProviderCols = `account_id, id, url, client_ids, thumbprints, tags, created_at`

func scanOIDCProvider(row scanner) (opensts.OIDCProvider, error) {
	var (
		p                       opensts.OIDCProvider
		clientIDs, thumbs, tags string
		created                 int64
	)
	if err := row.Scan(&p.AccountID, &p.ID, &p.URL, &clientIDs, &thumbs, &tags, &created); err != nil {
		return opensts.OIDCProvider{}, classify(err)
	}
	p.CreatedAt = fromMicros(created)
	var err error
	if p.ClientIDs, err = backend.DecodeStrings(clientIDs); err != nil {
		return opensts.OIDCProvider{}, err
	}
	if p.Thumbprints, err = backend.DecodeStrings(thumbs); err != nil {
		return opensts.OIDCProvider{}, err
	}
	if p.Tags, err = backend.DecodeTags(tags); err != nil {
		return opensts.OIDCProvider{}, err
	}
	return p, nil
}

// encodeOIDCProvider returns the provider's stored lists: client ids,
// thumbprints and tags.
func encodeOIDCProvider(p opensts.OIDCProvider) (clientIDs, thumbs, tags string, err error) {
	if clientIDs, err = backend.EncodeStrings(p.ClientIDs); err != nil {
		return "", "", "", err
	}
	if thumbs, err = backend.EncodeStrings(p.Thumbprints); err != nil {
		return "", "", "", err
	}
	if tags, err = backend.EncodeTags(p.Tags); err != nil {
		return "", "", "", err
	}
	return clientIDs, thumbs, tags, nil
}

// insertOIDCProvider writes a provider row as it is (create and restore).
func insertOIDCProvider(ctx context.Context, tx *sql.Tx, p opensts.OIDCProvider) error {
	clientIDs, thumbs, tags, err := encodeOIDCProvider(p)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO oidc_providers (`+oidcProviderCols+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		p.AccountID, p.ID, p.URL, clientIDs, thumbs, tags, micros(p.CreatedAt))
	return classify(err)
}

// CreateOIDCProvider stores a new OIDC provider.
func (db *DB) CreateOIDCProvider(ctx context.Context, p opensts.OIDCProvider, maxProviders int) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := accountExists(ctx, tx, p.AccountID); err != nil {
			return err
		}
		taken, err := exists(ctx, tx, `SELECT EXISTS (SELECT 1 FROM oidc_providers WHERE account_id = ? AND url = ?)`, p.AccountID, p.URL)
		if err != nil {
			return err
		}
		if taken {
			return fmt.Errorf("provider url %s: %w", p.URL, opensts.ErrAlreadyExists)
		}
		n, err := count(ctx, tx, `SELECT count(*) FROM oidc_providers WHERE account_id = ?`, p.AccountID)
		if err != nil {
			return err
		}
		if n >= maxProviders {
			return backend.LimitExceeded("OIDC providers", maxProviders)
		}
		return insertOIDCProvider(ctx, tx, p)
	})
	if err != nil {
		return fmt.Errorf("create OIDC provider %s: %w", p.URL, err)
	}
	return nil
}

// GetOIDCProvider looks a provider up by its exact URL.
func (db *DB) GetOIDCProvider(ctx context.Context, accountID, url string) (opensts.OIDCProvider, error) {
	p, err := scanOIDCProvider(db.reader().QueryRowContext(ctx,
		`SELECT `+oidcProviderCols+` FROM oidc_providers WHERE account_id = ? AND url = ?`, accountID, url))
	if err != nil {
		return opensts.OIDCProvider{}, fmt.Errorf("get OIDC provider %s: %w", url, err)
	}
	return p, nil
}

// GetOIDCProviderByID looks a provider up by id.
func (db *DB) GetOIDCProviderByID(ctx context.Context, accountID, id string) (opensts.OIDCProvider, error) {
	p, err := getOIDCProviderByID(ctx, db.reader(), accountID, id)
	if err != nil {
		return opensts.OIDCProvider{}, fmt.Errorf("get OIDC provider %s: %w", id, err)
	}
	return p, nil
}

func getOIDCProviderByID(ctx context.Context, q querier, accountID, id string) (opensts.OIDCProvider, error) {
	return scanOIDCProvider(q.QueryRowContext(ctx,
		`SELECT `+oidcProviderCols+` FROM oidc_providers WHERE account_id = ? AND id = ?`, accountID, id))
}

// ListOIDCProviders lists the account's providers by URL, byte order.
func (db *DB) ListOIDCProviders(ctx context.Context, accountID string) ([]opensts.OIDCProvider, error) {
	var list []opensts.OIDCProvider
	err := db.read(ctx, func(q querier) error {
		rows, err := q.QueryContext(ctx, `SELECT `+oidcProviderCols+` FROM oidc_providers WHERE account_id = ? ORDER BY url`, accountID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			p, err := scanOIDCProvider(rows)
			if err != nil {
				return err
			}
			list = append(list, p)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list OIDC providers: %w", err)
	}
	return list, nil
}

// UpdateOIDCProvider runs fn on the current provider and stores its client
// ids, thumbprints and tags. Every other field fn changes is ignored.
func (db *DB) UpdateOIDCProvider(ctx context.Context, accountID, id string, fn func(*opensts.OIDCProvider) error) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		p, err := getOIDCProviderByID(ctx, tx, accountID, id)
		if err != nil {
			return err
		}
		if err := fn(&p); err != nil {
			return err
		}
		clientIDs, thumbs, tags, err := encodeOIDCProvider(p)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE oidc_providers SET client_ids = ?, thumbprints = ?, tags = ?
			WHERE account_id = ? AND id = ?`, clientIDs, thumbs, tags, accountID, id)
		return classify(err)
	})
	if err != nil {
		return fmt.Errorf("update OIDC provider %s: %w", id, err)
	}
	return nil
}

// DeleteOIDCProvider deletes a provider. Roles that trust it are left as
// they are.
func (db *DB) DeleteOIDCProvider(ctx context.Context, accountID, id string) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM oidc_providers WHERE account_id = ? AND id = ?`, accountID, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return backend.NotFound("OIDC provider " + id)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete OIDC provider %s: %w", id, err)
	}
	return nil
}
