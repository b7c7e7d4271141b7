-- power_profiles are the named power settings ("eco", "night") that desired
-- states and schedules refer to by name: a mode, default watts, and the
-- watts of particular models as a JSON object keyed by model string.
CREATE TABLE power_profiles (
	name        TEXT NOT NULL PRIMARY KEY,
	description TEXT NOT NULL DEFAULT '',
	mode        TEXT NOT NULL CHECK (mode IN ('max', 'target', 'eco', 'sleep')),
	watts       REAL NOT NULL DEFAULT 0,
	model_watts TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(model_watts)),
	updated_at  TEXT NOT NULL
) STRICT;
