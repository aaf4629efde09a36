package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/internal/backend"
)

const userCols = `u.account_id, u.id, u.name, u.path, u.created_at, u.tags, u.permissions_boundary, u.name_lower`

func scanUser(row pgx.Row) (opensts.User, string, error) {
	var (
		u    opensts.User
		tags string
		key  string
	)
	if err := row.Scan(&u.AccountID, &u.ID, &u.Name, &u.Path, &u.CreatedAt, &tags, &u.PermissionsBoundary, &key); err != nil {
		return opensts.User{}, "", err
	}
	u.CreatedAt = utc(u.CreatedAt)
	var err error
	if u.Tags, err = backend.DecodeTags(tags); err != nil {
		return opensts.User{}, "", err
	}
	return u, key, nil
}

// CreateUser stores a new user. The account row is locked first, so the
// name check, the count and the insert are atomic against other creators.
func (db *DB) CreateUser(ctx context.Context, u opensts.User, maxUsers int) error {
	tags, err := backend.EncodeTags(u.Tags)
	if err != nil {
		return fmt.Errorf("create user %s: %w", u.Name, err)
	}
	err = db.write(ctx, func(tx pgx.Tx) error {
		if err := lockAccount(ctx, tx, u.AccountID); err != nil {
			return err
		}
		taken, err := exists(ctx, tx, `SELECT EXISTS (SELECT 1 FROM users WHERE account_id = $1 AND name_lower = $2)`, u.AccountID, lower(u.Name))
		if err != nil {
			return err
		}
		if taken {
			return fmt.Errorf("user name %s: %w", u.Name, opensts.ErrAlreadyExists)
		}
		n, err := count(ctx, tx, `SELECT count(*) FROM users WHERE account_id = $1`, u.AccountID)
		if err != nil {
			return err
		}
		if n >= maxUsers {
			return backend.LimitExceeded("users", maxUsers)
		}
		_, err = tx.Exec(ctx, `INSERT INTO users (account_id, id, name, path, created_at, tags, permissions_boundary, name_lower)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			u.AccountID, u.ID, u.Name, u.Path, u.CreatedAt, tags, u.PermissionsBoundary, lower(u.Name))
		return err
	})
	if err != nil {
		return fmt.Errorf("create user %s: %w", u.Name, err)
	}
	return nil
}

// GetUser looks a user up by name, case-insensitively.
func (db *DB) GetUser(ctx context.Context, accountID, name string) (opensts.User, error) {
	var u opensts.User
	err := db.readOne(ctx, func(q querier) (err error) {
		u, _, err = scanUser(q.QueryRow(ctx, `SELECT `+userCols+` FROM users u WHERE u.account_id = $1 AND u.name_lower = $2`, accountID, lower(name)))
		return err
	})
	if err != nil {
		return opensts.User{}, fmt.Errorf("get user %s: %w", name, err)
	}
	return u, nil
}

// GetUserByID looks a user up by id.
func (db *DB) GetUserByID(ctx context.Context, accountID, userID string) (opensts.User, error) {
	var u opensts.User
	err := db.readOne(ctx, func(q querier) (err error) {
		u, err = getUserByID(ctx, q, accountID, userID, "")
		return err
	})
	if err != nil {
		return opensts.User{}, fmt.Errorf("get user %s: %w", userID, err)
	}
	return u, nil
}

// getUserByID reads a user, with lock ("", or a locking clause such as
// "FOR NO KEY UPDATE").
func getUserByID(ctx context.Context, q querier, accountID, userID, lock string) (opensts.User, error) {
	u, _, err := scanUser(q.QueryRow(ctx, `SELECT `+userCols+` FROM users u WHERE u.account_id = $1 AND u.id = $2 `+lock, accountID, userID))
	return u, err
}

// userExists returns ErrNotFound unless the user is in the account.
func userExists(ctx context.Context, q querier, accountID, userID string) error {
	ok, err := exists(ctx, q, `SELECT EXISTS (SELECT 1 FROM users WHERE account_id = $1 AND id = $2)`, accountID, userID)
	if err != nil {
		return err
	}
	if !ok {
		return backend.NotFound("user " + userID)
	}
	return nil
}

// lockUser locks the user row in mode ("FOR KEY SHARE" to keep it from
// being deleted, "FOR NO KEY UPDATE" to also serialize with other writers
// of the user's quota-limited dependents), or returns ErrNotFound.
func lockUser(ctx context.Context, tx pgx.Tx, accountID, userID, mode string) error {
	return locked(ctx, tx, "user "+userID, `SELECT 1 FROM users WHERE account_id = $1 AND id = $2 `+mode, accountID, userID)
}

// lockOwner locks the owner of access keys or MFA devices: the account
// itself for the root, else a user of the account.
func lockOwner(ctx context.Context, tx pgx.Tx, accountID, userID, mode string) error {
	if userID == accountID {
		return locked(ctx, tx, "account "+accountID, `SELECT 1 FROM accounts WHERE id = $1 `+mode, accountID)
	}
	return lockUser(ctx, tx, accountID, userID, mode)
}

// ownerExists returns ErrNotFound unless the access key or MFA device owner
// exists: the account itself for the root, else a user of the account.
func ownerExists(ctx context.Context, q querier, accountID, userID string) error {
	if userID == accountID {
		return accountExists(ctx, q, accountID)
	}
	return userExists(ctx, q, accountID, userID)
}

// ListUsers lists users by case-folded name.
func (db *DB) ListUsers(ctx context.Context, accountID string, opt opensts.ListOptions) (opensts.Page[opensts.User], error) {
	s := newStmt(`SELECT `+userCols+` FROM users u WHERE u.account_id = $1`, accountID)
	if err := s.page("u.path", "u.name_lower", opt); err != nil {
		return opensts.Page[opensts.User]{}, fmt.Errorf("list users: %w", err)
	}
	var p opensts.Page[opensts.User]
	err := db.readOne(ctx, func(q querier) (err error) {
		p, err = queryPage(ctx, q, s, opt, scanUser)
		return err
	})
	if err != nil {
		return opensts.Page[opensts.User]{}, fmt.Errorf("list users: %w", err)
	}
	return p, nil
}

// UpdateUser runs fn on the current user, locked, and stores its tags and
// permissions boundary. Every other field fn changes is ignored. A new
// boundary that names a managed policy of the account locks that policy
// against a concurrent DeletePolicy, which checks boundaries.
func (db *DB) UpdateUser(ctx context.Context, accountID, userID string, fn func(*opensts.User) error) error {
	err := db.write(ctx, func(tx pgx.Tx) error {
		u, err := getUserByID(ctx, tx, accountID, userID, "FOR NO KEY UPDATE")
		if err != nil {
			return err
		}
		before := u.PermissionsBoundary
		if err := fn(&u); err != nil {
			return err
		}
		if u.PermissionsBoundary != "" && u.PermissionsBoundary != before {
			if a, kind, _, name, ok := opensts.ParseIAMARN(u.PermissionsBoundary); ok && a == accountID && kind == "policy" {
				if _, err := tx.Exec(ctx, `SELECT 1 FROM managed_policies WHERE account_id = $1 AND name_lower = $2 FOR KEY SHARE`,
					accountID, lower(name)); err != nil {
					return err
				}
			}
		}
		tags, err := backend.EncodeTags(u.Tags)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE users SET tags = $1, permissions_boundary = $2 WHERE account_id = $3 AND id = $4`,
			tags, u.PermissionsBoundary, accountID, userID)
		return err
	})
	if err != nil {
		return fmt.Errorf("update user %s: %w", userID, err)
	}
	return nil
}

// DeleteUser deletes a user that nothing depends on any more. The user row
// is locked FOR UPDATE first, which waits for, and then blocks, every
// writer that adds a dependent (they lock the row FOR KEY SHARE or FOR NO
// KEY UPDATE).
func (db *DB) DeleteUser(ctx context.Context, accountID, userID string) error {
	err := db.write(ctx, func(tx pgx.Tx) error {
		if err := lockUser(ctx, tx, accountID, userID, "FOR UPDATE"); err != nil {
			return err
		}
		checks := []struct {
			dep   opensts.Dependent
			query string
			args  []any
		}{
			{opensts.DependentAccessKeys, `SELECT EXISTS (SELECT 1 FROM access_keys WHERE account_id = $1 AND user_id = $2)`, []any{accountID, userID}},
			{opensts.DependentMFADevices, `SELECT EXISTS (SELECT 1 FROM mfa_devices WHERE account_id = $1 AND user_id = $2)`, []any{accountID, userID}},
			{opensts.DependentInlinePolicies, `SELECT EXISTS (SELECT 1 FROM inline_policies WHERE owner_kind = 'user' AND owner_id = $1)`, []any{userID}},
			{opensts.DependentAttachedPolicies, `SELECT EXISTS (SELECT 1 FROM policy_attachments WHERE owner_kind = 'user' AND owner_id = $1)`, []any{userID}},
			{opensts.DependentGroups, `SELECT EXISTS (SELECT 1 FROM group_members WHERE user_id = $1)`, []any{userID}},
		}
		for _, c := range checks {
			ok, err := exists(ctx, tx, c.query, c.args...)
			if err != nil {
				return err
			}
			if ok {
				return &opensts.DeleteConflictError{Dependent: c.dep}
			}
		}
		// Tags live in the user row and go with it.
		_, err := tx.Exec(ctx, `DELETE FROM users WHERE account_id = $1 AND id = $2`, accountID, userID)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete user %s: %w", userID, err)
	}
	return nil
}
