package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/internal/backend"
)

const userCols = `account_id, id, name, path, created_at, tags, permissions_boundary, name_lower`

func scanUser(row scanner) (opensts.User, string, error) {
	var (
		u       opensts.User
		created int64
		tags    string
		key     string
	)
	if err := row.Scan(&u.AccountID, &u.ID, &u.Name, &u.Path, &created, &tags, &u.PermissionsBoundary, &key); err != nil {
		return opensts.User{}, "", classify(err)
	}
	u.CreatedAt = fromMicros(created)
	var err error
	if u.Tags, err = backend.DecodeTags(tags); err != nil {
		return opensts.User{}, "", err
	}
	return u, key, nil
}

// CreateUser stores a new user.
func (db *DB) CreateUser(ctx context.Context, u opensts.User, maxUsers int) error {
	tags, err := backend.EncodeTags(u.Tags)
	if err != nil {
		return fmt.Errorf("create user %s: %w", u.Name, err)
	}
	err = db.write(ctx, func(tx *sql.Tx) error {
		if err := accountExists(ctx, tx, u.AccountID); err != nil {
			return err
		}
		taken, err := exists(ctx, tx, `SELECT EXISTS (SELECT 1 FROM users WHERE account_id = ? AND name_lower = ?)`, u.AccountID, lower(u.Name))
		if err != nil {
			return err
		}
		if taken {
			return fmt.Errorf("user name %s: %w", u.Name, opensts.ErrAlreadyExists)
		}
		n, err := count(ctx, tx, `SELECT count(*) FROM users WHERE account_id = ?`, u.AccountID)
		if err != nil {
			return err
		}
		if n >= maxUsers {
			return backend.LimitExceeded("users", maxUsers)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO users (`+userCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			u.AccountID, u.ID, u.Name, u.Path, micros(u.CreatedAt), tags, u.PermissionsBoundary, lower(u.Name))
		return classify(err)
	})
	if err != nil {
		return fmt.Errorf("create user %s: %w", u.Name, err)
	}
	return nil
}

// GetUser looks a user up by name, case-insensitively.
func (db *DB) GetUser(ctx context.Context, accountID, name string) (opensts.User, error) {
	u, _, err := scanUser(db.reader().QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE account_id = ? AND name_lower = ?`, accountID, lower(name)))
	if err != nil {
		return opensts.User{}, fmt.Errorf("get user %s: %w", name, err)
	}
	return u, nil
}

// GetUserByID looks a user up by id.
func (db *DB) GetUserByID(ctx context.Context, accountID, userID string) (opensts.User, error) {
	u, err := getUserByID(ctx, db.reader(), accountID, userID)
	if err != nil {
		return opensts.User{}, fmt.Errorf("get user %s: %w", userID, err)
	}
	return u, nil
}

func getUserByID(ctx context.Context, q querier, accountID, userID string) (opensts.User, error) {
	u, _, err := scanUser(q.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE account_id = ? AND id = ?`, accountID, userID))
	return u, err
}

// userExists returns ErrNotFound unless the user is in the account.
func userExists(ctx context.Context, q querier, accountID, userID string) error {
	ok, err := exists(ctx, q, `SELECT EXISTS (SELECT 1 FROM users WHERE account_id = ? AND id = ?)`, accountID, userID)
	if err != nil {
		return err
	}
	if !ok {
		return backend.NotFound("user " + userID)
	}
	return nil
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
	query, args, err := pageQuery(`SELECT `+userCols+` FROM users WHERE account_id = ?`, []any{accountID}, "path", "name_lower", opt)
	if err != nil {
		return opensts.Page[opensts.User]{}, fmt.Errorf("list users: %w", err)
	}
	p, err := queryPage(ctx, db.reader(), query, args, opt, scanUser)
	if err != nil {
		return opensts.Page[opensts.User]{}, fmt.Errorf("list users: %w", err)
	}
	return p, nil
}

// UpdateUser runs fn on the current user and stores its tags and
// permissions boundary. Every other field fn changes is ignored.
func (db *DB) UpdateUser(ctx context.Context, accountID, userID string, fn func(*opensts.User) error) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		u, err := getUserByID(ctx, tx, accountID, userID)
		if err != nil {
			return err
		}
		if err := fn(&u); err != nil {
			return err
		}
		tags, err := backend.EncodeTags(u.Tags)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE users SET tags = ?, permissions_boundary = ? WHERE account_id = ? AND id = ?`,
			tags, u.PermissionsBoundary, accountID, userID)
		return classify(err)
	})
	if err != nil {
		return fmt.Errorf("update user %s: %w", userID, err)
	}
	return nil
}

// DeleteUser deletes a user that nothing depends on any more.
func (db *DB) DeleteUser(ctx context.Context, accountID, userID string) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := userExists(ctx, tx, accountID, userID); err != nil {
			return err
		}
		checks := []struct {
			dep   opensts.Dependent
			query string
		}{
			{opensts.DependentAccessKeys, `SELECT EXISTS (SELECT 1 FROM access_keys WHERE account_id = ?1 AND user_id = ?2)`},
			{opensts.DependentMFADevices, `SELECT EXISTS (SELECT 1 FROM mfa_devices WHERE account_id = ?1 AND user_id = ?2)`},
			{opensts.DependentInlinePolicies, `SELECT EXISTS (SELECT 1 FROM inline_policies WHERE owner_kind = 'user' AND owner_id = ?2)`},
			{opensts.DependentAttachedPolicies, `SELECT EXISTS (SELECT 1 FROM policy_attachments WHERE owner_kind = 'user' AND owner_id = ?2)`},
			{opensts.DependentGroups, `SELECT EXISTS (SELECT 1 FROM group_members WHERE user_id = ?2)`},
		}
		for _, c := range checks {
			ok, err := exists(ctx, tx, c.query, accountID, userID)
			if err != nil {
				return err
			}
			if ok {
				return &opensts.DeleteConflictError{Dependent: c.dep}
			}
		}
		// Tags live in the user row and go with it.
		_, err := tx.ExecContext(ctx, `DELETE FROM users WHERE account_id = ? AND id = ?`, accountID, userID)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete user %s: %w", userID, err)
	}
	return nil
}
