-- power_profiles are the named power settings ("eco", "night") that desired
-- states and schedules refer to by name: a mode, default watts, and the
-- watts of particular models as a JSON object keyed by model string.
CREATE TABLE power_profiles (
	name        TEXT             NOT NULL PRIMARY KEY,
	description TEXT             NOT NULL DEFAULT '',
	mode        TEXT             NOT NULL CHECK (mode IN ('max', 'target', 'eco', 'sleep')),
	watts       DOUBLE PRECISION NOT NULL DEFAULT 0,
	model_watts JSONB            NOT NULL DEFAULT '{}',
	updated_at  TIMESTAMPTZ      NOT NULL
);
