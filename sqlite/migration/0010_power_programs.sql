-- power_programs are the configured signal sources of the power
-- controller: an OpenADR VTN, a price feed, an MQTT topic, an
-- aggregating hearth. settings hold the kind's own settings as JSON;
-- secret is sealed with the data directory's key (empty when none).
CREATE TABLE power_programs (
	name            TEXT NOT NULL PRIMARY KEY,
	kind            TEXT NOT NULL,
	sites           TEXT NOT NULL CHECK (json_valid(sites)),
	fail_mode       TEXT NOT NULL CHECK (fail_mode IN ('hold', 'curtail', 'resume')),
	silent_after_ns INTEGER NOT NULL DEFAULT 0,
	enabled         INTEGER NOT NULL,
	settings        TEXT CHECK (settings IS NULL OR json_valid(settings)),
	secret          BLOB,
	created_at      TEXT NOT NULL,
	updated_at      TEXT NOT NULL
) STRICT;
