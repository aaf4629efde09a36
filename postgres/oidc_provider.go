package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/internal/backend"
)

const oidcProviderCols = `p.account_id, p.id, p.url, p.client_ids, p.thumbprints, p.tags, p.created_at`

func scanOIDCProvider(row pgx.Row) (opensts.OIDCProvider, error) {
	var (
		p                       opensts.OIDCProvider
		clientIDs, thumbs, tags string
	)
	if err := row.Scan(&p.AccountID, &p.ID, &p.URL, &clientIDs, &thumbs, &tags, &p.CreatedAt); err != nil {
		return opensts.OIDCProvider{}, err
	}
	p.CreatedAt = utc(p.CreatedAt)
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

// CreateOIDCProvider stores a new OIDC provider. The account row is locked
// first, so the URL check, the count and the insert are atomic against
// other creators.
func (db *DB) CreateOIDCProvider(ctx context.Context, p opensts.OIDCProvider, maxProviders int) error {
	clientIDs, thumbs, tags, err := encodeOIDCProvider(p)
	if err != nil {
		return fmt.Errorf("create OIDC provider %s: %w", p.URL, err)
	}
	err = db.write(ctx, func(tx pgx.Tx) error {
		if err := lockAccount(ctx, tx, p.AccountID); err != nil {
			return err
		}
		taken, err := exists(ctx, tx, `SELECT EXISTS (SELECT 1 FROM oidc_providers WHERE account_id = $1 AND url = $2)`, p.AccountID, p.URL)
		if err != nil {
			return err
		}
		if taken {
			return fmt.Errorf("provider url %s: %w", p.URL, opensts.ErrAlreadyExists)
		}
		n, err := count(ctx, tx, `SELECT count(*) FROM oidc_providers WHERE account_id = $1`, p.AccountID)
		if err != nil {
			return err
		}
		if n >= maxProviders {
			return backend.LimitExceeded("OIDC providers", maxProviders)
		}
		_, err = tx.Exec(ctx, `INSERT INTO oidc_providers (account_id, id, url, client_ids, thumbprints, tags, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, p.AccountID, p.ID, p.URL, clientIDs, thumbs, tags, p.CreatedAt)
		return err
	})
	if err != nil {
		return fmt.Errorf("create OIDC provider %s: %w", p.URL, err)
	}
	return nil
}

// GetOIDCProvider looks a provider up by its exact URL.
func (db *DB) GetOIDCProvider(ctx context.Context, accountID, url string) (opensts.OIDCProvider, error) {
	var p opensts.OIDCProvider
	err := db.readOne(ctx, func(q querier) (err error) {
		p, err = scanOIDCProvider(q.QueryRow(ctx, `SELECT `+oidcProviderCols+` FROM oidc_providers p
			WHERE p.account_id = $1 AND p.url = $2`, accountID, url))
		return err
	})
	if err != nil {
		return opensts.OIDCProvider{}, fmt.Errorf("get OIDC provider %s: %w", url, err)
	}
	return p, nil
}

// GetOIDCProviderByID looks a provider up by id.
func (db *DB) GetOIDCProviderByID(ctx context.Context, accountID, id string) (opensts.OIDCProvider, error) {
	var p opensts.OIDCProvider
	err := db.readOne(ctx, func(q querier) (err error) {
		p, err = getOIDCProviderByID(ctx, q, accountID, id, "")
		return err
	})
	if err != nil {
		return opensts.OIDCProvider{}, fmt.Errorf("get OIDC provider %s: %w", id, err)
	}
	return p, nil
}

// getOIDCProviderByID reads a provider, with lock ("" or a locking clause).
func getOIDCProviderByID(ctx context.Context, q querier, accountID, id, lock string) (opensts.OIDCProvider, error) {
	return scanOIDCProvider(q.QueryRow(ctx, `SELECT `+oidcProviderCols+` FROM oidc_providers p
		WHERE p.account_id = $1 AND p.id = $2 `+lock, accountID, id))
}

// ListOIDCProviders lists the account's providers by URL, byte order.
func (db *DB) ListOIDCProviders(ctx context.Context, accountID string) ([]opensts.OIDCProvider, error) {
	var list []opensts.OIDCProvider
	err := db.readOne(ctx, func(q querier) error {
		list = nil
		rows, err := q.Query(ctx, `SELECT `+oidcProviderCols+` FROM oidc_providers p WHERE p.account_id = $1 ORDER BY p.url`, accountID)
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

// UpdateOIDCProvider runs fn on the current provider, locked, and stores
// its client ids, thumbprints and tags. Every other field fn changes is
// ignored.
func (db *DB) UpdateOIDCProvider(ctx context.Context, accountID, id string, fn func(*opensts.OIDCProvider) error) error {
	err := db.write(ctx, func(tx pgx.Tx) error {
		p, err := getOIDCProviderByID(ctx, tx, accountID, id, "FOR NO KEY UPDATE")
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
		_, err = tx.Exec(ctx, `UPDATE oidc_providers SET client_ids = $1, thumbprints = $2, tags = $3
			WHERE account_id = $4 AND id = $5`, clientIDs, thumbs, tags, accountID, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("update OIDC provider %s: %w", id, err)
	}
	return nil
}

// DeleteOIDCProvider deletes a provider. Roles that trust it are left as
// they are.
func (db *DB) DeleteOIDCProvider(ctx context.Context, accountID, id string) error {
	err := db.write(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM oidc_providers WHERE account_id = $1 AND id = $2`, accountID, id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return backend.NotFound("OIDC provider " + id)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete OIDC provider %s: %w", id, err)
	}
	return nil
}
