package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/internal/backend"
)

const samlProviderCols = `account_id, id, uuid, name, metadata, entity_id, valid_until, tags, created_at`

func scanSAMLProvider(row scanner) (opensts.SAMLProvider, error) {
	var (
		p              opensts.SAMLProvider
		tags           string
		valid, created int64
	)
	if err := row.Scan(&p.AccountID, &p.ID, &p.UUID, &p.Name, &p.MetadataDocument, &p.EntityID, &valid, &tags, &created); err != nil {
		return opensts.SAMLProvider{}, classify(err)
	}
	p.ValidUntil, p.CreatedAt = fromMicros(valid), fromMicros(created)
	var err error
	if p.Tags, err = backend.DecodeTags(tags); err != nil {
		return opensts.SAMLProvider{}, err
	}
	return p, nil
}

// insertSAMLProvider writes a provider row as it is (create and restore).
func insertSAMLProvider(ctx context.Context, tx *sql.Tx, p opensts.SAMLProvider) error {
	tags, err := backend.EncodeTags(p.Tags)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO saml_providers (`+samlProviderCols+`, name_lower) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.AccountID, p.ID, p.UUID, p.Name, p.MetadataDocument, p.EntityID, micros(p.ValidUntil), tags, micros(p.CreatedAt), lower(p.Name))
	return classify(err)
}

// CreateSAMLProvider stores a new SAML provider.
func (db *DB) CreateSAMLProvider(ctx context.Context, p opensts.SAMLProvider, maxProviders int) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := accountExists(ctx, tx, p.AccountID); err != nil {
			return err
		}
		taken, err := exists(ctx, tx, `SELECT EXISTS (SELECT 1 FROM saml_providers WHERE account_id = ? AND name_lower = ?)`, p.AccountID, lower(p.Name))
		if err != nil {
			return err
		}
		if taken {
			return fmt.Errorf("provider name %s: %w", p.Name, opensts.ErrAlreadyExists)
		}
		n, err := count(ctx, tx, `SELECT count(*) FROM saml_providers WHERE account_id = ?`, p.AccountID)
		if err != nil {
			return err
		}
		if n >= maxProviders {
			return backend.LimitExceeded("SAML providers", maxProviders)
		}
		return insertSAMLProvider(ctx, tx, p)
	})
	if err != nil {
		return fmt.Errorf("create SAML provider %s: %w", p.Name, err)
	}
	return nil
}

// GetSAMLProvider looks a provider up by name, without case.
func (db *DB) GetSAMLProvider(ctx context.Context, accountID, name string) (opensts.SAMLProvider, error) {
	p, err := scanSAMLProvider(db.reader().QueryRowContext(ctx,
		`SELECT `+samlProviderCols+` FROM saml_providers WHERE account_id = ? AND name_lower = ?`, accountID, lower(name)))
	if err != nil {
		return opensts.SAMLProvider{}, fmt.Errorf("get SAML provider %s: %w", name, err)
	}
	return p, nil
}

// GetSAMLProviderByID looks a provider up by id.
func (db *DB) GetSAMLProviderByID(ctx context.Context, accountID, id string) (opensts.SAMLProvider, error) {
	p, err := getSAMLProviderByID(ctx, db.reader(), accountID, id)
	if err != nil {
		return opensts.SAMLProvider{}, fmt.Errorf("get SAML provider %s: %w", id, err)
	}
	return p, nil
}

func getSAMLProviderByID(ctx context.Context, q querier, accountID, id string) (opensts.SAMLProvider, error) {
	return scanSAMLProvider(q.QueryRowContext(ctx,
		`SELECT `+samlProviderCols+` FROM saml_providers WHERE account_id = ? AND id = ?`, accountID, id))
}

// ListSAMLProviders lists the account's providers by name without case.
func (db *DB) ListSAMLProviders(ctx context.Context, accountID string) ([]opensts.SAMLProvider, error) {
	var list []opensts.SAMLProvider
	err := db.read(ctx, func(q querier) error {
		rows, err := q.QueryContext(ctx, `SELECT `+samlProviderCols+` FROM saml_providers WHERE account_id = ? ORDER BY name_lower`, accountID)
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

// UpdateSAMLProvider runs fn on the current provider and stores its
// metadata, entity id, validity and tags. Every other field fn changes is
// ignored.
func (db *DB) UpdateSAMLProvider(ctx context.Context, accountID, id string, fn func(*opensts.SAMLProvider) error) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		p, err := getSAMLProviderByID(ctx, tx, accountID, id)
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
		_, err = tx.ExecContext(ctx, `UPDATE saml_providers SET metadata = ?, entity_id = ?, valid_until = ?, tags = ?
			WHERE account_id = ? AND id = ?`, p.MetadataDocument, p.EntityID, micros(p.ValidUntil), tags, accountID, id)
		return classify(err)
	})
	if err != nil {
		return fmt.Errorf("update SAML provider %s: %w", id, err)
	}
	return nil
}

// DeleteSAMLProvider deletes a provider. Roles that trust it are left as
// they are.
func (db *DB) DeleteSAMLProvider(ctx context.Context, accountID, id string) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM saml_providers WHERE account_id = ? AND id = ?`, accountID, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return backend.NotFound("SAML provider " + id)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete SAML provider %s: %w", id, err)
	}
	return nil
}
