-- Schema v5: the organisation of a fleet. Sites with their electrical
-- facts, groups of miners, and where each miner physically sits.
-- Power is in watts and currents in amperes; 0 means not recorded.

CREATE TABLE sites (
	name             TEXT NOT NULL PRIMARY KEY,
	description      TEXT NOT NULL DEFAULT '',
	power_budget_w   REAL NOT NULL DEFAULT 0 CHECK (power_budget_w >= 0),
	voltage_v        REAL NOT NULL DEFAULT 0 CHECK (voltage_v >= 0),
	phases           INTEGER NOT NULL DEFAULT 0 CHECK (phases IN (0, 1, 3)),
	main_breaker_a   REAL NOT NULL DEFAULT 0 CHECK (main_breaker_a >= 0),
	pdu_limit_a      REAL NOT NULL DEFAULT 0 CHECK (pdu_limit_a >= 0),
	pdu_limit_w      REAL NOT NULL DEFAULT 0 CHECK (pdu_limit_w >= 0),
	time_zone        TEXT NOT NULL DEFAULT '', -- IANA name; '': UTC
	created_at       TEXT NOT NULL,
	updated_at       TEXT NOT NULL
) STRICT;

-- Every site miners already name becomes a site with no facts recorded,
-- so that "a miner's site exists" holds from this version on. The default
-- site ('') has no row.
INSERT INTO sites (name, created_at, updated_at)
	SELECT DISTINCT site, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
	FROM miners WHERE site != '';

CREATE TABLE miner_groups (
	name        TEXT NOT NULL PRIMARY KEY,
	description TEXT NOT NULL DEFAULT '',
	created_at  TEXT NOT NULL,
	updated_at  TEXT NOT NULL
) STRICT;

-- group_members ties miners to groups; removing either removes the tie.
CREATE TABLE group_members (
	group_name TEXT NOT NULL REFERENCES miner_groups (name) ON DELETE CASCADE,
	miner_id   TEXT NOT NULL REFERENCES miners (id) ON DELETE CASCADE,
	PRIMARY KEY (group_name, miner_id)
) STRICT;

-- Listing a miner's groups, and the cascade on deleting a miner, go by
-- miner.
CREATE INDEX group_members_miner ON group_members (miner_id);

-- Where a miner sits in its site; '' means not recorded.
ALTER TABLE miners ADD COLUMN pos_row TEXT NOT NULL DEFAULT '';
ALTER TABLE miners ADD COLUMN pos_rack TEXT NOT NULL DEFAULT '';
ALTER TABLE miners ADD COLUMN pos_shelf TEXT NOT NULL DEFAULT '';
ALTER TABLE miners ADD COLUMN pos_slot TEXT NOT NULL DEFAULT '';
