-- receivers are where alert notifications go: a webhook, an
-- Alertmanager, an e-mail address, a chat. route holds the receiver's
-- matchers, grouping and timings as JSON; settings the kind's own
-- settings; secret is sealed with the data directory's key.
CREATE TABLE receivers (
	name       TEXT NOT NULL PRIMARY KEY,
	kind       TEXT NOT NULL,
	enabled    BOOLEAN NOT NULL,
	route      JSONB NOT NULL,
	settings   JSONB,
	secret     BYTEA,
	created_at TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL
);

-- silences mute the alerts their matchers (JSON) select between
-- starts_at and ends_at.
CREATE TABLE silences (
	id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	matchers   JSONB NOT NULL,
	starts_at  TIMESTAMPTZ NOT NULL,
	ends_at    TIMESTAMPTZ NOT NULL,
	created_by TEXT NOT NULL DEFAULT '',
	comment    TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX silences_ends_at ON silences (ends_at);

-- alert_history has one row per change of an alert's state: it fired or
-- it resolved, at "at". The latest row of a fingerprint tells whether
-- the alert is open. value is NULL when the expression gave NaN.
CREATE TABLE alert_history (
	id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	fingerprint TEXT NOT NULL,
	name        TEXT NOT NULL,
	labels      JSONB NOT NULL,
	annotations JSONB,
	state       TEXT NOT NULL CHECK (state IN ('firing', 'resolved')),
	value       DOUBLE PRECISION,
	at          TIMESTAMPTZ NOT NULL,
	active_at   TIMESTAMPTZ
);

CREATE INDEX alert_history_at ON alert_history (at);
CREATE INDEX alert_history_fingerprint ON alert_history (fingerprint, id);
