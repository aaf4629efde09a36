package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/internal/backend"
)

const groupCols = `g.account_id, g.id, g.name, g.path, g.created_at, g.name_lower`

func scanGroup(row scanner) (opensts.Group, string, error) {
	var (
		g       opensts.Group
		created int64
		key     string
	)
	if err := row.Scan(&g.AccountID, &g.ID, &g.Name, &g.Path, &created, &key); err != nil {
		return opensts.Group{}, "", classify(err)
	}
	g.CreatedAt = fromMicros(created)
	return g, key, nil
}

// CreateGroup stores a new group.
func (db *DB) CreateGroup(ctx context.Context, g opensts.Group, maxGroups int) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := accountExists(ctx, tx, g.AccountID); err != nil {
			return err
		}
		taken, err := exists(ctx, tx, `SELECT EXISTS (SELECT 1 FROM groups WHERE account_id = ? AND name_lower = ?)`, g.AccountID, lower(g.Name))
		if err != nil {
			return err
		}
		if taken {
			return fmt.Errorf("group name %s: %w", g.Name, opensts.ErrAlreadyExists)
		}
		n, err := count(ctx, tx, `SELECT count(*) FROM groups WHERE account_id = ?`, g.AccountID)
		if err != nil {
			return err
		}
		if n >= maxGroups {
			return backend.LimitExceeded("groups", maxGroups)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO groups (account_id, id, name, path, created_at, name_lower) VALUES (?, ?, ?, ?, ?, ?)`,
			g.AccountID, g.ID, g.Name, g.Path, micros(g.CreatedAt), lower(g.Name))
		return classify(err)
	})
	if err != nil {
		return fmt.Errorf("create group %s: %w", g.Name, err)
	}
	return nil
}

// GetGroup looks a group up by name, case-insensitively.
func (db *DB) GetGroup(ctx context.Context, accountID, name string) (opensts.Group, error) {
	g, _, err := scanGroup(db.reader().QueryRowContext(ctx, `SELECT `+groupCols+` FROM groups g WHERE g.account_id = ? AND g.name_lower = ?`, accountID, lower(name)))
	if err != nil {
		return opensts.Group{}, fmt.Errorf("get group %s: %w", name, err)
	}
	return g, nil
}

// ListGroups lists groups by case-folded name.
func (db *DB) ListGroups(ctx context.Context, accountID string, opt opensts.ListOptions) (opensts.Page[opensts.Group], error) {
	query, args, err := pageQuery(`SELECT `+groupCols+` FROM groups g WHERE g.account_id = ?`, []any{accountID}, "g.path", "g.name_lower", opt)
	if err != nil {
		return opensts.Page[opensts.Group]{}, fmt.Errorf("list groups: %w", err)
	}
	p, err := queryPage(ctx, db.reader(), query, args, opt, scanGroup)
	if err != nil {
		return opensts.Page[opensts.Group]{}, fmt.Errorf("list groups: %w", err)
	}
	return p, nil
}

func groupExists(ctx context.Context, q querier, accountID, groupID string) error {
	ok, err := exists(ctx, q, `SELECT EXISTS (SELECT 1 FROM groups WHERE account_id = ? AND id = ?)`, accountID, groupID)
	if err != nil {
		return err
	}
	if !ok {
		return backend.NotFound("group " + groupID)
	}
	return nil
}

// DeleteGroup deletes a group without members or policies.
func (db *DB) DeleteGroup(ctx context.Context, accountID, groupID string) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := groupExists(ctx, tx, accountID, groupID); err != nil {
			return err
		}
		checks := []struct {
			dep   opensts.Dependent
			query string
		}{
			{opensts.DependentMembers, `SELECT EXISTS (SELECT 1 FROM group_members WHERE group_id = ?)`},
			{opensts.DependentInlinePolicies, `SELECT EXISTS (SELECT 1 FROM inline_policies WHERE owner_kind = 'group' AND owner_id = ?)`},
			{opensts.DependentAttachedPolicies, `SELECT EXISTS (SELECT 1 FROM policy_attachments WHERE owner_kind = 'group' AND owner_id = ?)`},
		}
		for _, c := range checks {
			ok, err := exists(ctx, tx, c.query, groupID)
			if err != nil {
				return err
			}
			if ok {
				return &opensts.DeleteConflictError{Dependent: c.dep}
			}
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM groups WHERE account_id = ? AND id = ?`, accountID, groupID)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete group %s: %w", groupID, err)
	}
	return nil
}

// AddUserToGroup makes the user a member of the group.
func (db *DB) AddUserToGroup(ctx context.Context, accountID, groupID, userID string, maxGroupsPerUser int) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := groupExists(ctx, tx, accountID, groupID); err != nil {
			return err
		}
		if err := userExists(ctx, tx, accountID, userID); err != nil {
			return err
		}
		member, err := exists(ctx, tx, `SELECT EXISTS (SELECT 1 FROM group_members WHERE group_id = ? AND user_id = ?)`, groupID, userID)
		if err != nil || member {
			return err
		}
		n, err := count(ctx, tx, `SELECT count(*) FROM group_members WHERE user_id = ?`, userID)
		if err != nil {
			return err
		}
		if n >= maxGroupsPerUser {
			return backend.LimitExceeded("groups per user", maxGroupsPerUser)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO group_members (group_id, user_id) VALUES (?, ?)`, groupID, userID)
		return classify(err)
	})
	if err != nil {
		return fmt.Errorf("add user %s to group %s: %w", userID, groupID, err)
	}
	return nil
}

// RemoveUserFromGroup ends a membership.
func (db *DB) RemoveUserFromGroup(ctx context.Context, accountID, groupID, userID string) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := groupExists(ctx, tx, accountID, groupID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM group_members WHERE group_id = ? AND user_id = ?`, groupID, userID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			if err != nil {
				return err
			}
			return backend.NotFound("membership of user " + userID)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("remove user %s from group %s: %w", userID, groupID, err)
	}
	return nil
}

// ListGroupsForUser lists the user's groups by case-folded name.
func (db *DB) ListGroupsForUser(ctx context.Context, accountID, userID string, opt opensts.ListOptions) (opensts.Page[opensts.Group], error) {
	var p opensts.Page[opensts.Group]
	err := db.read(ctx, func(tx querier) error {
		if err := userExists(ctx, tx, accountID, userID); err != nil {
			return err
		}
		query, args, err := pageQuery(`SELECT `+groupCols+` FROM groups g JOIN group_members m ON m.group_id = g.id
			WHERE g.account_id = ? AND m.user_id = ?`, []any{accountID, userID}, "g.path", "g.name_lower", opt)
		if err != nil {
			return err
		}
		p, err = queryPage(ctx, tx, query, args, opt, scanGroup)
		return err
	})
	if err != nil {
		return opensts.Page[opensts.Group]{}, fmt.Errorf("list groups for user %s: %w", userID, err)
	}
	return p, nil
}

// ListGroupMembers lists the group's users by case-folded name.
func (db *DB) ListGroupMembers(ctx context.Context, accountID, groupID string, opt opensts.ListOptions) (opensts.Page[opensts.User], error) {
	var p opensts.Page[opensts.User]
	err := db.read(ctx, func(tx querier) error {
		if err := groupExists(ctx, tx, accountID, groupID); err != nil {
			return err
		}
		query, args, err := pageQuery(`SELECT u.account_id, u.id, u.name, u.path, u.created_at, u.tags, u.permissions_boundary, u.name_lower
			FROM users u JOIN group_members m ON m.user_id = u.id
			WHERE u.account_id = ? AND m.group_id = ?`, []any{accountID, groupID}, "u.path", "u.name_lower", opt)
		if err != nil {
			return err
		}
		p, err = queryPage(ctx, tx, query, args, opt, scanUser)
		return err
	})
	if err != nil {
		return opensts.Page[opensts.User]{}, fmt.Errorf("list members of group %s: %w", groupID, err)
	}
	return p, nil
}
