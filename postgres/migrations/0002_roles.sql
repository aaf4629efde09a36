-- 0002_roles: IAM roles, and roles as owners of inline policies and
-- attachments, for PostgreSQL.
--
-- This file mirrors sqlite/migrations/0002_roles.sql: the same table and
-- columns, with the types mapped as 0001_init.sql describes (times are
-- timestamptz, NULL meaning "zero time"; sort keys are COLLATE "C").
--
-- trust_policy is the AssumeRolePolicyDocument as submitted; trusted_ids
-- is a JSON object from each user or role ARN it names to that entity's id;
-- max_session_duration is 0 while never set (it then acts as 3600);
-- last_used is NULL until a role session is issued.

CREATE TABLE roles (
    id                   text COLLATE "C" NOT NULL PRIMARY KEY,
    account_id           text COLLATE "C" NOT NULL REFERENCES accounts (id),
    name                 text             NOT NULL,
    name_lower           text COLLATE "C" NOT NULL,
    path                 text COLLATE "C" NOT NULL,
    trust_policy         text             NOT NULL,
    trusted_ids          text             NOT NULL DEFAULT '{}',
    description          text             NOT NULL DEFAULT '',
    max_session_duration bigint           NOT NULL DEFAULT 0,
    permissions_boundary text             NOT NULL DEFAULT '',
    tags                 text             NOT NULL DEFAULT '[]',
    created_at           timestamptz      NOT NULL,
    last_used            timestamptz,
    last_used_region     text             NOT NULL DEFAULT '',
    UNIQUE (account_id, name_lower)
);

-- Roles own inline policies and attachments like users and groups. The
-- CHECK constraints of 0001 are column constraints, named by PostgreSQL
-- <table>_<column>_check; they are replaced in place, keeping every row.
ALTER TABLE inline_policies DROP CONSTRAINT inline_policies_owner_kind_check;
ALTER TABLE inline_policies ADD CONSTRAINT inline_policies_owner_kind_check
    CHECK (owner_kind IN ('user', 'group', 'role'));

ALTER TABLE policy_attachments DROP CONSTRAINT policy_attachments_owner_kind_check;
ALTER TABLE policy_attachments ADD CONSTRAINT policy_attachments_owner_kind_check
    CHECK (owner_kind IN ('user', 'group', 'role'));
