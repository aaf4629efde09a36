-- 0002_roles: IAM roles, and roles as owners of inline policies and
-- attachments. PostgreSQL mirrors it as postgres/migrations/0002_roles.sql.
--
-- trust_policy is the AssumeRolePolicyDocument as submitted; trusted_ids
-- is a JSON object from each user or role ARN it names to that entity's id;
-- max_session_duration is 0 while never set (it then acts as 3600);
-- last_used is NULL until a role session is issued.

CREATE TABLE roles (
    id                   TEXT    NOT NULL PRIMARY KEY,
    account_id           TEXT    NOT NULL REFERENCES accounts (id),
    name                 TEXT    NOT NULL,
    name_lower           TEXT    NOT NULL,
    path                 TEXT    NOT NULL,
    trust_policy         TEXT    NOT NULL,
    trusted_ids          TEXT    NOT NULL DEFAULT '{}',
    description          TEXT    NOT NULL DEFAULT '',
    max_session_duration INTEGER NOT NULL DEFAULT 0,
    permissions_boundary TEXT    NOT NULL DEFAULT '',
    tags                 TEXT    NOT NULL DEFAULT '[]',
    created_at           INTEGER NOT NULL,
    last_used            INTEGER,
    last_used_region     TEXT    NOT NULL DEFAULT '',
    UNIQUE (account_id, name_lower)
);

-- SQLite cannot alter a CHECK constraint: the two owner tables are rebuilt
-- with 'role' allowed, keeping every row, key and index.
CREATE TABLE inline_policies_0002 (
    account_id TEXT    NOT NULL REFERENCES accounts (id),
    owner_kind TEXT    NOT NULL CHECK (owner_kind IN ('user', 'group', 'role')),
    owner_id   TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    name_lower TEXT    NOT NULL,
    document   TEXT    NOT NULL,
    size       INTEGER NOT NULL,
    PRIMARY KEY (owner_kind, owner_id, name_lower)
);
INSERT INTO inline_policies_0002 SELECT account_id, owner_kind, owner_id, name, name_lower, document, size FROM inline_policies;
DROP TABLE inline_policies;
ALTER TABLE inline_policies_0002 RENAME TO inline_policies;

CREATE TABLE policy_attachments_0002 (
    account_id TEXT NOT NULL REFERENCES accounts (id),
    owner_kind TEXT NOT NULL CHECK (owner_kind IN ('user', 'group', 'role')),
    owner_id   TEXT NOT NULL,
    policy_id  TEXT NOT NULL REFERENCES managed_policies (id),
    PRIMARY KEY (owner_kind, owner_id, policy_id)
);
INSERT INTO policy_attachments_0002 SELECT account_id, owner_kind, owner_id, policy_id FROM policy_attachments;
DROP TABLE policy_attachments;
ALTER TABLE policy_attachments_0002 RENAME TO policy_attachments;
CREATE INDEX policy_attachments_policy ON policy_attachments (policy_id);
