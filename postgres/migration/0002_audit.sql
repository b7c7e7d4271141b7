-- audit records every control action: who asked, what (secrets already
-- redacted), when, on which miners, and what came of it. Results are kept
-- as JSON, one object per miner, because they are read back whole.
CREATE TABLE audit (
	id       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	time     TIMESTAMPTZ NOT NULL,
	actor    TEXT        NOT NULL,
	verb     TEXT        NOT NULL,
	action   JSONB       NOT NULL CHECK (jsonb_typeof(action) = 'object'),
	selector TEXT        NOT NULL,
	results  JSONB       NOT NULL CHECK (jsonb_typeof(results) = 'array')
);

CREATE INDEX audit_time ON audit (time);
