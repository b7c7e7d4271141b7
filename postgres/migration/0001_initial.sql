-- Schema v1: the miner inventory, API tokens and small settings; the same
-- tables as SQLite's 0001_initial.sql in PostgreSQL's dialect.
-- Text that is sorted or compared as a key uses COLLATE "C", so that
-- listings come out in byte order, as they do from SQLite, whatever the
-- database's locale.

-- miners is the inventory. A machine is known by its address and port; the
-- id is what URLs and metric labels use and never changes.
CREATE TABLE miners (
	id         TEXT COLLATE "C" NOT NULL PRIMARY KEY,
	address    TEXT        NOT NULL,
	port       INTEGER     NOT NULL DEFAULT 0 CHECK (port BETWEEN 0 AND 65535),     -- 0: the family's default
	web_port   INTEGER     NOT NULL DEFAULT 0 CHECK (web_port BETWEEN 0 AND 65535), -- 0: 80
	family     TEXT COLLATE "C" NOT NULL,
	firmware   TEXT        NOT NULL DEFAULT '',
	model      TEXT        NOT NULL DEFAULT '',
	serial     TEXT        NOT NULL DEFAULT '',
	mac        TEXT        NOT NULL DEFAULT '',
	hostname   TEXT        NOT NULL DEFAULT '',
	site       TEXT COLLATE "C" NOT NULL DEFAULT '', -- '': the default site
	tags       JSONB       NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(tags) = 'array'),
	created_at TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL
);

-- DNS names and IPv6 hex ignore case, as SQLite's COLLATE NOCASE does.
CREATE UNIQUE INDEX miners_address_port ON miners (lower(address), port);

-- Listing by site or family is ordered by id, so the indexes end with it.
CREATE INDEX miners_site_id ON miners (site, id);
CREATE INDEX miners_family_id ON miners (family, id);

-- tokens are API credentials. Only the SHA-256 of the secret is kept; an
-- identity column never hands a revoked token's id to another token.
CREATE TABLE tokens (
	id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	name         TEXT        NOT NULL,
	hash         BYTEA       NOT NULL UNIQUE CHECK (octet_length(hash) = 32),
	prefix       TEXT        NOT NULL,
	created_at   TIMESTAMPTZ NOT NULL,
	last_used_at TIMESTAMPTZ
);

-- settings holds small pieces of state that are not worth a table, such as
-- whether the first admin token has been made.
CREATE TABLE settings (
	key        TEXT        NOT NULL PRIMARY KEY,
	value      TEXT        NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL
);
