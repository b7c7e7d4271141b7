-- power_requests hold what each signal source (an operator's override,
-- an OpenADR event, the price response, a plain signal, an aggregator,
-- a fail-safe) asks of a site's power, so that an event in progress
-- survives a restart. A source replaces its own request by (source,
-- site, id); end_at NULL means until withdrawn.
CREATE TABLE power_requests (
	source        TEXT NOT NULL,
	site          TEXT NOT NULL,
	id            TEXT NOT NULL,
	kind          TEXT NOT NULL CHECK (kind IN ('limit', 'shed', 'resume')),
	limit_w       DOUBLE PRECISION NOT NULL DEFAULT 0,
	shed_fraction DOUBLE PRECISION NOT NULL DEFAULT 0,
	start_at      TIMESTAMPTZ NOT NULL,
	end_at        TIMESTAMPTZ,
	reason        TEXT NOT NULL DEFAULT '',
	created_by    TEXT NOT NULL DEFAULT '',
	created_at    TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (source, site, id)
);

CREATE INDEX power_requests_site ON power_requests (site, start_at);

-- A site's ramp limits bound how fast the power controller moves its
-- power, in watts per minute; 0 means no limit.
ALTER TABLE sites ADD COLUMN ramp_up_w_per_min DOUBLE PRECISION NOT NULL DEFAULT 0;
ALTER TABLE sites ADD COLUMN ramp_down_w_per_min DOUBLE PRECISION NOT NULL DEFAULT 0;
