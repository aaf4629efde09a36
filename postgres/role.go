package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/internal/backend"
)

const roleCols = `r.account_id, r.id, r.name, r.path, r.trust_policy, r.description, r.max_session_duration,
	r.permissions_boundary, r.tags, r.created_at, r.last_used, r.last_used_region, r.trusted_ids, r.name_lower`

func scanRole(row pgx.Row) (opensts.Role, string, error) {
	var (
		r        opensts.Role
		lastUsed pgtype.Timestamptz
		tags     string
		trusted  string
		key      string
	)
	if err := row.Scan(&r.AccountID, &r.ID, &r.Name, &r.Path, &r.TrustPolicy, &r.Description, &r.MaxSessionDuration,
		&r.PermissionsBoundary, &tags, &r.CreatedAt, &lastUsed, &r.LastUsedRegion, &trusted, &key); err != nil {
		return opensts.Role{}, "", err
	}
	r.CreatedAt, r.LastUsed = utc(r.CreatedAt), fromNullTime(lastUsed)
	var err error
	if r.Tags, err = backend.DecodeTags(tags); err != nil {
		return opensts.Role{}, "", err
	}
	if r.TrustedIDs, err = backend.DecodeIDs(trusted); err != nil {
		return opensts.Role{}, "", err
	}
	return r, key, nil
}

// CreateRole stores a new role. The account row is locked first, so the
// name check, the count and the insert are atomic against other creators.
func (db *DB) CreateRole(ctx context.Context, r opensts.Role, maxRoles int) error {
	tags, err := backend.EncodeTags(r.Tags)
	if err != nil {
		return fmt.Errorf("create role %s: %w", r.Name, err)
	}
	trusted, err := backend.EncodeIDs(r.TrustedIDs)
	if err != nil {
		return fmt.Errorf("create role %s: %w", r.Name, err)
	}
	err = db.write(ctx, func(tx pgx.Tx) error {
		if err := lockAccount(ctx, tx, r.AccountID); err != nil {
			return err
		}
		taken, err := exists(ctx, tx, `SELECT EXISTS (SELECT 1 FROM roles WHERE account_id = $1 AND name_lower = $2)`, r.AccountID, lower(r.Name))
		if err != nil {
			return err
		}
		if taken {
			return fmt.Errorf("role name %s: %w", r.Name, opensts.ErrAlreadyExists)
		}
		n, err := count(ctx, tx, `SELECT count(*) FROM roles WHERE account_id = $1`, r.AccountID)
		if err != nil {
			return err
		}
		if n >= maxRoles {
			return backend.LimitExceeded("roles", maxRoles)
		}
		_, err = tx.Exec(ctx, `INSERT INTO roles (account_id, id, name, name_lower, path, trust_policy, description,
			max_session_duration, permissions_boundary, tags, created_at, last_used, last_used_region, trusted_ids)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
			r.AccountID, r.ID, r.Name, lower(r.Name), r.Path, r.TrustPolicy, r.Description,
			int64(r.MaxSessionDuration), r.PermissionsBoundary, tags, r.CreatedAt, nullTime(r.LastUsed), r.LastUsedRegion, trusted)
		return err
	})
	if err != nil {
		return fmt.Errorf("create role %s: %w", r.Name, err)
	}
	return nil
}

// GetRole looks a role up by name, case-insensitively.
func (db *DB) GetRole(ctx context.Context, accountID, name string) (opensts.Role, error) {
	var r opensts.Role
	err := db.readOne(ctx, func(q querier) (err error) {
		r, _, err = scanRole(q.QueryRow(ctx, `SELECT `+roleCols+` FROM roles r WHERE r.account_id = $1 AND r.name_lower = $2`, accountID, lower(name)))
		return err
	})
	if err != nil {
		return opensts.Role{}, fmt.Errorf("get role %s: %w", name, err)
	}
	return r, nil
}

// GetRoleByID looks a role up by id.
func (db *DB) GetRoleByID(ctx context.Context, accountID, roleID string) (opensts.Role, error) {
	var r opensts.Role
	err := db.readOne(ctx, func(q querier) (err error) {
		r, err = getRoleByID(ctx, q, accountID, roleID, "")
		return err
	})
	if err != nil {
		return opensts.Role{}, fmt.Errorf("get role %s: %w", roleID, err)
	}
	return r, nil
}

// getRoleByID reads a role, with lock ("", or a locking clause such as
// "FOR NO KEY UPDATE").
func getRoleByID(ctx context.Context, q querier, accountID, roleID, lock string) (opensts.Role, error) {
	r, _, err := scanRole(q.QueryRow(ctx, `SELECT `+roleCols+` FROM roles r WHERE r.account_id = $1 AND r.id = $2 `+lock, accountID, roleID))
	return r, err
}

// roleExists returns ErrNotFound unless the role is in the account.
func roleExists(ctx context.Context, q querier, accountID, roleID string) error {
	ok, err := exists(ctx, q, `SELECT EXISTS (SELECT 1 FROM roles WHERE account_id = $1 AND id = $2)`, accountID, roleID)
	if err != nil {
		return err
	}
	if !ok {
		return backend.NotFound("role " + roleID)
	}
	return nil
}

// lockRole locks the role row in mode ("FOR KEY SHARE" to keep it from
// being deleted, "FOR NO KEY UPDATE" to also serialize with other writers
// of the role's quota-limited dependents), or returns ErrNotFound.
func lockRole(ctx context.Context, tx pgx.Tx, accountID, roleID, mode string) error {
	return locked(ctx, tx, "role "+roleID, `SELECT 1 FROM roles WHERE account_id = $1 AND id = $2 `+mode, accountID, roleID)
}

// ListRoles lists roles by case-folded name.
func (db *DB) ListRoles(ctx context.Context, accountID string, opt opensts.ListOptions) (opensts.Page[opensts.Role], error) {
	s := newStmt(`SELECT `+roleCols+` FROM roles r WHERE r.account_id = $1`, accountID)
	if err := s.page("r.path", "r.name_lower", opt); err != nil {
		return opensts.Page[opensts.Role]{}, fmt.Errorf("list roles: %w", err)
	}
	var p opensts.Page[opensts.Role]
	err := db.readOne(ctx, func(q querier) (err error) {
		p, err = queryPage(ctx, q, s, opt, scanRole)
		return err
	})
	if err != nil {
		return opensts.Page[opensts.Role]{}, fmt.Errorf("list roles: %w", err)
	}
	return p, nil
}

// UpdateRole runs fn on the current role, locked, and stores its trust
// policy, description, maximum session duration, permissions boundary,
// tags and last use. Every other field fn changes is ignored.
func (db *DB) UpdateRole(ctx context.Context, accountID, roleID string, fn func(*opensts.Role) error) error {
	err := db.write(ctx, func(tx pgx.Tx) error {
		r, err := getRoleByID(ctx, tx, accountID, roleID, "FOR NO KEY UPDATE")
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
		_, err = tx.Exec(ctx, `UPDATE roles SET trust_policy = $1, description = $2, max_session_duration = $3,
			permissions_boundary = $4, tags = $5, last_used = $6, last_used_region = $7, trusted_ids = $8
			WHERE account_id = $9 AND id = $10`,
			r.TrustPolicy, r.Description, int64(r.MaxSessionDuration), r.PermissionsBoundary, tags,
			nullTime(r.LastUsed), r.LastUsedRegion, trusted, accountID, roleID)
		return err
	})
	if err != nil {
		return fmt.Errorf("update role %s: %w", roleID, err)
	}
	return nil
}

// DeleteRole deletes a role that no inline or attached policy depends on
// any more. The role row is locked FOR UPDATE first, which waits for, and
// then blocks, every writer that adds a policy to it (they lock the row
// FOR NO KEY UPDATE).
func (db *DB) DeleteRole(ctx context.Context, accountID, roleID string) error {
	err := db.write(ctx, func(tx pgx.Tx) error {
		if err := lockRole(ctx, tx, accountID, roleID, "FOR UPDATE"); err != nil {
			return err
		}
		checks := []struct {
			dep   opensts.Dependent
			query string
		}{
			{opensts.DependentInlinePolicies, `SELECT EXISTS (SELECT 1 FROM inline_policies WHERE owner_kind = 'role' AND owner_id = $1)`},
			{opensts.DependentAttachedPolicies, `SELECT EXISTS (SELECT 1 FROM policy_attachments WHERE owner_kind = 'role' AND owner_id = $1)`},
		}
		for _, c := range checks {
			ok, err := exists(ctx, tx, c.query, roleID)
			if err != nil {
				return err
			}
			if ok {
				return &opensts.DeleteConflictError{Dependent: c.dep}
			}
		}
		// Tags live in the role row and go with it.
		_, err := tx.Exec(ctx, `DELETE FROM roles WHERE account_id = $1 AND id = $2`, accountID, roleID)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete role %s: %w", roleID, err)
	}
	return nil
}
