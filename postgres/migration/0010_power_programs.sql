-- power_programs are the configured signal sources of the power
-- controller: an OpenADR VTN, a price feed, an MQTT topic, an
-- aggregating hearth. settings hold the kind's own settings as JSON;
-- secret is sealed with the data directory's key (empty when none).
CREATE TABLE power_programs (
	name            TEXT NOT NULL PRIMARY KEY,
	kind            TEXT NOT NULL,
	sites           JSONB NOT NULL,
	fail_mode       TEXT NOT NULL CHECK (fail_mode IN ('hold', 'curtail', 'resume')),
	silent_after_ns BIGINT NOT NULL DEFAULT 0,
	enabled         BOOLEAN NOT NULL,
	settings        JSONB,
	secret          BYTEA,
	created_at      TIMESTAMPTZ NOT NULL,
	updated_at      TIMESTAMPTZ NOT NULL
);
