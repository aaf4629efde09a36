package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/internal/backend"
)

// Snapshot reads the whole store in one REPEATABLE READ read-only
// transaction, so it is consistent even while nodes keep writing. Entities
// come in the order storetest.RunSnapshot pins (by account, then id or
// serial number or owner, byte order; versions oldest first; the key ring
// and the signing keys in set order), the same order package sqlite
// produces.
func (db *DB) Snapshot(ctx context.Context) (*opensts.Snapshot, error) {
	var s *opensts.Snapshot
	err := db.read(ctx, func(q querier) (err error) {
		s, err = snapshot(ctx, q)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("snapshot postgres store: %w", err)
	}
	return s, nil
}

func snapshot(ctx context.Context, q querier) (*opensts.Snapshot, error) {
	s := &opensts.Snapshot{}
	each := func(query string, scan func(pgx.Rows) error) error {
		rows, err := q.Query(ctx, query)
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
			return each(`SELECT id, is_default, created_at FROM accounts ORDER BY id`, func(r pgx.Rows) error {
				var (
					a   opensts.Account
					def bool
				)
				if err := r.Scan(&a.ID, &def, &a.CreatedAt); err != nil {
					return err
				}
				a.CreatedAt = utc(a.CreatedAt)
				if def {
					s.DefaultAccountID = a.ID
				}
				s.Accounts = append(s.Accounts, a)
				return nil
			})
		},
		func() error {
			return each(`SELECT `+userCols+` FROM users u ORDER BY u.account_id, u.id`, func(r pgx.Rows) error {
				u, _, err := scanUser(r)
				s.Users = append(s.Users, u)
				return err
			})
		},
		func() error {
			return each(`SELECT `+roleCols+` FROM roles r ORDER BY r.account_id, r.id`, func(r pgx.Rows) error {
				role, _, err := scanRole(r)
				s.Roles = append(s.Roles, role)
				return err
			})
		},
		func() error {
			return each(`SELECT `+oidcProviderCols+` FROM oidc_providers p ORDER BY p.account_id, p.id`, func(r pgx.Rows) error {
				p, err := scanOIDCProvider(r)
				s.OIDCProviders = append(s.OIDCProviders, p)
				return err
			})
		},
		func() error {
			return each(`SELECT `+samlProviderCols+` FROM saml_providers p ORDER BY p.account_id, p.id`, func(r pgx.Rows) error {
				p, err := scanSAMLProvider(r)
				s.SAMLProviders = append(s.SAMLProviders, p)
				return err
			})
		},
		func() error {
			return each(`SELECT `+groupCols+` FROM groups g ORDER BY g.account_id, g.id`, func(r pgx.Rows) error {
				g, _, err := scanGroup(r)
				s.Groups = append(s.Groups, g)
				return err
			})
		},
		func() error {
			return each(`SELECT g.account_id, m.group_id, m.user_id FROM group_members m JOIN groups g ON g.id = m.group_id
				ORDER BY g.account_id, m.group_id, m.user_id`, func(r pgx.Rows) error {
				var m opensts.Membership
				err := r.Scan(&m.AccountID, &m.GroupID, &m.UserID)
				s.Memberships = append(s.Memberships, m)
				return err
			})
		},
		func() error {
			return each(`SELECT `+accessKeyCols+` FROM access_keys ORDER BY id`, func(r pgx.Rows) error {
				k, err := scanAccessKey(r)
				s.AccessKeys = append(s.AccessKeys, k)
				return err
			})
		},
		func() error {
			return each(`SELECT `+mfaCols+` FROM mfa_devices ORDER BY account_id, serial_number`, func(r pgx.Rows) error {
				d, err := scanMFADevice(r)
				s.MFADevices = append(s.MFADevices, d)
				return err
			})
		},
		func() error {
			return each(`SELECT `+policyCols+`, p.next_version FROM managed_policies p ORDER BY p.account_id, p.id`, func(r pgx.Rows) error {
				var (
					sp        opensts.SnapshotPolicy
					def       int
					attached  int64
					tags, key string
				)
				p := &sp.Policy
				if err := r.Scan(&p.AccountID, &p.ID, &p.Name, &p.Path, &p.Description, &def, &attached,
					&p.CreatedAt, &p.UpdatedAt, &tags, &key, &sp.NextVersion); err != nil {
					return err
				}
				p.DefaultVersionID, p.AttachmentCount = backend.VersionID(def), int(attached)
				p.CreatedAt, p.UpdatedAt = utc(p.CreatedAt), utc(p.UpdatedAt)
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
				ORDER BY v.policy_id, v.version`, func(r pgx.Rows) error {
				var (
					id string
					n  int
					v  opensts.PolicyVersion
				)
				if err := r.Scan(&id, &n, &v.IsDefault, &v.Document, &v.CreatedAt); err != nil {
					return err
				}
				v.VersionID, v.CreatedAt = backend.VersionID(n), utc(v.CreatedAt)
				if sp := byID[id]; sp != nil {
					sp.Versions = append(sp.Versions, v)
				}
				return nil
			})
		},
		func() error {
			return each(`SELECT account_id, owner_kind, owner_id, name, document, size FROM inline_policies
				ORDER BY account_id, owner_kind, owner_id, name_lower`, func(r pgx.Rows) error {
				var (
					p    opensts.SnapshotInlinePolicy
					kind string
					size int64
				)
				err := r.Scan(&p.AccountID, &kind, &p.Owner.ID, &p.Policy.Name, &p.Policy.Document, &size)
				p.Owner.Kind, p.Size = opensts.OwnerKind(kind), int(size)
				s.InlinePolicies = append(s.InlinePolicies, p)
				return err
			})
		},
		func() error {
			return each(`SELECT account_id, owner_kind, owner_id, policy_id FROM policy_attachments
				ORDER BY account_id, owner_kind, owner_id, policy_id`, func(r pgx.Rows) error {
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
			return each(`SELECT account_id, enabled, changed_at FROM outbound_federation ORDER BY account_id`, func(r pgx.Rows) error {
				var f opensts.OutboundFederation
				err := r.Scan(&f.AccountID, &f.Enabled, &f.ChangedAt)
				f.ChangedAt = utc(f.ChangedAt)
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

// Restore writes s into this store, which must be empty, in one
// transaction: every id, name, version number, next-version counter, time
// and sealed byte is kept, so sealed secrets stay valid under the same
// master key. The accounts, token_keys and signing_keys tables are locked
// first, so a node starting on the store meanwhile waits and then finds the
// restored account and keys. A store that holds anything fails with opensts.ErrConflict; a
// snapshot that breaks the schema's rules (duplicate names, dangling
// references) fails without writing anything.
func (db *DB) Restore(ctx context.Context, s *opensts.Snapshot) error {
	if err := backend.CheckSnapshot(s); err != nil {
		return fmt.Errorf("restore postgres store: %w", err)
	}
	err := db.write(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `LOCK TABLE accounts, token_keys, signing_keys IN EXCLUSIVE MODE`); err != nil {
			return err
		}
		nonEmpty, err := exists(ctx, tx, `SELECT EXISTS (SELECT 1 FROM accounts) OR EXISTS (SELECT 1 FROM token_keys)
			OR EXISTS (SELECT 1 FROM users) OR EXISTS (SELECT 1 FROM roles) OR EXISTS (SELECT 1 FROM groups)
			OR EXISTS (SELECT 1 FROM oidc_providers) OR EXISTS (SELECT 1 FROM saml_providers)
			OR EXISTS (SELECT 1 FROM access_keys)
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
		return fmt.Errorf("restore postgres store: %w", err)
	}
	return nil
}

func restore(ctx context.Context, tx pgx.Tx, s *opensts.Snapshot) error {
	copyRows := func(table string, cols []string, rows [][]any) error {
		if len(rows) == 0 {
			return nil
		}
		n, err := tx.CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromRows(rows))
		if err != nil {
			return fmt.Errorf("restore %s: %w", table, err)
		}
		if n != int64(len(rows)) {
			return fmt.Errorf("restore %s: wrote %d of %d rows", table, n, len(rows))
		}
		return nil
	}
	var rows [][]any
	for _, a := range s.Accounts {
		rows = append(rows, []any{a.ID, a.ID == s.DefaultAccountID, a.CreatedAt})
	}
	if err := copyRows("accounts", []string{"id", "is_default", "created_at"}, rows); err != nil {
		return err
	}
	rows = nil
	for _, u := range s.Users {
		tags, err := backend.EncodeTags(u.Tags)
		if err != nil {
			return err
		}
		rows = append(rows, []any{u.AccountID, u.ID, u.Name, lower(u.Name), u.Path, u.PermissionsBoundary, tags, u.CreatedAt})
	}
	if err := copyRows("users", []string{"account_id", "id", "name", "name_lower", "path", "permissions_boundary", "tags", "created_at"}, rows); err != nil {
		return err
	}
	rows = nil
	for _, r := range s.Roles {
		tags, err := backend.EncodeTags(r.Tags)
		if err != nil {
			return err
		}
		trusted, err := backend.EncodeIDs(r.TrustedIDs)
		if err != nil {
			return err
		}
		rows = append(rows, []any{r.AccountID, r.ID, r.Name, lower(r.Name), r.Path, r.TrustPolicy, r.Description,
			int64(r.MaxSessionDuration), r.PermissionsBoundary, tags, r.CreatedAt, timestamptz(r.LastUsed), r.LastUsedRegion, trusted})
	}
	if err := copyRows("roles", []string{"account_id", "id", "name", "name_lower", "path", "trust_policy", "description",
		"max_session_duration", "permissions_boundary", "tags", "created_at", "last_used", "last_used_region", "trusted_ids"}, rows); err != nil {
		return err
	}
	rows = nil
	for _, p := range s.OIDCProviders {
		clientIDs, thumbs, tags, err := encodeOIDCProvider(p)
		if err != nil {
			return err
		}
		rows = append(rows, []any{p.AccountID, p.ID, p.URL, clientIDs, thumbs, tags, p.CreatedAt})
	}
	if err := copyRows("oidc_providers", []string{"account_id", "id", "url", "client_ids", "thumbprints", "tags", "created_at"}, rows); err != nil {
		return err
	}
	rows = nil
	for _, p := range s.SAMLProviders {
		tags, err := backend.EncodeTags(p.Tags)
		if err != nil {
			return err
		}
		rows = append(rows, []any{p.AccountID, p.ID, p.UUID, p.Name, lower(p.Name), p.MetadataDocument, p.EntityID, p.ValidUntil, tags, p.CreatedAt})
	}
	if err := copyRows("saml_providers", []string{"account_id", "id", "uuid", "name", "name_lower", "metadata", "entity_id", "valid_until", "tags", "created_at"}, rows); err != nil {
		return err
	}
	rows = nil
	for _, g := range s.Groups {
		rows = append(rows, []any{g.AccountID, g.ID, g.Name, lower(g.Name), g.Path, g.CreatedAt})
	}
	if err := copyRows("groups", []string{"account_id", "id", "name", "name_lower", "path", "created_at"}, rows); err != nil {
		return err
	}
	rows = nil
	for _, m := range s.Memberships {
		rows = append(rows, []any{m.GroupID, m.UserID})
	}
	if err := copyRows("group_members", []string{"group_id", "user_id"}, rows); err != nil {
		return err
	}
	rows = nil
	for _, k := range s.AccessKeys {
		rows = append(rows, []any{k.ID, k.AccountID, k.UserID, string(k.Status), blob(k.SealedSecret), k.CreatedAt})
	}
	if err := copyRows("access_keys", []string{"id", "account_id", "user_id", "status", "sealed_secret", "created_at"}, rows); err != nil {
		return err
	}
	rows = nil
	for _, d := range s.MFADevices {
		tags, err := backend.EncodeTags(d.Tags)
		if err != nil {
			return err
		}
		rows = append(rows, []any{d.AccountID, d.SerialNumber, string(d.Kind), d.Name, d.Path, blob(d.SealedSeed), d.UserID,
			timestamptz(d.EnableDate), d.CreatedAt, tags, d.LastUsedStep, d.Drift, int64(d.FailedAttempts), timestamptz(d.LockedUntil)})
	}
	if err := copyRows("mfa_devices", []string{"account_id", "serial_number", "kind", "name", "path", "sealed_seed", "user_id",
		"enable_date", "created_at", "tags", "last_used_step", "drift", "failed_attempts", "locked_until"}, rows); err != nil {
		return err
	}
	rows = nil
	var versions [][]any
	for _, sp := range s.Policies {
		p := sp.Policy
		tags, err := backend.EncodeTags(p.Tags)
		if err != nil {
			return err
		}
		def, _ := backend.ParseVersionID(p.DefaultVersionID)
		rows = append(rows, []any{p.AccountID, p.ID, p.Name, lower(p.Name), p.Path, p.Description, int32(def), int32(sp.NextVersion),
			tags, p.CreatedAt, p.UpdatedAt})
		for _, v := range sp.Versions {
			n, _ := backend.ParseVersionID(v.VersionID)
			versions = append(versions, []any{p.ID, int32(n), v.Document, v.CreatedAt})
		}
	}
	if err := copyRows("managed_policies", []string{"account_id", "id", "name", "name_lower", "path", "description",
		"default_version", "next_version", "tags", "created_at", "updated_at"}, rows); err != nil {
		return err
	}
	if err := copyRows("policy_versions", []string{"policy_id", "version", "document", "created_at"}, versions); err != nil {
		return err
	}
	rows = nil
	for _, p := range s.InlinePolicies {
		rows = append(rows, []any{p.AccountID, string(p.Owner.Kind), p.Owner.ID, p.Policy.Name, lower(p.Policy.Name), p.Policy.Document, int64(p.Size)})
	}
	if err := copyRows("inline_policies", []string{"account_id", "owner_kind", "owner_id", "name", "name_lower", "document", "size"}, rows); err != nil {
		return err
	}
	rows = nil
	for _, a := range s.Attachments {
		rows = append(rows, []any{a.AccountID, string(a.Owner.Kind), a.Owner.ID, a.PolicyID})
	}
	if err := copyRows("policy_attachments", []string{"account_id", "owner_kind", "owner_id", "policy_id"}, rows); err != nil {
		return err
	}
	rows = nil
	for i, k := range s.TokenKeys {
		rows = append(rows, []any{int64(k.ID), int32(i), blob(k.Sealed), k.CreatedAt, timestamptz(k.RetiredAt), timestamptz(k.ExpiresAt)})
	}
	if err := copyRows("token_keys", []string{"id", "position", "sealed", "created_at", "retired_at", "expires_at"}, rows); err != nil {
		return err
	}
	rows = nil
	for i, k := range s.SigningKeys {
		rows = append(rows, []any{k.ID, int32(i), k.Algorithm, blob(k.Sealed), blob(k.Public), k.CreatedAt, k.ActiveAt,
			timestamptz(k.RetiredAt), timestamptz(k.ExpiresAt)})
	}
	if err := copyRows("signing_keys", []string{"id", "position", "algorithm", "sealed", "public", "created_at", "active_at",
		"retired_at", "expires_at"}, rows); err != nil {
		return err
	}
	rows = nil
	for _, f := range s.OutboundFederations {
		rows = append(rows, []any{f.AccountID, f.Enabled, f.ChangedAt})
	}
	return copyRows("outbound_federation", []string{"account_id", "enabled", "changed_at"}, rows)
}

// timestamptz is an optional time for COPY: NULL when zero.
func timestamptz(t time.Time) pgtype.Timestamptz {
	return pgtype.Timestamptz{Time: t, Valid: !t.IsZero()}
}
