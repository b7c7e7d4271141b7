-- audit_miners indexes the audit log by miner: one row for every miner an
-- entry has a result for, so that "what was done to this miner?" reads a
-- few index entries instead of scanning every shared entry's results.
-- The primary key (miner_id, audit_id) finds a miner's entries newest
-- first; audit_miners_audit lets deleting an entry remove its rows.
CREATE TABLE audit_miners (
	miner_id TEXT   NOT NULL,
	audit_id BIGINT NOT NULL REFERENCES audit (id) ON DELETE CASCADE,
	PRIMARY KEY (miner_id, audit_id)
);

CREATE INDEX audit_miners_audit ON audit_miners (audit_id);

-- Entries written before this table existed: their miners come from the
-- results they hold.
INSERT INTO audit_miners (miner_id, audit_id)
SELECT DISTINCT r.value ->> 'miner_id', a.id
FROM audit a, jsonb_array_elements(a.results) AS r (value)
WHERE r.value ->> 'miner_id' <> '';
