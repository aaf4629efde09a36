-- 0005_saml_providers: IAM SAML 2.0 identity providers (roles-spec §4.2),
-- for PostgreSQL.
--
-- This file mirrors sqlite/migrations/0005_saml_providers.sql: the same
-- table and columns, with the types mapped as 0001_init.sql describes.
-- name is unique per account without case, as role names are (name_lower,
-- COLLATE "C" so listings sort by bytes as in SQLite). metadata is the
-- IdP's metadata document as uploaded (up to 10,000,000 characters);
-- entity_id and valid_until are read from it when it is stored. uuid is
-- IAM's SAMLProviderUUID. Nodes running schema version 4 keep working on
-- this schema; they do not see the table.

CREATE TABLE saml_providers (
    id          text COLLATE "C" NOT NULL PRIMARY KEY,
    account_id  text COLLATE "C" NOT NULL REFERENCES accounts (id),
    uuid        text COLLATE "C" NOT NULL,
    name        text COLLATE "C" NOT NULL,
    name_lower  text COLLATE "C" NOT NULL,
    metadata    text             NOT NULL,
    entity_id   text COLLATE "C" NOT NULL,
    valid_until timestamptz      NOT NULL,
    tags        text             NOT NULL DEFAULT '[]',
    created_at  timestamptz      NOT NULL,
    UNIQUE (account_id, name_lower)
);
