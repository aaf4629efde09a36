-- 0006_signing_keys: OpenSTS as an OpenID Connect issuer (roles-spec §6.4):
-- the keys web identity tokens are signed with, and each account's
-- outbound web identity federation switch, for PostgreSQL.
--
-- This file mirrors sqlite/migrations/0006_signing_keys.sql: the same
-- tables and columns, with the types mapped as 0001_init.sql describes.
-- signing_keys is the key set in the order the last update wrote it, as
-- token_keys is; UpdateSigningKeys locks the table, so concurrent
-- rotations queue. id is the JWK kid (16 base32 characters); sealed is the
-- PKCS#8 private key sealed under the master key; public the PKIX DER
-- public key; retired_at and expires_at are NULL while a key is current.
--
-- outbound_federation has a row per account whose switch was ever turned
-- on; changed_at is when enabled last changed. Nodes running schema
-- version 5 keep working on this schema; they do not see the tables.

CREATE TABLE signing_keys (
    id         text COLLATE "C" NOT NULL PRIMARY KEY,
    position   integer          NOT NULL,
    algorithm  text COLLATE "C" NOT NULL,
    sealed     bytea            NOT NULL,
    public     bytea            NOT NULL,
    created_at timestamptz      NOT NULL,
    active_at  timestamptz      NOT NULL,
    retired_at timestamptz,
    expires_at timestamptz
);

CREATE TABLE outbound_federation (
    account_id text COLLATE "C" NOT NULL PRIMARY KEY REFERENCES accounts (id),
    enabled    boolean          NOT NULL,
    changed_at timestamptz      NOT NULL
);
