package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/internal/backend"
)

const samlProviderCols = `p.account_id, p.id, p.uuid, p.name, p.metadata, p.entity_id, p.valid_until, p.tags, p.created_at`

func scanSAMLProvider(row pgx.Row) (opensts.SAMLProvider, error) {
	var (
		p    opensts.SAMLProvider
		tags string
	)
	if err := row.Scan(&p.AccountID, &p.ID, &p.UUID, &p.Name, &p.MetadataDocument, &p.EntityID, &p.ValidUntil, &tags, &p.CreatedAt); err != nil {
		return opensts.SAMLProvider{}, err
	}
	p.ValidUntil, p.CreatedAt = utc(p.ValidUntil), utc(p.CreatedAt)
	var err error
	if p.Tags, err = backend.DecodeTags(tags); err != nil {
		return opensts.SAMLProvider{}, err
	}
	return p, nil
}

// CreateSAMLProvider stores a new SAML provider. The account row is locked
// first, so the name check, the count and the insert are atomic against
// other creators.
func (db *DB) CreateSAMLProvider(ctx context.Context, p opensts.SAMLProvider, maxProviders int) error {
	tags, err := backend.EncodeTags(p.Tags)
	if err != nil {
		return fmt.Errorf("create SAML provider %s: %w", p.Name, err)
	}
	err = db.write(ctx, func(tx pgx.Tx) error {
		if err := lockAccount(ctx, tx, p.AccountID); err != nil {
			return err
		}
		taken, err := exists(ctx, tx, `SELECT EXISTS (SELECT 1 FROM saml_providers WHERE account_id = $1 AND name_lower = $2)`, p.AccountID, lower(p.Name))
		if err != nil {
			return err
		}
		if taken {
			return fmt.Errorf("provider name %s: %w", p.Name, opensts.ErrAlreadyExists)
		}
		n, err := count(ctx, tx, `SELECT count(*) FROM saml_providers WHERE account_id = $1`, p.AccountID)
		if err != nil {
			return err
		}
		if n >= maxProviders {
			return backend.LimitExceeded("SAML providers", maxProviders)
		}
		_, err = tx.Exec(ctx, `INSERT INTO saml_providers (account_id, id, uuid, name, name_lower, metadata, entity_id, valid_until, tags, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			p.AccountID, p.ID, p.UUID, p.Name, lower(p.Name), p.MetadataDocument, p.EntityID, p.ValidUntil, tags, p.CreatedAt)
		return err
	})
	if err != nil {
		return fmt.Errorf("create SAML provider %s: %w", p.Name, err)
	}
	return nil
}

// GetSAMLProvider looks a provider up by name, without case.
func (db *DB) GetSAMLProvider(ctx context.Context, accountID, name string) (opensts.SAMLProvider, error) {
	var p opensts.SAMLProvider
	err := db.readOne(ctx, func(q querier) (err error) {
		p, err = scanSAMLProvider(q.QueryRow(ctx, `SELECT `+samlProviderCols+` FROM saml_providers p
			WHERE p.account_id = $1 AND p.name_lower = $2`, accountID, lower(name)))
		return err
	})
	if err != nil {
		return opensts.SAMLProvider{}, fmt.Errorf("get SAML provider %s: %w", name, err)
	}
	return p, nil
}

// GetSAMLProviderByID looks a provider up by id.
func (db *DB) GetSAMLProviderByID(ctx context.Context, accountID, id string) (opensts.SAMLProvider, error) {
	var p opensts.SAMLProvider
	err := db.readOne(ctx, func(q querier) (err error) {
		p, err = getSAMLProviderByID(ctx, q, accountID, id, "")
		return err
	})
	if err != nil {
		return opensts.SAMLProvider{}, fmt.Errorf("get SAML provider %s: %w", id, err)
	}
	return p, nil
}

// getSAMLProviderByID reads a provider, with lock ("" or a locking clause).
func getSAMLProviderByID(ctx context.Context, q querier, accountID, id, lock string) (opensts.SAMLProvider, error) {
	return scanSAMLProvider(q.QueryRow(ctx, `SELECT `+samlProviderCols+` FROM saml_providers p
		WHERE p.account_id = $1 AND p.id = $2 `+lock, accountID, id))
}

// ListSAMLProviders lists the account's providers by name without case.
func (db *DB) ListSAMLProviders(ctx context.Context, accountID string) ([]opensts.SAMLProvider, error) {
	var list []opensts.SAMLProvider
	err := db.readOne(ctx, func(q querier) error {
		list = nil
		rows, err := q.Query(ctx, `SELECT `+samlProviderCols+` FROM saml_providers p WHERE p.account_id = $1 ORDER BY p.name_lower`, accountID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			p, err := scanSAMLProvider(rows)
			if err != nil {
				return err
			}
			list = append(list, p)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list SAML providers: %w", err)
	}
	return list, nil
}

// UpdateSAMLProvider runs fn on the current provider, locked, and stores
// its metadata, entity id, validity and tags. Every other field fn changes
// is ignored.
func (db *DB) UpdateSAMLProvider(ctx context.Context, accountID, id string, fn func(*opensts.SAMLProvider) error) error {
	err := db.write(ctx, func(tx pgx.Tx) error {
		p, err := getSAMLProviderByID(ctx, tx, accountID, id, "FOR NO KEY UPDATE")
		if err != nil {
			return err
		}
		if err := fn(&p); err != nil {
			return err
		}
		tags, err := backend.EncodeTags(p.Tags)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE saml_providers SET metadata = $1, entity_id = $2, valid_until = $3, tags = $4
			WHERE account_id = $5 AND id = $6`, p.MetadataDocument, p.EntityID, p.ValidUntil, tags, accountID, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("update SAML provider %s: %w", id, err)
	}
	return nil
}

// DeleteSAMLProvider deletes a provider. Roles that trust it are left as
// they are.
func (db *DB) DeleteSAMLProvider(ctx context.Context, accountID, id string) error {
	err := db.write(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM saml_providers WHERE account_id = $1 AND id = $2`, accountID, id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return backend.NotFound("SAML provider " + id)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete SAML provider %s: %w", id, err)
	}
	return nil
}
