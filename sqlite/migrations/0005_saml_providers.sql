-- 0005_saml_providers: IAM SAML 2.0 identity providers (roles-spec §4.2).
-- PostgreSQL mirrors it as postgres/migrations/0005_saml_providers.sql.
--
-- name is unique per account without case, as role names are (name_lower).
-- metadata is the IdP's metadata document as uploaded (up to 10,000,000
-- characters); entity_id and valid_until are read from it when it is
-- stored. uuid is IAM's SAMLProviderUUID. tags a JSON array like the other
-- tables' tags. Nodes running schema version 4 keep working on this schema;
-- they do not see the table.

CREATE TABLE saml_providers (
    id          TEXT    NOT NULL PRIMARY KEY,
    account_id  TEXT    NOT NULL REFERENCES accounts (id),
    uuid        TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    name_lower  TEXT    NOT NULL,
    metadata    TEXT    NOT NULL,
    entity_id   TEXT    NOT NULL,
    valid_until INTEGER NOT NULL,
    tags        TEXT    NOT NULL DEFAULT '[]',
    created_at  INTEGER NOT NULL,
    UNIQUE (account_id, name_lower)
);
