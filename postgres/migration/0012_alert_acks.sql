-- alert_acks holds the acknowledgement state of alerts, one row per
-- alert fingerprint: alerts that switched their miner's fault light on
-- (located) from when they fire, and every alert someone acknowledged,
-- with who and when. since is when the alert's episode began, so that a
-- later firing locates again; light_off_at when the light went off after
-- the acknowledgement.
CREATE TABLE alert_acks (
	fingerprint  TEXT NOT NULL PRIMARY KEY,
	name         TEXT NOT NULL,
	miner_id     TEXT NOT NULL DEFAULT '',
	located      BOOLEAN NOT NULL,
	since        TIMESTAMPTZ,
	acked_at     TIMESTAMPTZ,
	acked_by     TEXT NOT NULL DEFAULT '',
	light_off_at TIMESTAMPTZ
);

CREATE INDEX alert_acks_miner ON alert_acks (miner_id);
