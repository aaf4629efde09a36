package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/internal/backend"
)

var _ opensts.Snapshotter = (*DB)(nil)

// Snapshot reads the whole store in one read transaction (one WAL
// snapshot), so it is consistent even while the server keeps writing.
// Entities come in the order storetest.RunSnapshot pins (by account, then
// id or serial number or owner, byte order; versions oldest first; the key
// ring and the signing keys in set order), the same order package postgres
// produces.
func (db *DB) Snapshot(ctx context.Context) (*opensts.Snapshot, error) {
	var s *opensts.Snapshot
	err := db.read(ctx, func(q querier) (err error) {
		s, err = snapshot(ctx, q)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("snapshot sqlite store: %w", err)
	}
	return s, nil
}

func snapshot(ctx context.Context, q querier) (*opensts.Snapshot, error) {
	s := &opensts.Snapshot{}
	each := func(query string, scan func(*sql.Rows) error) error {
		rows, err := q.QueryContext(ctx, query)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			if err := scan(rows); err != nil {
				return err
			}
		}
		return rows.Err()
	}
	steps := []func() error{
		func() error {
			return each(`SELECT id, is_default, created_at FROM accounts ORDER BY id`, func(r *sql.Rows) error {
				var (
					a       opensts.Account
					def     bool
					created int64
				)
				if err := r.Scan(&a.ID, &def, &created); err != nil {
					return err
				}
				a.CreatedAt = fromMicros(created)
				if def {
					s.DefaultAccountID = a.ID
				}
				s.Accounts = append(s.Accounts, a)
				return nil
			})
		},
		func() error {
			return each(`SELECT `+userCols+` FROM users ORDER BY account_id, id`, func(r *sql.Rows) error {
				u, _, err := scanUser(r)
				s.Users = append(s.Users, u)
				return err
			})
		},
		func() error {
			return each(`SELECT `+roleCols+` FROM roles ORDER BY account_id, id`, func(r *sql.Rows) error {
				role, _, err := scanRole(r)
				s.Roles = append(s.Roles, role)
				return err
			})
		},
		func() error {
			return each(`SELECT `+oidcProviderCols+` FROM oidc_providers ORDER BY account_id, id`, func(r *sql.Rows) error {
				p, err := scanOIDCProvider(r)
				s.OIDCProviders = append(s.OIDCProviders, p)
				return err
			})
		},
		func() error {
			return each(`SELECT `+samlProviderCols+` FROM saml_providers ORDER BY account_id, id`, func(r *sql.Rows) error {
				p, err := scanSAMLProvider(r)
				s.SAMLProviders = append(s.SAMLProviders, p)
				return err
			})
		},
		func() error {
			return each(`SELECT `+groupCols+` FROM groups g ORDER BY g.account_id, g.id`, func(r *sql.Rows) error {
				g, _, err := scanGroup(r)
				s.Groups = append(s.Groups, g)
				return err
			})
		},
		func() error {
			return each(`SELECT g.account_id, m.group_id, m.user_id FROM group_members m JOIN groups g ON g.id = m.group_id
				ORDER BY g.account_id, m.group_id, m.user_id`, func(r *sql.Rows) error {
				var m opensts.Membership
				err := r.Scan(&m.AccountID, &m.GroupID, &m.UserID)
				s.Memberships = append(s.Memberships, m)
				return err
			})
		},
		func() error {
			return each(`SELECT `+accessKeyCols+` FROM access_keys ORDER BY id`, func(r *sql.Rows) error {
				k, err := scanAccessKey(r)
				s.AccessKeys = append(s.AccessKeys, k)
				return err
			})
		},
		func() error {
			return each(`SELECT `+mfaCols+` FROM mfa_devices ORDER BY account_id, serial_number`, func(r *sql.Rows) error {
				d, err := scanMFADevice(r)
				s.MFADevices = append(s.MFADevices, d)
				return err
			})
		},
		func() error {
			return each(`SELECT `+policyCols+`, p.next_version FROM managed_policies p ORDER BY p.account_id, p.id`, func(r *sql.Rows) error {
				var (
					sp               opensts.SnapshotPolicy
					def              int
					created, updated int64
					tags, key        string
				)
				p := &sp.Policy
				if err := r.Scan(&p.AccountID, &p.ID, &p.Name, &p.Path, &p.Description, &def, &p.AttachmentCount,
					&created, &updated, &tags, &key, &sp.NextVersion); err != nil {
					return err
				}
				p.DefaultVersionID = backend.VersionID(def)
				p.CreatedAt, p.UpdatedAt = fromMicros(created), fromMicros(updated)
				var err error
				p.Tags, err = backend.DecodeTags(tags)
				s.Policies = append(s.Policies, sp)
				return err
			})
		},
		func() error {
			byID := make(map[string]*opensts.SnapshotPolicy, len(s.Policies))
			for i := range s.Policies {
				byID[s.Policies[i].Policy.ID] = &s.Policies[i]
			}
			return each(`SELECT v.policy_id, v.version, v.version = p.default_version, v.document, v.created_at
				FROM policy_versions v JOIN managed_policies p ON p.id = v.policy_id
				ORDER BY v.policy_id, v.version`, func(r *sql.Rows) error {
				var (
					id      string
					n       int
					v       opensts.PolicyVersion
					created int64
				)
				if err := r.Scan(&id, &n, &v.IsDefault, &v.Document, &created); err != nil {
					return err
				}
				v.VersionID, v.CreatedAt = backend.VersionID(n), fromMicros(created)
				if sp := byID[id]; sp != nil {
					sp.Versions = append(sp.Versions, v)
				}
				return nil
			})
		},
		func() error {
			return each(`SELECT account_id, owner_kind, owner_id, name, document, size FROM inline_policies
				ORDER BY account_id, owner_kind, owner_id, name_lower`, func(r *sql.Rows) error {
				var (
					p    opensts.SnapshotInlinePolicy
					kind string
				)
				err := r.Scan(&p.AccountID, &kind, &p.Owner.ID, &p.Policy.Name, &p.Policy.Document, &p.Size)
				p.Owner.Kind = opensts.OwnerKind(kind)
				s.InlinePolicies = append(s.InlinePolicies, p)
				return err
			})
		},
		func() error {
			return each(`SELECT account_id, owner_kind, owner_id, policy_id FROM policy_attachments
				ORDER BY account_id, owner_kind, owner_id, policy_id`, func(r *sql.Rows) error {
				var (
					a    opensts.SnapshotAttachment
					kind string
				)
				err := r.Scan(&a.AccountID, &kind, &a.Owner.ID, &a.PolicyID)
				a.Owner.Kind = opensts.OwnerKind(kind)
				s.Attachments = append(s.Attachments, a)
				return err
			})
		},
		func() (err error) {
			s.TokenKeys, err = listTokenKeys(ctx, q)
			return err
		},
		func() (err error) {
			s.SigningKeys, err = listSigningKeys(ctx, q)
			return err
		},
		func() error {
			return each(`SELECT account_id, enabled, changed_at FROM outbound_federation ORDER BY account_id`, func(r *sql.Rows) error {
				var (
					f       opensts.OutboundFederation
					changed int64
				)
				err := r.Scan(&f.AccountID, &f.Enabled, &changed)
				f.ChangedAt = fromMicros(changed)
				s.OutboundFederations = append(s.OutboundFederations, f)
				return err
			})
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Restore writes s into this store, which must be empty, in one write
// transaction: every id, name, version number, next-version counter, time
// and sealed byte is kept, so sealed secrets stay valid under the same
// master key. A store that holds anything fails with opensts.ErrConflict;
// a snapshot that breaks the schema's rules (duplicate names, dangling
// references) fails without writing anything.
func (db *DB) Restore(ctx context.Context, s *opensts.Snapshot) error {
	if err := backend.CheckSnapshot(s); err != nil {
		return fmt.Errorf("restore sqlite store: %w", err)
	}
	err := db.write(ctx, func(tx *sql.Tx) error {
		nonEmpty, err := exists(ctx, tx, `SELECT EXISTS (SELECT 1 FROM accounts) OR EXISTS (SELECT 1 FROM token_keys)
			OR EXISTS (SELECT 1 FROM users) OR EXISTS (SELECT 1 FROM roles) OR EXISTS (SELECT 1 FROM oidc_providers) OR EXISTS (SELECT 1 FROM saml_providers) OR EXISTS (SELECT 1 FROM groups) OR EXISTS (SELECT 1 FROM access_keys)
			OR EXISTS (SELECT 1 FROM mfa_devices) OR EXISTS (SELECT 1 FROM managed_policies)
			OR EXISTS (SELECT 1 FROM inline_policies) OR EXISTS (SELECT 1 FROM policy_attachments)
			OR EXISTS (SELECT 1 FROM group_members) OR EXISTS (SELECT 1 FROM policy_versions)
			OR EXISTS (SELECT 1 FROM signing_keys) OR EXISTS (SELECT 1 FROM outbound_federation)`)
		if err != nil {
			return err
		}
		if nonEmpty {
			return fmt.Errorf("target store is not empty: %w", opensts.ErrConflict)
		}
		return restore(ctx, tx, s)
	})
	if err != nil {
		return fmt.Errorf("restore sqlite store: %w", err)
	}
	return nil
}

func restore(ctx context.Context, tx *sql.Tx, s *opensts.Snapshot) error {
	exec := func(what, query string, args ...any) error {
		if _, err := tx.ExecContext(ctx, query, args...); err != nil {
			return fmt.Errorf("restore %s: %w", what, classify(err))
		}
		return nil
	}
	for _, a := range s.Accounts {
		def := 0
		if a.ID == s.DefaultAccountID {
			def = 1
		}
		if err := exec("account "+a.ID, `INSERT INTO accounts (id, is_default, created_at) VALUES (?, ?, ?)`,
			a.ID, def, micros(a.CreatedAt)); err != nil {
			return err
		}
	}
	for _, u := range s.Users {
		tags, err := backend.EncodeTags(u.Tags)
		if err != nil {
			return err
		}
		if err := exec("user "+u.ID, `INSERT INTO users (`+userCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			u.AccountID, u.ID, u.Name, u.Path, micros(u.CreatedAt), tags, u.PermissionsBoundary, lower(u.Name)); err != nil {
			return err
		}
	}
	for _, r := range s.Roles {
		if err := insertRole(ctx, tx, r); err != nil {
			return fmt.Errorf("restore role %s: %w", r.ID, err)
		}
	}
	for _, p := range s.OIDCProviders {
		if err := insertOIDCProvider(ctx, tx, p); err != nil {
			return fmt.Errorf("restore OIDC provider %s: %w", p.ID, err)
		}
	}
	for _, p := range s.SAMLProviders {
		if err := insertSAMLProvider(ctx, tx, p); err != nil {
			return fmt.Errorf("restore SAML provider %s: %w", p.ID, err)
		}
	}
	for _, g := range s.Groups {
		if err := exec("group "+g.ID, `INSERT INTO groups (account_id, id, name, path, created_at, name_lower) VALUES (?, ?, ?, ?, ?, ?)`,
			g.AccountID, g.ID, g.Name, g.Path, micros(g.CreatedAt), lower(g.Name)); err != nil {
			return err
		}
	}
	for _, m := range s.Memberships {
		if err := exec("membership", `INSERT INTO group_members (group_id, user_id) VALUES (?, ?)`, m.GroupID, m.UserID); err != nil {
			return err
		}
	}
	for _, k := range s.AccessKeys {
		if err := insertAccessKey(ctx, tx, k); err != nil {
			return fmt.Errorf("restore access key %s: %w", k.ID, err)
		}
	}
	for _, d := range s.MFADevices {
		tags, err := backend.EncodeTags(d.Tags)
		if err != nil {
			return err
		}
		if err := exec("MFA device "+d.SerialNumber, `INSERT INTO mfa_devices (`+mfaCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			d.AccountID, d.SerialNumber, string(d.Kind), d.Name, d.Path, blob(d.SealedSeed), d.UserID, nullMicros(d.EnableDate),
			micros(d.CreatedAt), tags, d.LastUsedStep, d.Drift, d.FailedAttempts, nullMicros(d.LockedUntil)); err != nil {
			return err
		}
	}
	for _, sp := range s.Policies {
		p := sp.Policy
		tags, err := backend.EncodeTags(p.Tags)
		if err != nil {
			return err
		}
		def, _ := backend.ParseVersionID(p.DefaultVersionID)
		if err := exec("policy "+p.ID, `INSERT INTO managed_policies
			(account_id, id, name, name_lower, path, description, default_version, next_version, tags, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			p.AccountID, p.ID, p.Name, lower(p.Name), p.Path, p.Description, def, sp.NextVersion, tags,
			micros(p.CreatedAt), micros(p.UpdatedAt)); err != nil {
			return err
		}
		for _, v := range sp.Versions {
			n, _ := backend.ParseVersionID(v.VersionID)
			if err := exec("policy "+p.ID+" version "+v.VersionID, `INSERT INTO policy_versions (policy_id, version, document, created_at) VALUES (?, ?, ?, ?)`,
				p.ID, n, v.Document, micros(v.CreatedAt)); err != nil {
				return err
			}
		}
	}
	for _, p := range s.InlinePolicies {
		if err := exec("inline policy "+p.Policy.Name, `INSERT INTO inline_policies (account_id, owner_kind, owner_id, name, name_lower, document, size)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, p.AccountID, string(p.Owner.Kind), p.Owner.ID, p.Policy.Name, lower(p.Policy.Name),
			p.Policy.Document, p.Size); err != nil {
			return err
		}
	}
	for _, a := range s.Attachments {
		if err := exec("attachment of "+a.PolicyID, `INSERT INTO policy_attachments (account_id, owner_kind, owner_id, policy_id) VALUES (?, ?, ?, ?)`,
			a.AccountID, string(a.Owner.Kind), a.Owner.ID, a.PolicyID); err != nil {
			return err
		}
	}
	for i, k := range s.TokenKeys {
		if err := exec(fmt.Sprintf("token key %d", k.ID), `INSERT INTO token_keys (id, position, sealed, created_at, retired_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?)`, int64(k.ID), i, blob(k.Sealed), micros(k.CreatedAt),
			nullMicros(k.RetiredAt), nullMicros(k.ExpiresAt)); err != nil {
			return err
		}
	}
	if err := insertSigningKeys(ctx, tx, s.SigningKeys); err != nil {
		return fmt.Errorf("restore %w", err)
	}
	for _, f := range s.OutboundFederations {
		if err := insertOutboundFederation(ctx, tx, f); err != nil {
			return fmt.Errorf("restore outbound federation of %s: %w", f.AccountID, err)
		}
	}
	return nil
}
