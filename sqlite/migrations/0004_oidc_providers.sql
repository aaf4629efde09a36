-- 0004_oidc_providers: IAM OpenID Connect identity providers (roles-spec
-- §3.3). PostgreSQL mirrors it as postgres/migrations/0004_oidc_providers.sql.
--
-- url is the issuer with its https:// scheme, compared exactly (case
-- included): one provider per url per account. client_ids and thumbprints
-- are JSON arrays in the order they were given, tags a JSON array like the
-- other tables' tags. Nodes running schema version 3 keep working on this
-- schema; they do not see the table.

CREATE TABLE oidc_providers (
    id          TEXT    NOT NULL PRIMARY KEY,
    account_id  TEXT    NOT NULL REFERENCES accounts (id),
    url         TEXT    NOT NULL,
    client_ids  TEXT    NOT NULL DEFAULT '[]',
    thumbprints TEXT    NOT NULL DEFAULT '[]',
    tags        TEXT    NOT NULL DEFAULT '[]',
    created_at  INTEGER NOT NULL,
    UNIQUE (account_id, url)
);
