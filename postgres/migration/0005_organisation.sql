-- Schema v5: the organisation of a fleet. Sites with their electrical
-- facts, groups of miners, and where each miner physically sits; the same
-- tables as SQLite's 0005_organisation.sql in PostgreSQL's dialect.
-- Power is in watts and currents in amperes; 0 means not recorded.

CREATE TABLE sites (
	name             TEXT COLLATE "C" NOT NULL PRIMARY KEY,
	description      TEXT             NOT NULL DEFAULT '',
	power_budget_w   DOUBLE PRECISION NOT NULL DEFAULT 0 CHECK (power_budget_w >= 0),
	voltage_v        DOUBLE PRECISION NOT NULL DEFAULT 0 CHECK (voltage_v >= 0),
	phases           INTEGER          NOT NULL DEFAULT 0 CHECK (phases IN (0, 1, 3)),
	main_breaker_a   DOUBLE PRECISION NOT NULL DEFAULT 0 CHECK (main_breaker_a >= 0),
	pdu_limit_a      DOUBLE PRECISION NOT NULL DEFAULT 0 CHECK (pdu_limit_a >= 0),
	pdu_limit_w      DOUBLE PRECISION NOT NULL DEFAULT 0 CHECK (pdu_limit_w >= 0),
	time_zone        TEXT             NOT NULL DEFAULT '', -- IANA name; '': UTC
	created_at       TIMESTAMPTZ      NOT NULL,
	updated_at       TIMESTAMPTZ      NOT NULL
);

-- Every site miners already name becomes a site with no facts recorded,
-- so that "a miner's site exists" holds from this version on. The default
-- site ('') has no row. Timestamps are cut to microseconds like every
-- time hearth writes.
INSERT INTO sites (name, created_at, updated_at)
	SELECT DISTINCT site, date_trunc('microseconds', now()), date_trunc('microseconds', now())
	FROM miners WHERE site <> '';

CREATE TABLE miner_groups (
	name        TEXT COLLATE "C" NOT NULL PRIMARY KEY,
	description TEXT        NOT NULL DEFAULT '',
	created_at  TIMESTAMPTZ NOT NULL,
	updated_at  TIMESTAMPTZ NOT NULL
);

-- group_members ties miners to groups; removing either removes the tie.
CREATE TABLE group_members (
	group_name TEXT COLLATE "C" NOT NULL REFERENCES miner_groups (name) ON DELETE CASCADE,
	miner_id   TEXT COLLATE "C" NOT NULL REFERENCES miners (id) ON DELETE CASCADE,
	PRIMARY KEY (group_name, miner_id)
);

-- Listing a miner's groups, and the cascade on deleting a miner, go by
-- miner.
CREATE INDEX group_members_miner ON group_members (miner_id);

-- Where a miner sits in its site; '' means not recorded.
ALTER TABLE miners
	ADD COLUMN pos_row TEXT NOT NULL DEFAULT '',
	ADD COLUMN pos_rack TEXT NOT NULL DEFAULT '',
	ADD COLUMN pos_shelf TEXT NOT NULL DEFAULT '',
	ADD COLUMN pos_slot TEXT NOT NULL DEFAULT '';
