-- audit records every control action: who asked, what (secrets already
-- redacted), when, on which miners, and what came of it. Results are kept
-- as JSON, one object per miner, because they are read back whole.
CREATE TABLE audit (
	id       INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
	time     TEXT    NOT NULL,
	actor    TEXT    NOT NULL,
	verb     TEXT    NOT NULL,
	action   TEXT    NOT NULL CHECK (json_valid(action)),
	selector TEXT    NOT NULL,
	results  TEXT    NOT NULL CHECK (json_valid(results))
) STRICT;

CREATE INDEX audit_time ON audit (time);
