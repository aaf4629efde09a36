-- 0001_init: the complete OpenSTS schema, version 1.
--
-- Portability: PostgreSQL mirrors this file as postgres/migrations/0001_init.sql
-- with the same tables, columns, keys and indexes. Type mapping:
--   TEXT     -> text (name_lower and every other sort key: COLLATE "C",
--               so listings order byte-wise as they do here)
--   INTEGER  -> bigint (times are microseconds since the Unix epoch, UTC;
--               NULL means "zero time"); timestamptz also works if the
--               backend converts at its edge
--   BLOB     -> bytea
-- Names are unique case-insensitively: the store computes name_lower with Go's
-- strings.ToLower, so both backends agree byte for byte, and the UNIQUE
-- constraints are on (account_id, name_lower).
-- Tags are a JSON array of {"Key","Value"} objects in declaration order.
-- Owners of inline policies and attachments are polymorphic (user or group)
-- and therefore carry no foreign key; the store checks them inside the write
-- transaction.

CREATE TABLE accounts (
    id         TEXT    NOT NULL PRIMARY KEY,
    is_default INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
    created_at INTEGER NOT NULL
);
-- At most one default account, even when several nodes initialise at once.
CREATE UNIQUE INDEX accounts_one_default ON accounts (is_default) WHERE is_default = 1;

CREATE TABLE users (
    id                   TEXT    NOT NULL PRIMARY KEY,
    account_id           TEXT    NOT NULL REFERENCES accounts (id),
    name                 TEXT    NOT NULL,
    name_lower           TEXT    NOT NULL,
    path                 TEXT    NOT NULL,
    permissions_boundary TEXT    NOT NULL DEFAULT '',
    tags                 TEXT    NOT NULL DEFAULT '[]',
    created_at           INTEGER NOT NULL,
    UNIQUE (account_id, name_lower)
);

CREATE TABLE groups (
    id         TEXT    NOT NULL PRIMARY KEY,
    account_id TEXT    NOT NULL REFERENCES accounts (id),
    name       TEXT    NOT NULL,
    name_lower TEXT    NOT NULL,
    path       TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (account_id, name_lower)
);

CREATE TABLE group_members (
    group_id TEXT NOT NULL REFERENCES groups (id),
    user_id  TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user ON group_members (user_id);

-- user_id is the owning user's id, or the account id for the account root.
CREATE TABLE access_keys (
    id            TEXT    NOT NULL PRIMARY KEY,
    account_id    TEXT    NOT NULL REFERENCES accounts (id),
    user_id       TEXT    NOT NULL,
    status        TEXT    NOT NULL CHECK (status IN ('Active', 'Inactive')),
    sealed_secret BLOB    NOT NULL,
    created_at    INTEGER NOT NULL
);
CREATE INDEX access_keys_owner ON access_keys (account_id, user_id, created_at);

-- user_id is '' while the device is unassigned, else a user id or, for the
-- account root, the account id.
CREATE TABLE mfa_devices (
    account_id      TEXT    NOT NULL REFERENCES accounts (id),
    serial_number   TEXT    NOT NULL,
    kind            TEXT    NOT NULL CHECK (kind IN ('virtual', 'hardware')),
    name            TEXT    NOT NULL,
    path            TEXT    NOT NULL,
    sealed_seed     BLOB    NOT NULL,
    user_id         TEXT    NOT NULL DEFAULT '',
    enable_date     INTEGER,
    created_at      INTEGER NOT NULL,
    tags            TEXT    NOT NULL DEFAULT '[]',
    last_used_step  INTEGER NOT NULL DEFAULT 0,
    drift           INTEGER NOT NULL DEFAULT 0,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked_until    INTEGER,
    PRIMARY KEY (account_id, serial_number)
);
CREATE INDEX mfa_devices_user ON mfa_devices (account_id, user_id);

-- default_version and next_version are the numbers N of version ids vN.
-- next_version only grows, so a version id is never reused.
CREATE TABLE managed_policies (
    id              TEXT    NOT NULL PRIMARY KEY,
    account_id      TEXT    NOT NULL REFERENCES accounts (id),
    name            TEXT    NOT NULL,
    name_lower      TEXT    NOT NULL,
    path            TEXT    NOT NULL,
    description     TEXT    NOT NULL DEFAULT '',
    default_version INTEGER NOT NULL,
    next_version    INTEGER NOT NULL,
    tags            TEXT    NOT NULL DEFAULT '[]',
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    UNIQUE (account_id, name_lower)
);

CREATE TABLE policy_versions (
    policy_id  TEXT    NOT NULL REFERENCES managed_policies (id) ON DELETE CASCADE,
    version    INTEGER NOT NULL,
    document   TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (policy_id, version)
);

-- size is the caller's count of the document (without whitespace), summed per
-- owner against the aggregate inline-policy quota.
CREATE TABLE inline_policies (
    account_id TEXT    NOT NULL REFERENCES accounts (id),
    owner_kind TEXT    NOT NULL CHECK (owner_kind IN ('user', 'group')),
    owner_id   TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    name_lower TEXT    NOT NULL,
    document   TEXT    NOT NULL,
    size       INTEGER NOT NULL,
    PRIMARY KEY (owner_kind, owner_id, name_lower)
);

CREATE TABLE policy_attachments (
    account_id TEXT NOT NULL REFERENCES accounts (id),
    owner_kind TEXT NOT NULL CHECK (owner_kind IN ('user', 'group')),
    owner_id   TEXT NOT NULL,
    policy_id  TEXT NOT NULL REFERENCES managed_policies (id),
    PRIMARY KEY (owner_kind, owner_id, policy_id)
);
CREATE INDEX policy_attachments_policy ON policy_attachments (policy_id);

-- The session-token key ring, in the order the last update wrote it.
-- id is a uint32.
CREATE TABLE token_keys (
    id         INTEGER NOT NULL PRIMARY KEY,
    position   INTEGER NOT NULL,
    sealed     BLOB    NOT NULL,
    created_at INTEGER NOT NULL,
    retired_at INTEGER,
    expires_at INTEGER
);
