-- 0006_signing_keys: OpenSTS as an OpenID Connect issuer (roles-spec §6.4):
-- the keys web identity tokens are signed with, and each account's
-- outbound web identity federation switch. PostgreSQL mirrors it as
-- postgres/migrations/0006_signing_keys.sql.
--
-- signing_keys is the key set in the order the last update wrote it, as
-- token_keys is. id is the JWK kid (16 base32 characters); sealed is the
-- PKCS#8 private key sealed under the master key; public the PKIX DER
-- public key. Times are microseconds; retired_at and expires_at are NULL
-- while a key is current.
--
-- outbound_federation has a row per account whose switch was ever turned
-- on; changed_at is when enabled last changed. Nodes running schema
-- version 5 keep working on this schema; they do not see the tables.

CREATE TABLE signing_keys (
    id         TEXT    NOT NULL PRIMARY KEY,
    position   INTEGER NOT NULL,
    algorithm  TEXT    NOT NULL,
    sealed     BLOB    NOT NULL,
    public     BLOB    NOT NULL,
    created_at INTEGER NOT NULL,
    active_at  INTEGER NOT NULL,
    retired_at INTEGER,
    expires_at INTEGER
);

CREATE TABLE outbound_federation (
    account_id TEXT    NOT NULL PRIMARY KEY REFERENCES accounts (id),
    enabled    INTEGER NOT NULL,
    changed_at INTEGER NOT NULL
);
