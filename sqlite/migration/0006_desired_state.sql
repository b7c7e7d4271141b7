-- desired_state holds what each site, group or miner should be (pools,
-- power, fans, fault light) as JSON, pool passwords sealed. One row per
-- scope; the reconciler merges them miner over group over site.
CREATE TABLE desired_state (
	scope_kind TEXT    NOT NULL CHECK (scope_kind IN ('site', 'group', 'miner')),
	scope_id   TEXT    NOT NULL,
	priority   INTEGER NOT NULL DEFAULT 0,
	state      TEXT    NOT NULL CHECK (json_valid(state)),
	updated_at TEXT    NOT NULL,
	PRIMARY KEY (scope_kind, scope_id)
) STRICT;

-- command_journal records every command before it is sent, so that a
-- restart knows what was in flight: pending (never sent), sent (maybe
-- applied), applied or failed. Actions are redacted.
CREATE TABLE command_journal (
	id             INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
	miner_id       TEXT    NOT NULL,
	verb           TEXT    NOT NULL,
	action         TEXT    NOT NULL CHECK (json_valid(action)),
	idempotent     INTEGER NOT NULL,
	state          TEXT    NOT NULL CHECK (state IN ('pending', 'sent', 'applied', 'failed')),
	attempts       INTEGER NOT NULL DEFAULT 0,
	actor          TEXT    NOT NULL DEFAULT '',
	error          TEXT    NOT NULL DEFAULT '',
	code           TEXT    NOT NULL DEFAULT '',
	uptime_at_send INTEGER NOT NULL DEFAULT 0,
	created_at     TEXT    NOT NULL,
	sent_at        TEXT,
	updated_at     TEXT    NOT NULL
) STRICT;

CREATE INDEX command_journal_open ON command_journal (state) WHERE state IN ('pending', 'sent');
CREATE INDEX command_journal_miner ON command_journal (miner_id, id);
