-- credentials are users and passwords for controlling miners, fleet-wide
-- per family, per site, or per miner ('' where a scope does not apply).
-- Passwords are sealed with the data directory's secret key (AES-256-GCM)
-- before they reach this table. "user" is quoted: it is a reserved word in
-- PostgreSQL, and the column keeps SQLite's name.
CREATE TABLE credentials (
	family     TEXT COLLATE "C" NOT NULL,
	site       TEXT COLLATE "C" NOT NULL DEFAULT '',
	miner_id   TEXT COLLATE "C" NOT NULL DEFAULT '',
	"user"     TEXT        NOT NULL,
	password   BYTEA       NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (family, site, miner_id)
);
