-- 0004_oidc_providers: IAM OpenID Connect identity providers (roles-spec
-- §3.3), for PostgreSQL.
--
-- This file mirrors sqlite/migrations/0004_oidc_providers.sql: the same
-- table and columns, with the types mapped as 0001_init.sql describes.
-- url is the issuer with its https:// scheme, compared exactly (case
-- included, COLLATE "C" so listings sort by bytes as in SQLite): one
-- provider per url per account. client_ids and thumbprints are JSON arrays
-- in the order they were given, tags a JSON array like the other tables'
-- tags. Nodes running schema version 3 keep working on this schema; they
-- do not see the table.

CREATE TABLE oidc_providers (
    id          text COLLATE "C" NOT NULL PRIMARY KEY,
    account_id  text COLLATE "C" NOT NULL REFERENCES accounts (id),
    url         text COLLATE "C" NOT NULL,
    client_ids  text             NOT NULL DEFAULT '[]',
    thumbprints text             NOT NULL DEFAULT '[]',
    tags        text             NOT NULL DEFAULT '[]',
    created_at  timestamptz      NOT NULL,
    UNIQUE (account_id, url)
);
