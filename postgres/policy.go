package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/internal/backend"
)

const policyCols = `p.account_id, p.id, p.name, p.path, p.description, p.default_version,
	(SELECT count(*) FROM policy_attachments a WHERE a.policy_id = p.id),
	p.created_at, p.updated_at, p.tags, p.name_lower`

func scanPolicy(row pgx.Row) (opensts.ManagedPolicy, string, error) {
	var (
		p         opensts.ManagedPolicy
		def       int
		attached  int64
		tags, key string
	)
	if err := row.Scan(&p.AccountID, &p.ID, &p.Name, &p.Path, &p.Description, &def, &attached,
		&p.CreatedAt, &p.UpdatedAt, &tags, &key); err != nil {
		return opensts.ManagedPolicy{}, "", err
	}
	p.DefaultVersionID = backend.VersionID(def)
	p.AttachmentCount = int(attached)
	p.CreatedAt, p.UpdatedAt = utc(p.CreatedAt), utc(p.UpdatedAt)
	var err error
	if p.Tags, err = backend.DecodeTags(tags); err != nil {
		return opensts.ManagedPolicy{}, "", err
	}
	return p, key, nil
}

// policyInAccount returns the policy's default version number, or
// ErrNotFound unless the policy is in the account; lock is "" or a locking
// clause.
func policyInAccount(ctx context.Context, q querier, accountID, policyID, lock string) (int, error) {
	var def int
	err := q.QueryRow(ctx, `SELECT default_version FROM managed_policies WHERE account_id = $1 AND id = $2 `+lock, accountID, policyID).Scan(&def)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, backend.NotFound("policy " + policyID)
	}
	return def, err
}

// CreatePolicy stores a managed policy with doc as its default version v1,
// created at p.CreatedAt. The account row lock makes the name check, the
// count and the insert atomic.
func (db *DB) CreatePolicy(ctx context.Context, p opensts.ManagedPolicy, doc string, maxPolicies int) error {
	tags, err := backend.EncodeTags(p.Tags)
	if err != nil {
		return fmt.Errorf("create policy %s: %w", p.Name, err)
	}
	err = db.write(ctx, func(tx pgx.Tx) error {
		if err := lockAccount(ctx, tx, p.AccountID); err != nil {
			return err
		}
		taken, err := exists(ctx, tx, `SELECT EXISTS (SELECT 1 FROM managed_policies WHERE account_id = $1 AND name_lower = $2)`, p.AccountID, lower(p.Name))
		if err != nil {
			return err
		}
		if taken {
			return fmt.Errorf("policy name %s: %w", p.Name, opensts.ErrAlreadyExists)
		}
		n, err := count(ctx, tx, `SELECT count(*) FROM managed_policies WHERE account_id = $1`, p.AccountID)
		if err != nil {
			return err
		}
		if n >= maxPolicies {
			return backend.LimitExceeded("managed policies", maxPolicies)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO managed_policies
			(account_id, id, name, name_lower, path, description, default_version, next_version, tags, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, 1, 2, $7, $8, $9)`,
			p.AccountID, p.ID, p.Name, lower(p.Name), p.Path, p.Description, tags, p.CreatedAt, p.UpdatedAt); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO policy_versions (policy_id, version, document, created_at) VALUES ($1, 1, $2, $3)`,
			p.ID, doc, p.CreatedAt)
		return err
	})
	if err != nil {
		return fmt.Errorf("create policy %s: %w", p.Name, err)
	}
	return nil
}

// GetPolicy looks a managed policy up by name, case-insensitively.
func (db *DB) GetPolicy(ctx context.Context, accountID, name string) (opensts.ManagedPolicy, error) {
	var p opensts.ManagedPolicy
	err := db.readOne(ctx, func(q querier) (err error) {
		p, _, err = scanPolicy(q.QueryRow(ctx, `SELECT `+policyCols+` FROM managed_policies p
			WHERE p.account_id = $1 AND p.name_lower = $2`, accountID, lower(name)))
		return err
	})
	if err != nil {
		return opensts.ManagedPolicy{}, fmt.Errorf("get policy %s: %w", name, err)
	}
	return p, nil
}

// ListPolicies lists managed policies by case-folded name.
func (db *DB) ListPolicies(ctx context.Context, accountID string, onlyAttached bool, opt opensts.ListOptions) (opensts.Page[opensts.ManagedPolicy], error) {
	s := newStmt(`SELECT `+policyCols+` FROM managed_policies p WHERE p.account_id = $1`, accountID)
	if onlyAttached {
		s.add(` AND EXISTS (SELECT 1 FROM policy_attachments a WHERE a.policy_id = p.id)`)
	}
	if err := s.page("p.path", "p.name_lower", opt); err != nil {
		return opensts.Page[opensts.ManagedPolicy]{}, fmt.Errorf("list policies: %w", err)
	}
	var pg opensts.Page[opensts.ManagedPolicy]
	err := db.readOne(ctx, func(q querier) (err error) {
		pg, err = queryPage(ctx, q, s, opt, scanPolicy)
		return err
	})
	if err != nil {
		return opensts.Page[opensts.ManagedPolicy]{}, fmt.Errorf("list policies: %w", err)
	}
	return pg, nil
}

// DeletePolicy deletes a managed policy that is attached nowhere, is no
// user's permissions boundary and has only its default version. The policy
// row is locked FOR UPDATE first, against concurrent attachments, new
// versions and boundaries (UpdateUser locks the policy it names).
func (db *DB) DeletePolicy(ctx context.Context, accountID, policyID string) error {
	err := db.write(ctx, func(tx pgx.Tx) error {
		var path, name string
		err := tx.QueryRow(ctx, `SELECT path, name FROM managed_policies WHERE account_id = $1 AND id = $2 FOR UPDATE`,
			accountID, policyID).Scan(&path, &name)
		if err != nil {
			return err
		}
		attached, err := exists(ctx, tx, `SELECT EXISTS (SELECT 1 FROM policy_attachments WHERE policy_id = $1)`, policyID)
		if err != nil {
			return err
		}
		if !attached {
			if attached, err = usedAsBoundary(ctx, tx, accountID, path, name); err != nil {
				return err
			}
		}
		if attached {
			return &opensts.DeleteConflictError{Dependent: opensts.DependentAttachments}
		}
		n, err := count(ctx, tx, `SELECT count(*) FROM policy_versions WHERE policy_id = $1`, policyID)
		if err != nil {
			return err
		}
		if n > 1 {
			return &opensts.DeleteConflictError{Dependent: opensts.DependentVersions}
		}
		_, err = tx.Exec(ctx, `DELETE FROM managed_policies WHERE id = $1`, policyID)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete policy %s: %w", policyID, err)
	}
	return nil
}

// usedAsBoundary reports whether a user or role of the account has the
// policy as permissions boundary, matching ARNs as IdentityPolicies
// resolves them.
func usedAsBoundary(ctx context.Context, q querier, accountID, path, name string) (bool, error) {
	users, err := boundaryUsers(ctx, q, accountID, opensts.PolicyARN(accountID, path, name))
	return len(users) > 0, err
}

// boundaryUsers lists the users and roles of the account whose
// permissions boundary is the policy with that ARN.
func boundaryUsers(ctx context.Context, q querier, accountID, arn string) ([]opensts.PolicyEntity, error) {
	rows, err := q.Query(ctx, `SELECT 'user', id, name, path, permissions_boundary FROM users
			WHERE account_id = $1 AND permissions_boundary <> ''
		UNION ALL SELECT 'role', id, name, path, permissions_boundary FROM roles
			WHERE account_id = $1 AND permissions_boundary <> ''`, accountID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []opensts.PolicyEntity
	for rows.Next() {
		var (
			e              opensts.PolicyEntity
			kind, boundary string
		)
		if err := rows.Scan(&kind, &e.ID, &e.Name, &e.Path, &boundary); err != nil {
			return nil, err
		}
		if backend.SamePolicy(boundary, arn) {
			e.Kind, e.Boundary = opensts.OwnerKind(kind), true
			out = append(out, e)
		}
	}
	return out, rows.Err()
}

// PolicyEntities reads, in one snapshot, the owners a policy is attached
// to and the users and roles it bounds.
func (db *DB) PolicyEntities(ctx context.Context, accountID, policyID, arn string) ([]opensts.PolicyEntity, error) {
	var out []opensts.PolicyEntity
	err := db.read(ctx, func(q querier) error {
		out = nil // read runs fn again after a connection failure
		rows, err := q.Query(ctx, `SELECT 'user', u.id, u.name, u.path FROM policy_attachments a
				JOIN users u ON u.id = a.owner_id WHERE a.account_id = $1 AND a.owner_kind = 'user' AND a.policy_id = $2
			UNION ALL SELECT 'group', g.id, g.name, g.path FROM policy_attachments a
				JOIN groups g ON g.id = a.owner_id WHERE a.account_id = $1 AND a.owner_kind = 'group' AND a.policy_id = $2
			UNION ALL SELECT 'role', r.id, r.name, r.path FROM policy_attachments a
				JOIN roles r ON r.id = a.owner_id WHERE a.account_id = $1 AND a.owner_kind = 'role' AND a.policy_id = $2`,
			accountID, policyID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var (
				e    opensts.PolicyEntity
				kind string
			)
			if err := rows.Scan(&kind, &e.ID, &e.Name, &e.Path); err != nil {
				rows.Close()
				return err
			}
			e.Kind = opensts.OwnerKind(kind)
			out = append(out, e)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		bounded, err := boundaryUsers(ctx, q, accountID, arn)
		out = append(out, bounded...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("entities using policy %s: %w", arn, err)
	}
	return out, nil
}

// CreatePolicyVersion adds the next version. Version numbers come from the
// policy's next_version counter, which never goes down, so a deleted
// version's id is never handed out again; the policy row is locked while
// the counter moves.
func (db *DB) CreatePolicyVersion(ctx context.Context, accountID, policyID, doc string, setDefault bool, maxVersions int, now time.Time) (opensts.PolicyVersion, error) {
	var v opensts.PolicyVersion
	err := db.write(ctx, func(tx pgx.Tx) error {
		var next int
		err := tx.QueryRow(ctx, `SELECT next_version FROM managed_policies WHERE account_id = $1 AND id = $2 FOR NO KEY UPDATE`,
			accountID, policyID).Scan(&next)
		if err != nil {
			return err
		}
		n, err := count(ctx, tx, `SELECT count(*) FROM policy_versions WHERE policy_id = $1`, policyID)
		if err != nil {
			return err
		}
		if n >= maxVersions {
			return backend.LimitExceeded("policy versions", maxVersions)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO policy_versions (policy_id, version, document, created_at) VALUES ($1, $2, $3, $4)`,
			policyID, next, doc, now); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE managed_policies
			SET next_version = $1 + 1, updated_at = $2, default_version = CASE WHEN $3 THEN $1 ELSE default_version END
			WHERE id = $4`, next, now, setDefault, policyID); err != nil {
			return err
		}
		v = opensts.PolicyVersion{VersionID: backend.VersionID(next), Document: doc, IsDefault: setDefault, CreatedAt: truncate(now)}
		return nil
	})
	if err != nil {
		return opensts.PolicyVersion{}, fmt.Errorf("create version of policy %s: %w", policyID, err)
	}
	return v, nil
}

// GetPolicyVersion returns one version of a policy.
func (db *DB) GetPolicyVersion(ctx context.Context, accountID, policyID, versionID string) (opensts.PolicyVersion, error) {
	n, ok := backend.ParseVersionID(versionID)
	if !ok {
		return opensts.PolicyVersion{}, fmt.Errorf("get policy %s version %q: %w", policyID, versionID, opensts.ErrNotFound)
	}
	v := opensts.PolicyVersion{VersionID: versionID}
	err := db.readOne(ctx, func(q querier) error {
		return q.QueryRow(ctx, `SELECT v.document, v.version = p.default_version, v.created_at
			FROM policy_versions v JOIN managed_policies p ON p.id = v.policy_id
			WHERE p.account_id = $1 AND p.id = $2 AND v.version = $3`, accountID, policyID, n).Scan(&v.Document, &v.IsDefault, &v.CreatedAt)
	})
	if err != nil {
		return opensts.PolicyVersion{}, fmt.Errorf("get policy %s version %s: %w", policyID, versionID, err)
	}
	v.CreatedAt = utc(v.CreatedAt)
	return v, nil
}

// ListPolicyVersions lists a policy's versions newest first, as IAM does.
func (db *DB) ListPolicyVersions(ctx context.Context, accountID, policyID string) ([]opensts.PolicyVersion, error) {
	var vs []opensts.PolicyVersion
	err := db.read(ctx, func(q querier) error {
		vs = nil
		def, err := policyInAccount(ctx, q, accountID, policyID, "")
		if err != nil {
			return err
		}
		rows, err := q.Query(ctx, `SELECT version, document, created_at FROM policy_versions
			WHERE policy_id = $1 ORDER BY version DESC`, policyID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				n int
				v opensts.PolicyVersion
			)
			if err := rows.Scan(&n, &v.Document, &v.CreatedAt); err != nil {
				return err
			}
			v.VersionID, v.IsDefault, v.CreatedAt = backend.VersionID(n), n == def, utc(v.CreatedAt)
			vs = append(vs, v)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list versions of policy %s: %w", policyID, err)
	}
	return vs, nil
}

// DeletePolicyVersion deletes a version other than the default; the policy
// row is locked so that the default cannot move under it.
func (db *DB) DeletePolicyVersion(ctx context.Context, accountID, policyID, versionID string) error {
	err := db.write(ctx, func(tx pgx.Tx) error {
		def, err := policyInAccount(ctx, tx, accountID, policyID, "FOR NO KEY UPDATE")
		if err != nil {
			return err
		}
		n, ok := backend.ParseVersionID(versionID)
		if !ok {
			return backend.NotFound("version " + versionID)
		}
		if n == def {
			return &opensts.DeleteConflictError{Dependent: opensts.DependentVersions}
		}
		tag, err := tx.Exec(ctx, `DELETE FROM policy_versions WHERE policy_id = $1 AND version = $2`, policyID, n)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return backend.NotFound("version " + versionID)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete policy %s version %s: %w", policyID, versionID, err)
	}
	return nil
}

// SetDefaultPolicyVersion makes an existing version the default and sets the
// policy's UpdatedAt to now.
func (db *DB) SetDefaultPolicyVersion(ctx context.Context, accountID, policyID, versionID string, now time.Time) error {
	err := db.write(ctx, func(tx pgx.Tx) error {
		if _, err := policyInAccount(ctx, tx, accountID, policyID, "FOR NO KEY UPDATE"); err != nil {
			return err
		}
		n, ok := backend.ParseVersionID(versionID)
		if !ok {
			return backend.NotFound("version " + versionID)
		}
		found, err := exists(ctx, tx, `SELECT EXISTS (SELECT 1 FROM policy_versions WHERE policy_id = $1 AND version = $2)`, policyID, n)
		if err != nil {
			return err
		}
		if !found {
			return backend.NotFound("version " + versionID)
		}
		_, err = tx.Exec(ctx, `UPDATE managed_policies SET default_version = $1, updated_at = $2 WHERE id = $3`, n, now, policyID)
		return err
	})
	if err != nil {
		return fmt.Errorf("set default version of policy %s to %s: %w", policyID, versionID, err)
	}
	return nil
}

// lockPolicyOwner locks the user, group or role that holds inline and
// attached policies FOR NO KEY UPDATE, so that per-owner quota checks and the writes
// after them are atomic and the owner cannot be deleted meanwhile. It
// returns ErrNotFound unless the owner is in the account, and
// ErrInvalidInput for an unknown owner kind.
func lockPolicyOwner(ctx context.Context, tx pgx.Tx, accountID string, o opensts.Owner) error {
	switch o.Kind {
	case opensts.OwnerUser:
		return lockUser(ctx, tx, accountID, o.ID, "FOR NO KEY UPDATE")
	case opensts.OwnerGroup:
		return lockGroup(ctx, tx, accountID, o.ID, "FOR NO KEY UPDATE")
	case opensts.OwnerRole:
		return lockRole(ctx, tx, accountID, o.ID, "FOR NO KEY UPDATE")
	default:
		return fmt.Errorf("owner kind %q: %w", o.Kind, opensts.ErrInvalidInput)
	}
}

// policyOwnerExists returns ErrNotFound unless the user, group or role is in
// the account, and ErrInvalidInput for an unknown owner kind.
func policyOwnerExists(ctx context.Context, q querier, accountID string, o opensts.Owner) error {
	switch o.Kind {
	case opensts.OwnerUser:
		return userExists(ctx, q, accountID, o.ID)
	case opensts.OwnerGroup:
		return groupExists(ctx, q, accountID, o.ID)
	case opensts.OwnerRole:
		return roleExists(ctx, q, accountID, o.ID)
	default:
		return fmt.Errorf("owner kind %q: %w", o.Kind, opensts.ErrInvalidInput)
	}
}

// PutInlinePolicy creates or replaces an inline policy. Names compare
// case-insensitively; a replacement also takes the new spelling.
func (db *DB) PutInlinePolicy(ctx context.Context, accountID string, owner opensts.Owner, p opensts.InlinePolicy, size, maxTotalSize int) error {
	err := db.write(ctx, func(tx pgx.Tx) error {
		if err := lockPolicyOwner(ctx, tx, accountID, owner); err != nil {
			return err
		}
		others, err := count(ctx, tx, `SELECT coalesce(sum(size), 0)::bigint FROM inline_policies
			WHERE owner_kind = $1 AND owner_id = $2 AND name_lower <> $3`, string(owner.Kind), owner.ID, lower(p.Name))
		if err != nil {
			return err
		}
		if others+size > maxTotalSize {
			return backend.LimitExceeded("inline policy bytes", maxTotalSize)
		}
		_, err = tx.Exec(ctx, `INSERT INTO inline_policies (account_id, owner_kind, owner_id, name, name_lower, document, size)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (owner_kind, owner_id, name_lower) DO UPDATE
			SET name = excluded.name, document = excluded.document, size = excluded.size`,
			accountID, string(owner.Kind), owner.ID, p.Name, lower(p.Name), p.Document, int64(size))
		return err
	})
	if err != nil {
		return fmt.Errorf("put inline policy %s of %s %s: %w", p.Name, owner.Kind, owner.ID, err)
	}
	return nil
}

// GetInlinePolicy returns an inline policy by name, case-insensitively.
func (db *DB) GetInlinePolicy(ctx context.Context, accountID string, owner opensts.Owner, name string) (opensts.InlinePolicy, error) {
	var p opensts.InlinePolicy
	err := db.readOne(ctx, func(q querier) error {
		return q.QueryRow(ctx, `SELECT name, document FROM inline_policies
			WHERE account_id = $1 AND owner_kind = $2 AND owner_id = $3 AND name_lower = $4`,
			accountID, string(owner.Kind), owner.ID, lower(name)).Scan(&p.Name, &p.Document)
	})
	if err != nil {
		return opensts.InlinePolicy{}, fmt.Errorf("get inline policy %s of %s %s: %w", name, owner.Kind, owner.ID, err)
	}
	return p, nil
}

// ListInlinePolicies lists an owner's inline policy names by case-folded
// name. PathPrefix does not apply.
func (db *DB) ListInlinePolicies(ctx context.Context, accountID string, owner opensts.Owner, opt opensts.ListOptions) (opensts.Page[string], error) {
	opt.PathPrefix = ""
	s := newStmt(`SELECT name, name_lower FROM inline_policies WHERE owner_kind = $1 AND owner_id = $2`, string(owner.Kind), owner.ID)
	if err := s.page("", "name_lower", opt); err != nil {
		return opensts.Page[string]{}, fmt.Errorf("list inline policies of %s %s: %w", owner.Kind, owner.ID, err)
	}
	var p opensts.Page[string]
	err := db.read(ctx, func(q querier) (err error) {
		if err := policyOwnerExists(ctx, q, accountID, owner); err != nil {
			return err
		}
		p, err = queryPage(ctx, q, s, opt, func(row pgx.Row) (name, key string, err error) {
			err = row.Scan(&name, &key)
			return name, key, err
		})
		return err
	})
	if err != nil {
		return opensts.Page[string]{}, fmt.Errorf("list inline policies of %s %s: %w", owner.Kind, owner.ID, err)
	}
	return p, nil
}

// DeleteInlinePolicy deletes an inline policy by name, case-insensitively.
func (db *DB) DeleteInlinePolicy(ctx context.Context, accountID string, owner opensts.Owner, name string) error {
	err := db.write(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM inline_policies
			WHERE account_id = $1 AND owner_kind = $2 AND owner_id = $3 AND name_lower = $4`,
			accountID, string(owner.Kind), owner.ID, lower(name))
		if err == nil && tag.RowsAffected() == 0 {
			err = opensts.ErrNotFound
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("delete inline policy %s of %s %s: %w", name, owner.Kind, owner.ID, err)
	}
	return nil
}

// AttachPolicy attaches a customer managed policy of the account or an AWS
// managed policy to a user, group or role; attaching it again changes
// nothing and succeeds even at the quota. The owner is locked for the
// quota, a customer policy against deletion.
func (db *DB) AttachPolicy(ctx context.Context, accountID string, owner opensts.Owner, policyID string, maxAttached int) error {
	err := db.write(ctx, func(tx pgx.Tx) error {
		if err := lockPolicyOwner(ctx, tx, accountID, owner); err != nil {
			return err
		}
		if _, _, aws := opensts.AWSManagedPolicyByID(policyID); !aws {
			if _, err := policyInAccount(ctx, tx, accountID, policyID, "FOR KEY SHARE"); err != nil {
				return err
			}
		}
		attached, err := exists(ctx, tx, `SELECT EXISTS (SELECT 1 FROM policy_attachments
			WHERE owner_kind = $1 AND owner_id = $2 AND policy_id = $3)`, string(owner.Kind), owner.ID, policyID)
		if err != nil || attached {
			return err
		}
		n, err := count(ctx, tx, `SELECT count(*) FROM policy_attachments WHERE owner_kind = $1 AND owner_id = $2`, string(owner.Kind), owner.ID)
		if err != nil {
			return err
		}
		if n >= maxAttached {
			return backend.LimitExceeded("attached policies", maxAttached)
		}
		_, err = tx.Exec(ctx, `INSERT INTO policy_attachments (account_id, owner_kind, owner_id, policy_id) VALUES ($1, $2, $3, $4)`,
			accountID, string(owner.Kind), owner.ID, policyID)
		return err
	})
	if err != nil {
		return fmt.Errorf("attach policy %s to %s %s: %w", policyID, owner.Kind, owner.ID, err)
	}
	return nil
}

// DetachPolicy removes an attachment.
func (db *DB) DetachPolicy(ctx context.Context, accountID string, owner opensts.Owner, policyID string) error {
	err := db.write(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM policy_attachments
			WHERE account_id = $1 AND owner_kind = $2 AND owner_id = $3 AND policy_id = $4`,
			accountID, string(owner.Kind), owner.ID, policyID)
		if err == nil && tag.RowsAffected() == 0 {
			err = opensts.ErrNotFound
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("detach policy %s from %s %s: %w", policyID, owner.Kind, owner.ID, err)
	}
	return nil
}

// ListAttachedPolicies lists the policies attached to an owner, customer
// and AWS managed, ordered and paged by backend.PageAttached.
func (db *DB) ListAttachedPolicies(ctx context.Context, accountID string, owner opensts.Owner, opt opensts.ListOptions) (opensts.Page[opensts.AttachedPolicy], error) {
	var items []opensts.AttachedPolicy
	err := db.read(ctx, func(q querier) error {
		items = nil // read runs fn again after a connection failure
		if err := policyOwnerExists(ctx, q, accountID, owner); err != nil {
			return err
		}
		rows, err := q.Query(ctx, `SELECT a.policy_id, p.name, p.path FROM policy_attachments a
			LEFT JOIN managed_policies p ON p.id = a.policy_id
			WHERE a.account_id = $1 AND a.owner_kind = $2 AND a.owner_id = $3`, accountID, string(owner.Kind), owner.ID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				id         string
				name, path *string
			)
			if err := rows.Scan(&id, &name, &path); err != nil {
				return err
			}
			a, err := backend.AttachedPolicy(accountID, id, name, path)
			if err != nil {
				return err
			}
			items = append(items, a)
		}
		return rows.Err()
	})
	var p opensts.Page[opensts.AttachedPolicy]
	if err == nil {
		p, err = backend.PageAttached(items, opt)
	}
	if err != nil {
		return opensts.Page[opensts.AttachedPolicy]{}, fmt.Errorf("list policies attached to %s %s: %w", owner.Kind, owner.ID, err)
	}
	return p, nil
}

// IdentityPolicies reads, in one REPEATABLE READ read-only transaction (one
// snapshot, so a concurrent membership change is seen whole or not at all),
// an owner's identity documents. For a user: its inline policies, the
// default versions of the policies attached to it, the inline and attached
// policies of every group it is in, and its permissions boundary; order:
// user inline, user managed, group inline, group managed, groups by name and
// policies by name within each. For a role: its inline, then its managed
// policies, and its permissions boundary, resolved as a user's. For a
// group: its inline, then its managed policies. A permissions boundary that
// names no stored policy fails the call rather than be dropped: a missing
// boundary must never widen permissions.
func (db *DB) IdentityPolicies(ctx context.Context, accountID string, owner opensts.Owner) (opensts.IdentityPolicies, error) {
	var ip opensts.IdentityPolicies
	err := db.read(ctx, func(q querier) error {
		ip = opensts.IdentityPolicies{} // read runs fn again after a connection failure
		var boundary string
		queries := userPolicyQueries
		switch owner.Kind {
		case opensts.OwnerUser:
			u, err := getUserByID(ctx, q, accountID, owner.ID, "")
			if err != nil {
				return err
			}
			boundary = u.PermissionsBoundary
		case opensts.OwnerRole:
			r, err := getRoleByID(ctx, q, accountID, owner.ID, "")
			if err != nil {
				return err
			}
			boundary, queries = r.PermissionsBoundary, rolePolicyQueries
		case opensts.OwnerGroup:
			var n int
			if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM groups WHERE account_id = $1 AND id = $2`, accountID, owner.ID).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return opensts.ErrNotFound
			}
			queries = groupPolicyQueries
		default:
			return fmt.Errorf("unknown owner kind %q", owner.Kind)
		}
		for _, qq := range queries {
			rows, err := q.Query(ctx, qq.query, accountID, owner.ID)
			if err != nil {
				return err
			}
			for rows.Next() {
				var (
					d                   opensts.PolicyDocument
					id, path, name, doc string
					err                 error
				)
				if qq.aws {
					if err = rows.Scan(&id); err == nil {
						d, err = backend.AWSDocument(qq.source, id)
					}
				} else if err = rows.Scan(&path, &name, &doc); err == nil {
					d = backend.IdentityDocument(qq.source, accountID, path, name, doc)
				}
				if err != nil {
					rows.Close()
					return err
				}
				ip.Documents = append(ip.Documents, d)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		if boundary == "" {
			return nil
		}
		doc, err := boundaryDocument(ctx, q, accountID, boundary)
		if err != nil {
			return fmt.Errorf("permissions boundary %s: %w", boundary, err)
		}
		ip.Boundary = &opensts.PolicyDocument{Source: opensts.SourceBoundary, ID: boundary, Document: doc}
		return nil
	})
	if err != nil {
		return opensts.IdentityPolicies{}, fmt.Errorf("identity policies of %s %s: %w", owner.Kind, owner.ID, err)
	}
	return ip, nil
}

// boundaryDocument resolves a permissions-boundary ARN to the default
// version of a managed policy of the account: the name compares
// case-insensitively, the path exactly.
func boundaryDocument(ctx context.Context, q querier, accountID, arn string) (string, error) {
	if _, doc, ok := opensts.AWSManagedPolicyByARN(arn); ok {
		return doc, nil
	}
	path, name, err := backend.BoundaryPolicy(accountID, arn)
	if err != nil {
		return "", err
	}
	var stored, doc string
	err = q.QueryRow(ctx, `SELECT p.path, v.document FROM managed_policies p
		JOIN policy_versions v ON v.policy_id = p.id AND v.version = p.default_version
		WHERE p.account_id = $1 AND p.name_lower = $2`, accountID, lower(name)).Scan(&stored, &doc)
	if err != nil {
		return "", err
	}
	if err := backend.MatchesBoundary(arn, path, stored); err != nil {
		return "", err
	}
	return doc, nil
}

// policyQuery reads one kind of identity document of an owner ($1 and $2
// are the account and the owner's id): path, name and document, or for
// aws, the ids of the AWS managed policies attached.
type policyQuery struct {
	source opensts.PolicySource
	query  string
	aws    bool
}

// awsAttached selects the AWS managed policies attached to owners: the
// attachments whose policy is not stored.
const awsAttached = `NOT EXISTS (SELECT 1 FROM managed_policies p WHERE p.id = a.policy_id)`

// userPolicyQueries read a user's identity documents: its own inline and
// managed policies, then those of its groups, groups by name.
var userPolicyQueries = []policyQuery{
	{opensts.SourceUserInline, `SELECT '', name, document FROM inline_policies
		WHERE owner_kind = 'user' AND owner_id = $2 AND account_id = $1 ORDER BY name_lower`, false},
	{opensts.SourceManaged, `SELECT p.path, p.name, v.document FROM policy_attachments a
		JOIN managed_policies p ON p.id = a.policy_id
		JOIN policy_versions v ON v.policy_id = p.id AND v.version = p.default_version
		WHERE a.owner_kind = 'user' AND a.owner_id = $2 AND a.account_id = $1 ORDER BY p.name_lower`, false},
	{opensts.SourceManaged, `SELECT a.policy_id FROM policy_attachments a
		WHERE a.owner_kind = 'user' AND a.owner_id = $2 AND a.account_id = $1 AND ` + awsAttached + ` ORDER BY a.policy_id`, true},
	{opensts.SourceGroupInline, `SELECT '', i.name, i.document FROM group_members m
		JOIN groups g ON g.id = m.group_id
		JOIN inline_policies i ON i.owner_kind = 'group' AND i.owner_id = g.id
		WHERE m.user_id = $2 AND g.account_id = $1 ORDER BY g.name_lower, i.name_lower`, false},
	{opensts.SourceGroupManaged, `SELECT p.path, p.name, v.document FROM group_members m
		JOIN groups g ON g.id = m.group_id
		JOIN policy_attachments a ON a.owner_kind = 'group' AND a.owner_id = g.id
		JOIN managed_policies p ON p.id = a.policy_id
		JOIN policy_versions v ON v.policy_id = p.id AND v.version = p.default_version
		WHERE m.user_id = $2 AND g.account_id = $1 ORDER BY g.name_lower, p.name_lower`, false},
	{opensts.SourceGroupManaged, `SELECT a.policy_id FROM group_members m
		JOIN groups g ON g.id = m.group_id
		JOIN policy_attachments a ON a.owner_kind = 'group' AND a.owner_id = g.id
		WHERE m.user_id = $2 AND g.account_id = $1 AND ` + awsAttached + ` ORDER BY g.name_lower, a.policy_id`, true},
}

// groupPolicyQueries read a group's own inline and managed policies.
var groupPolicyQueries = []policyQuery{
	{opensts.SourceGroupInline, `SELECT '', name, document FROM inline_policies
		WHERE owner_kind = 'group' AND owner_id = $2 AND account_id = $1 ORDER BY name_lower`, false},
	{opensts.SourceGroupManaged, `SELECT p.path, p.name, v.document FROM policy_attachments a
		JOIN managed_policies p ON p.id = a.policy_id
		JOIN policy_versions v ON v.policy_id = p.id AND v.version = p.default_version
		WHERE a.owner_kind = 'group' AND a.owner_id = $2 AND a.account_id = $1 ORDER BY p.name_lower`, false},
	{opensts.SourceGroupManaged, `SELECT a.policy_id FROM policy_attachments a
		WHERE a.owner_kind = 'group' AND a.owner_id = $2 AND a.account_id = $1 AND ` + awsAttached + ` ORDER BY a.policy_id`, true},
}

// rolePolicyQueries read a role's own inline and managed policies.
var rolePolicyQueries = []policyQuery{
	{opensts.SourceRoleInline, `SELECT '', name, document FROM inline_policies
		WHERE owner_kind = 'role' AND owner_id = $2 AND account_id = $1 ORDER BY name_lower`, false},
	{opensts.SourceManaged, `SELECT p.path, p.name, v.document FROM policy_attachments a
		JOIN managed_policies p ON p.id = a.policy_id
		JOIN policy_versions v ON v.policy_id = p.id AND v.version = p.default_version
		WHERE a.owner_kind = 'role' AND a.owner_id = $2 AND a.account_id = $1 ORDER BY p.name_lower`, false},
	{opensts.SourceManaged, `SELECT a.policy_id FROM policy_attachments a
		WHERE a.owner_kind = 'role' AND a.owner_id = $2 AND a.account_id = $1 AND ` + awsAttached + ` ORDER BY a.policy_id`, true},
}
