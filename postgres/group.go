package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/internal/backend"
)

const groupCols = `g.account_id, g.id, g.name, g.path, g.created_at, g.name_lower`

func scanGroup(row pgx.Row) (opensts.Group, string, error) {
	var (
		g   opensts.Group
		key string
	)
	if err := row.Scan(&g.AccountID, &g.ID, &g.Name, &g.Path, &g.CreatedAt, &key); err != nil {
		return opensts.Group{}, "", err
	}
	g.CreatedAt = utc(g.CreatedAt)
	return g, key, nil
}

// CreateGroup stores a new group; the account row lock makes the name
// check, count and insert atomic.
func (db *DB) CreateGroup(ctx context.Context, g opensts.Group, maxGroups int) error {
	err := db.write(ctx, func(tx pgx.Tx) error {
		if err := lockAccount(ctx, tx, g.AccountID); err != nil {
			return err
		}
		taken, err := exists(ctx, tx, `SELECT EXISTS (SELECT 1 FROM groups WHERE account_id = $1 AND name_lower = $2)`, g.AccountID, lower(g.Name))
		if err != nil {
			return err
		}
		if taken {
			return fmt.Errorf("group name %s: %w", g.Name, opensts.ErrAlreadyExists)
		}
		n, err := count(ctx, tx, `SELECT count(*) FROM groups WHERE account_id = $1`, g.AccountID)
		if err != nil {
			return err
		}
		if n >= maxGroups {
			return backend.LimitExceeded("groups", maxGroups)
		}
		_, err = tx.Exec(ctx, `INSERT INTO groups (account_id, id, name, path, created_at, name_lower) VALUES ($1, $2, $3, $4, $5, $6)`,
			g.AccountID, g.ID, g.Name, g.Path, g.CreatedAt, lower(g.Name))
		return err
	})
	if err != nil {
		return fmt.Errorf("create group %s: %w", g.Name, err)
	}
	return nil
}

// GetGroup looks a group up by name, case-insensitively.
func (db *DB) GetGroup(ctx context.Context, accountID, name string) (opensts.Group, error) {
	var g opensts.Group
	err := db.readOne(ctx, func(q querier) (err error) {
		g, _, err = scanGroup(q.QueryRow(ctx, `SELECT `+groupCols+` FROM groups g WHERE g.account_id = $1 AND g.name_lower = $2`, accountID, lower(name)))
		return err
	})
	if err != nil {
		return opensts.Group{}, fmt.Errorf("get group %s: %w", name, err)
	}
	return g, nil
}

// ListGroups lists groups by case-folded name.
func (db *DB) ListGroups(ctx context.Context, accountID string, opt opensts.ListOptions) (opensts.Page[opensts.Group], error) {
	s := newStmt(`SELECT `+groupCols+` FROM groups g WHERE g.account_id = $1`, accountID)
	if err := s.page("g.path", "g.name_lower", opt); err != nil {
		return opensts.Page[opensts.Group]{}, fmt.Errorf("list groups: %w", err)
	}
	var p opensts.Page[opensts.Group]
	err := db.readOne(ctx, func(q querier) (err error) {
		p, err = queryPage(ctx, q, s, opt, scanGroup)
		return err
	})
	if err != nil {
		return opensts.Page[opensts.Group]{}, fmt.Errorf("list groups: %w", err)
	}
	return p, nil
}

func groupExists(ctx context.Context, q querier, accountID, groupID string) error {
	ok, err := exists(ctx, q, `SELECT EXISTS (SELECT 1 FROM groups WHERE account_id = $1 AND id = $2)`, accountID, groupID)
	if err != nil {
		return err
	}
	if !ok {
		return backend.NotFound("group " + groupID)
	}
	return nil
}

// lockGroup locks the group row in mode, or returns ErrNotFound.
func lockGroup(ctx context.Context, tx pgx.Tx, accountID, groupID, mode string) error {
	return locked(ctx, tx, "group "+groupID, `SELECT 1 FROM groups WHERE account_id = $1 AND id = $2 `+mode, accountID, groupID)
}

// DeleteGroup deletes a group without members or policies. The group row
// is locked FOR UPDATE first, against writers adding dependents.
func (db *DB) DeleteGroup(ctx context.Context, accountID, groupID string) error {
	err := db.write(ctx, func(tx pgx.Tx) error {
		if err := lockGroup(ctx, tx, accountID, groupID, "FOR UPDATE"); err != nil {
			return err
		}
		checks := []struct {
			dep   opensts.Dependent
			query string
		}{
			{opensts.DependentMembers, `SELECT EXISTS (SELECT 1 FROM group_members WHERE group_id = $1)`},
			{opensts.DependentInlinePolicies, `SELECT EXISTS (SELECT 1 FROM inline_policies WHERE owner_kind = 'group' AND owner_id = $1)`},
			{opensts.DependentAttachedPolicies, `SELECT EXISTS (SELECT 1 FROM policy_attachments WHERE owner_kind = 'group' AND owner_id = $1)`},
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
		_, err := tx.Exec(ctx, `DELETE FROM groups WHERE account_id = $1 AND id = $2`, accountID, groupID)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete group %s: %w", groupID, err)
	}
	return nil
}

// AddUserToGroup makes the user a member of the group. The group is locked
// against deletion and the user row against concurrent joins, so the
// groups-per-user count and the insert are atomic.
func (db *DB) AddUserToGroup(ctx context.Context, accountID, groupID, userID string, maxGroupsPerUser int) error {
	err := db.write(ctx, func(tx pgx.Tx) error {
		if err := lockGroup(ctx, tx, accountID, groupID, "FOR KEY SHARE"); err != nil {
			return err
		}
		if err := lockUser(ctx, tx, accountID, userID, "FOR NO KEY UPDATE"); err != nil {
			return err
		}
		member, err := exists(ctx, tx, `SELECT EXISTS (SELECT 1 FROM group_members WHERE group_id = $1 AND user_id = $2)`, groupID, userID)
		if err != nil || member {
			return err
		}
		n, err := count(ctx, tx, `SELECT count(*) FROM group_members WHERE user_id = $1`, userID)
		if err != nil {
			return err
		}
		if n >= maxGroupsPerUser {
			return backend.LimitExceeded("groups per user", maxGroupsPerUser)
		}
		_, err = tx.Exec(ctx, `INSERT INTO group_members (group_id, user_id) VALUES ($1, $2)`, groupID, userID)
		return err
	})
	if err != nil {
		return fmt.Errorf("add user %s to group %s: %w", userID, groupID, err)
	}
	return nil
}

// RemoveUserFromGroup ends a membership.
func (db *DB) RemoveUserFromGroup(ctx context.Context, accountID, groupID, userID string) error {
	err := db.write(ctx, func(tx pgx.Tx) error {
		if err := groupExists(ctx, tx, accountID, groupID); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `DELETE FROM group_members WHERE group_id = $1 AND user_id = $2`, groupID, userID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return backend.NotFound("membership of user " + userID)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("remove user %s from group %s: %w", userID, groupID, err)
	}
	return nil
}

// ListGroupsForUser lists the user's groups by case-folded name, in one
// snapshot with the check that the user exists.
func (db *DB) ListGroupsForUser(ctx context.Context, accountID, userID string, opt opensts.ListOptions) (opensts.Page[opensts.Group], error) {
	s := newStmt(`SELECT `+groupCols+` FROM groups g JOIN group_members m ON m.group_id = g.id
		WHERE g.account_id = $1 AND m.user_id = $2`, accountID, userID)
	if err := s.page("g.path", "g.name_lower", opt); err != nil {
		return opensts.Page[opensts.Group]{}, fmt.Errorf("list groups for user %s: %w", userID, err)
	}
	var p opensts.Page[opensts.Group]
	err := db.read(ctx, func(q querier) (err error) {
		if err := userExists(ctx, q, accountID, userID); err != nil {
			return err
		}
		p, err = queryPage(ctx, q, s, opt, scanGroup)
		return err
	})
	if err != nil {
		return opensts.Page[opensts.Group]{}, fmt.Errorf("list groups for user %s: %w", userID, err)
	}
	return p, nil
}

// ListGroupMembers lists the group's users by case-folded name, in one
// snapshot with the check that the group exists.
func (db *DB) ListGroupMembers(ctx context.Context, accountID, groupID string, opt opensts.ListOptions) (opensts.Page[opensts.User], error) {
	s := newStmt(`SELECT `+userCols+` FROM users u JOIN group_members m ON m.user_id = u.id
		WHERE u.account_id = $1 AND m.group_id = $2`, accountID, groupID)
	if err := s.page("u.path", "u.name_lower", opt); err != nil {
		return opensts.Page[opensts.User]{}, fmt.Errorf("list members of group %s: %w", groupID, err)
	}
	var p opensts.Page[opensts.User]
	err := db.read(ctx, func(q querier) (err error) {
		if err := groupExists(ctx, q, accountID, groupID); err != nil {
			return err
		}
		p, err = queryPage(ctx, q, s, opt, scanUser)
		return err
	})
	if err != nil {
		return opensts.Page[opensts.User]{}, fmt.Errorf("list members of group %s: %w", groupID, err)
	}
	return p, nil
}
