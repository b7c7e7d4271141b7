-- receivers are where alert notifications go: a webhook, an
-- Alertmanager, an e-mail address, a chat. route holds the receiver's
-- matchers, grouping and timings as JSON; settings the kind's own
-- settings; secret is sealed with the data directory's key.
CREATE TABLE receivers (
	name       TEXT NOT NULL PRIMARY KEY,
	kind       TEXT NOT NULL,
	enabled    INTEGER NOT NULL,
	route      TEXT NOT NULL CHECK (json_valid(route)),
	settings   TEXT CHECK (settings IS NULL OR json_valid(settings)),
	secret     BLOB,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
) STRICT;

-- silences mute the alerts their matchers (JSON) select between
-- starts_at and ends_at.
CREATE TABLE silences (
	id         INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
	matchers   TEXT NOT NULL CHECK (json_valid(matchers)),
	starts_at  TEXT NOT NULL,
	ends_at    TEXT NOT NULL,
	created_by TEXT NOT NULL DEFAULT '',
	comment    TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL
) STRICT;

CREATE INDEX silences_ends_at ON silences (ends_at);

-- alert_history has one row per change of an alert's state: it fired or
-- it resolved, at "at". The latest row of a fingerprint tells whether
-- the alert is open. value is NULL when the expression gave NaN.
CREATE TABLE alert_history (
	id          INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
	fingerprint TEXT NOT NULL,
	name        TEXT NOT NULL,
	labels      TEXT NOT NULL CHECK (json_valid(labels)),
	annotations TEXT CHECK (annotations IS NULL OR json_valid(annotations)),
	state       TEXT NOT NULL CHECK (state IN ('firing', 'resolved')),
	value       REAL,
	at          TEXT NOT NULL,
	active_at   TEXT
) STRICT;

CREATE INDEX alert_history_at ON alert_history (at);
CREATE INDEX alert_history_fingerprint ON alert_history (fingerprint, id);
