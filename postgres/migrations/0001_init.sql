-- 0001_init: the complete OpenSTS schema, version 1, for PostgreSQL.
--
-- This file mirrors sqlite/migrations/0001_init.sql table for table, column
-- for column, with the same keys and indexes; only the types differ:
--   TEXT     -> text; identifiers, names and every sort key are COLLATE "C",
--               so comparisons and listings are byte-wise as in SQLite,
--               whatever the database's default collation is
--   INTEGER  -> bigint, integer or boolean by meaning
--   times    -> timestamptz (microseconds, as SQLite's integer microseconds);
--               NULL means "zero time"
--   BLOB     -> bytea
-- Names are unique case-insensitively: the store computes name_lower with Go's
-- strings.ToLower, so both backends agree byte for byte, and the UNIQUE
-- constraints are on (account_id, name_lower).
-- Tags are a JSON array of {"Key","Value"} objects in declaration order, kept
-- as text (not jsonb) so they come back exactly as written.
-- Owners of inline policies and attachments are polymorphic (user or group)
-- and therefore carry no foreign key; the store locks and checks them inside
-- the write transaction.
-- Tables are created in the first schema of the connection's search_path.

CREATE TABLE accounts (
    id         text COLLATE "C" NOT NULL PRIMARY KEY,
    is_default boolean          NOT NULL DEFAULT false,
    created_at timestamptz      NOT NULL
);
-- At most one default account, even when several nodes initialise at once.
CREATE UNIQUE INDEX accounts_one_default ON accounts (is_default) WHERE is_default;

CREATE TABLE users (
    id                   text COLLATE "C" NOT NULL PRIMARY KEY,
    account_id           text COLLATE "C" NOT NULL REFERENCES accounts (id),
    name                 text             NOT NULL,
    name_lower           text COLLATE "C" NOT NULL,
    path                 text COLLATE "C" NOT NULL,
    permissions_boundary text             NOT NULL DEFAULT '',
    tags                 text             NOT NULL DEFAULT '[]',
    created_at           timestamptz      NOT NULL,
    UNIQUE (account_id, name_lower)
);

CREATE TABLE groups (
    id         text COLLATE "C" NOT NULL PRIMARY KEY,
    account_id text COLLATE "C" NOT NULL REFERENCES accounts (id),
    name       text             NOT NULL,
    name_lower text COLLATE "C" NOT NULL,
    path       text COLLATE "C" NOT NULL,
    created_at timestamptz      NOT NULL,
    UNIQUE (account_id, name_lower)
);

CREATE TABLE group_members (
    group_id text COLLATE "C" NOT NULL REFERENCES groups (id),
    user_id  text COLLATE "C" NOT NULL REFERENCES users (id),
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user ON group_members (user_id);

-- user_id is the owning user's id, or the account id for the account root.
CREATE TABLE access_keys (
    id            text COLLATE "C" NOT NULL PRIMARY KEY,
    account_id    text COLLATE "C" NOT NULL REFERENCES accounts (id),
    user_id       text COLLATE "C" NOT NULL,
    status        text             NOT NULL CHECK (status IN ('Active', 'Inactive')),
    sealed_secret bytea            NOT NULL,
    created_at    timestamptz      NOT NULL
);
CREATE INDEX access_keys_owner ON access_keys (account_id, user_id, created_at);

-- user_id is '' while the device is unassigned, else a user id or, for the
-- account root, the account id.
CREATE TABLE mfa_devices (
    account_id      text COLLATE "C" NOT NULL REFERENCES accounts (id),
    serial_number   text COLLATE "C" NOT NULL,
    kind            text             NOT NULL CHECK (kind IN ('virtual', 'hardware')),
    name            text             NOT NULL,
    path            text COLLATE "C" NOT NULL,
    sealed_seed     bytea            NOT NULL,
    user_id         text COLLATE "C" NOT NULL DEFAULT '',
    enable_date     timestamptz,
    created_at      timestamptz      NOT NULL,
    tags            text             NOT NULL DEFAULT '[]',
    last_used_step  bigint           NOT NULL DEFAULT 0,
    drift           bigint           NOT NULL DEFAULT 0,
    failed_attempts bigint           NOT NULL DEFAULT 0,
    locked_until    timestamptz,
    PRIMARY KEY (account_id, serial_number)
);
CREATE INDEX mfa_devices_user ON mfa_devices (account_id, user_id);

-- default_version and next_version are the numbers N of version ids vN.
-- next_version only grows, so a version id is never reused.
CREATE TABLE managed_policies (
    id              text COLLATE "C" NOT NULL PRIMARY KEY,
    account_id      text COLLATE "C" NOT NULL REFERENCES accounts (id),
    name            text             NOT NULL,
    name_lower      text COLLATE "C" NOT NULL,
    path            text COLLATE "C" NOT NULL,
    description     text             NOT NULL DEFAULT '',
    default_version integer          NOT NULL,
    next_version    integer          NOT NULL,
    tags            text             NOT NULL DEFAULT '[]',
    created_at      timestamptz      NOT NULL,
    updated_at      timestamptz      NOT NULL,
    UNIQUE (account_id, name_lower)
);

CREATE TABLE policy_versions (
    policy_id  text COLLATE "C" NOT NULL REFERENCES managed_policies (id) ON DELETE CASCADE,
    version    integer          NOT NULL,
    document   text             NOT NULL,
    created_at timestamptz      NOT NULL,
    PRIMARY KEY (policy_id, version)
);

-- size is the caller's count of the document (without whitespace), summed per
-- owner against the aggregate inline-policy quota.
CREATE TABLE inline_policies (
    account_id text COLLATE "C" NOT NULL REFERENCES accounts (id),
    owner_kind text COLLATE "C" NOT NULL CHECK (owner_kind IN ('user', 'group')),
    owner_id   text COLLATE "C" NOT NULL,
    name       text             NOT NULL,
    name_lower text COLLATE "C" NOT NULL,
    document   text             NOT NULL,
    size       bigint           NOT NULL,
    PRIMARY KEY (owner_kind, owner_id, name_lower)
);

CREATE TABLE policy_attachments (
    account_id text COLLATE "C" NOT NULL REFERENCES accounts (id),
    owner_kind text COLLATE "C" NOT NULL CHECK (owner_kind IN ('user', 'group')),
    owner_id   text COLLATE "C" NOT NULL,
    policy_id  text COLLATE "C" NOT NULL REFERENCES managed_policies (id),
    PRIMARY KEY (owner_kind, owner_id, policy_id)
);
CREATE INDEX policy_attachments_policy ON policy_attachments (policy_id);

-- The session-token key ring, in the order the last update wrote it.
-- id is a uint32.
CREATE TABLE token_keys (
    id         bigint      NOT NULL PRIMARY KEY CHECK (id BETWEEN 0 AND 4294967295),
    position   integer     NOT NULL,
    sealed     bytea       NOT NULL,
    created_at timestamptz NOT NULL,
    retired_at timestamptz,
    expires_at timestamptz
);
