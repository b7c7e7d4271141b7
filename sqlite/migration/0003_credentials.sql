-- credentials are users and passwords for controlling miners, fleet-wide
-- per family, per site, or per miner ('' where a scope does not apply).
-- Passwords are sealed with the data directory's secret key (AES-256-GCM)
-- before they reach this table.
CREATE TABLE credentials (
	family     TEXT NOT NULL,
	site       TEXT NOT NULL DEFAULT '',
	miner_id   TEXT NOT NULL DEFAULT '',
	user       TEXT NOT NULL,
	password   BLOB NOT NULL,
	updated_at TEXT NOT NULL,
	PRIMARY KEY (family, site, miner_id)
) STRICT;
