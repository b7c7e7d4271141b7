-- Schema v1: the miner inventory, API tokens and small settings.
-- Times are UTC text (2006-01-02T15:04:05.000000000Z); NULL means never.

-- miners is the inventory. A machine is known by its address and port; the
-- id is what URLs and metric labels use and never changes.
CREATE TABLE miners (
	id         TEXT    NOT NULL PRIMARY KEY,
	address    TEXT    NOT NULL COLLATE NOCASE, -- DNS names and IPv6 hex ignore case
	port       INTEGER NOT NULL DEFAULT 0 CHECK (port BETWEEN 0 AND 65535),     -- 0: the family's default
	web_port   INTEGER NOT NULL DEFAULT 0 CHECK (web_port BETWEEN 0 AND 65535), -- 0: 80
	family     TEXT    NOT NULL,
	firmware   TEXT    NOT NULL DEFAULT '',
	model      TEXT    NOT NULL DEFAULT '',
	serial     TEXT    NOT NULL DEFAULT '',
	mac        TEXT    NOT NULL DEFAULT '',
	hostname   TEXT    NOT NULL DEFAULT '',
	site       TEXT    NOT NULL DEFAULT '', -- '': the default site
	tags       TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(tags) AND json_type(tags) = 'array'),
	created_at TEXT    NOT NULL,
	updated_at TEXT    NOT NULL,
	UNIQUE (address, port)
) STRICT;

-- Listing by site or family is ordered by id, so the indexes end with it.
CREATE INDEX miners_site_id ON miners (site, id);
CREATE INDEX miners_family_id ON miners (family, id);

-- tokens are API credentials. Only the SHA-256 of the secret is kept;
-- AUTOINCREMENT keeps a revoked token's id from ever naming another token.
CREATE TABLE tokens (
	id           INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
	name         TEXT    NOT NULL,
	hash         BLOB    NOT NULL UNIQUE CHECK (length(hash) = 32),
	prefix       TEXT    NOT NULL,
	created_at   TEXT    NOT NULL,
	last_used_at TEXT
) STRICT;

-- settings holds small pieces of state that are not worth a table, such as
-- whether the first admin token has been made.
CREATE TABLE settings (
	key        TEXT NOT NULL PRIMARY KEY,
	value      TEXT NOT NULL,
	updated_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;
