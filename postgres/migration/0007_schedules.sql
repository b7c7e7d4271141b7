-- schedules change a site's, group's or miner's desired state during
-- windows of time: a one-off window (start_at to end_at) or a recurrence
-- kept as the text the user wrote, evaluated in time_zone. The change's
-- payload is JSON, NULL when its kind takes none.
CREATE TABLE schedules (
	id          TEXT        NOT NULL PRIMARY KEY,
	name        TEXT        NOT NULL,
	target_kind TEXT        NOT NULL CHECK (target_kind IN ('site', 'group', 'miner')),
	target_id   TEXT        NOT NULL,
	change_kind TEXT        NOT NULL,
	payload     JSONB,
	start_at    TIMESTAMPTZ,
	end_at      TIMESTAMPTZ,
	recurrence  TEXT        NOT NULL DEFAULT '',
	time_zone   TEXT        NOT NULL DEFAULT '',
	enabled     BOOLEAN     NOT NULL,
	created_at  TIMESTAMPTZ NOT NULL,
	updated_at  TIMESTAMPTZ NOT NULL
);
