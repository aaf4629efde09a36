package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/internal/backend"
)

const roleCols = `account_id, id, name, path, trust_policy, description, max_session_duration,
	permissions_boundary, tags, created_at, last_used, last_used_region, trusted_ids, name_lower`

func scanRole(row scanner) (opensts.Role, string, error) {
	var (
		r        opensts.Role
		created  int64
		lastUsed sql.NullInt64
		tags     string
		trusted  string
		key      string
	)
	if err := row.Scan(&r.AccountID, &r.ID, &r.Name, &r.Path, &r.TrustPolicy, &r.Description, &r.MaxSessionDuration,
		&r.PermissionsBoundary, &tags, &created, &lastUsed, &r.LastUsedRegion, &trusted, &key); err != nil {
		return opensts.Role{}, "", classify(err)
	}
	r.CreatedAt, r.LastUsed = fromMicros(created), fromNullMicros(lastUsed)
	var err error
	if r.Tags, err = backend.DecodeTags(tags); err != nil {
		return opensts.Role{}, "", err
	}
	if r.TrustedIDs, err = backend.DecodeIDs(trusted); err != nil {
		return opensts.Role{}, "", err
	}
	return r, key, nil
}

// insertRole writes a role row as it is (create and restore).
func insertRole(ctx context.Context, tx *sql.Tx, r opensts.Role) error {
	tags, err := backend.EncodeTags(r.Tags)
	if err != nil {
		return err
	}
	trusted, err := backend.EncodeIDs(r.TrustedIDs)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO roles (`+roleCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.AccountID, r.ID, r.Name, r.Path, r.TrustPolicy, r.Description, r.MaxSessionDuration,
		r.PermissionsBoundary, tags, micros(r.CreatedAt), nullMicros(r.LastUsed), r.LastUsedRegion, trusted, lower(r.Name))
	return classify(err)
}

// CreateRole stores a new role.
func (db *DB) CreateRole(ctx context.Context, r opensts.Role, maxRoles int) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := accountExists(ctx, tx, r.AccountID); err != nil {
			return err
		}
		taken, err := exists(ctx, tx, `SELECT EXISTS (SELECT 1 FROM roles WHERE account_id = ? AND name_lower = ?)`, r.AccountID, lower(r.Name))
		if err != nil {
			return err
		}
		if taken {
			return fmt.Errorf("role name %s: %w", r.Name, opensts.ErrAlreadyExists)
		}
		n, err := count(ctx, tx, `SELECT count(*) FROM roles WHERE account_id = ?`, r.AccountID)
		if err != nil {
			return err
		}
		if n >= maxRoles {
			return backend.LimitExceeded("roles", maxRoles)
		}
		return insertRole(ctx, tx, r)
	})
	if err != nil {
		return fmt.Errorf("create role %s: %w", r.Name, err)
	}
	return nil
}

// GetRole looks a role up by name, case-insensitively.
func (db *DB) GetRole(ctx context.Context, accountID, name string) (opensts.Role, error) {
	r, _, err := scanRole(db.reader().QueryRowContext(ctx, `SELECT `+roleCols+` FROM roles WHERE account_id = ? AND name_lower = ?`, accountID, lower(name)))
	if err != nil {
		return opensts.Role{}, fmt.Errorf("get role %s: %w", name, err)
	}
	return r, nil
}

// GetRoleByID looks a role up by id.
func (db *DB) GetRoleByID(ctx context.Context, accountID, roleID string) (opensts.Role, error) {
	r, err := getRoleByID(ctx, db.reader(), accountID, roleID)
	if err != nil {
		return opensts.Role{}, fmt.Errorf("get role %s: %w", roleID, err)
	}
	return r, nil
}

func getRoleByID(ctx context.Context, q querier, accountID, roleID string) (opensts.Role, error) {
	r, _, err := scanRole(q.QueryRowContext(ctx, `SELECT `+roleCols+` FROM roles WHERE account_id = ? AND id = ?`, accountID, roleID))
	return r, err
}

// roleExists returns ErrNotFound unless the role is in the account.
func roleExists(ctx context.Context, q querier, accountID, roleID string) error {
	ok, err := exists(ctx, q, `SELECT EXISTS (SELECT 1 FROM roles WHERE account_id = ? AND id = ?)`, accountID, roleID)
	if err != nil {
		return err
	}
	if !ok {
		return backend.NotFound("role " + roleID)
	}
	return nil
}

// ListRoles lists roles by case-folded name.
func (db *DB) ListRoles(ctx context.Context, accountID string, opt opensts.ListOptions) (opensts.Page[opensts.Role], error) {
	query, args, err := pageQuery(`SELECT `+roleCols+` FROM roles WHERE account_id = ?`, []any{accountID}, "path", "name_lower", opt)
	if err != nil {
		return opensts.Page[opensts.Role]{}, fmt.Errorf("list roles: %w", err)
	}
	p, err := queryPage(ctx, db.reader(), query, args, opt, scanRole)
	if err != nil {
		return opensts.Page[opensts.Role]{}, fmt.Errorf("list roles: %w", err)
	}
	return p, nil
}

// UpdateRole runs fn on the current role and stores what IAM may change:
// trust policy, description, maximum session duration, boundary, tags and
// last use. Every other field fn changes is ignored.
func (db *DB) UpdateRole(ctx context.Context, accountID, roleID string, fn func(*opensts.Role) error) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		r, err := getRoleByID(ctx, tx, accountID, roleID)
		if err != nil {
			return err
		}
		if err := fn(&r); err != nil {
			return err
		}
		tags, err := backend.EncodeTags(r.Tags)
		if err != nil {
			return err
		}
		trusted, err := backend.EncodeIDs(r.TrustedIDs)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE roles SET trust_policy = ?, trusted_ids = ?, description = ?, max_session_duration = ?,
			permissions_boundary = ?, tags = ?, last_used = ?, last_used_region = ? WHERE account_id = ? AND id = ?`,
			r.TrustPolicy, trusted, r.Description, r.MaxSessionDuration, r.PermissionsBoundary, tags,
			nullMicros(r.LastUsed), r.LastUsedRegion, accountID, roleID)
		return classify(err)
	})
	if err != nil {
		return fmt.Errorf("update role %s: %w", roleID, err)
	}
	return nil
}

// DeleteRole deletes a role that holds no policies any more.
func (db *DB) DeleteRole(ctx context.Context, accountID, roleID string) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := roleExists(ctx, tx, accountID, roleID); err != nil {
			return err
		}
		checks := []struct {
			dep   opensts.Dependent
			query string
		}{
			{opensts.DependentInlinePolicies, `SELECT EXISTS (SELECT 1 FROM inline_policies WHERE owner_kind = 'role' AND owner_id = ?2)`},
			{opensts.DependentAttachedPolicies, `SELECT EXISTS (SELECT 1 FROM policy_attachments WHERE owner_kind = 'role' AND owner_id = ?2)`},
		}
		for _, c := range checks {
			ok, err := exists(ctx, tx, c.query, accountID, roleID)
			if err != nil {
				return err
			}
			if ok {
				return &opensts.DeleteConflictError{Dependent: c.dep}
			}
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM roles WHERE account_id = ? AND id = ?`, accountID, roleID)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete role %s: %w", roleID, err)
	}
	return nil
}
