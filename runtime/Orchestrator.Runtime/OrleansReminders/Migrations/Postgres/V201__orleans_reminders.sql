-- Orleans reminders on PostgreSQL (Microsoft.Orleans.Reminders.AdoNet 10.4.2, invariant "Npgsql"), migration 201.
-- Our own schema and query texts, written from the provider's contract (ProviderSchema/README.md; each query's
-- parameters and result columns are described above its text). Re-runnable: every statement is idempotent. The
-- provider knows only the query keys; the table is ours.

-- Shared with the membership queries (Clustering/); see there.
CREATE TABLE IF NOT EXISTS orleansquery (
    querykey  varchar(64) PRIMARY KEY,
    querytext text        NOT NULL
);

-- One row per (service, grain, reminder name). The ETag is the version, as a decimal string; it moves on every upsert.
CREATE TABLE IF NOT EXISTS orch_reminder_entry (
    service_id    text        NOT NULL,
    grain_id      text        NOT NULL, -- GrainId.ToString(), e.g. "schedule/nightly"
    reminder_name text        NOT NULL,
    grain_hash    integer     NOT NULL, -- GrainId.GetUniformHashCode(), a uint stored in a signed int's bits (the provider's convention)
    start_time    timestamptz NOT NULL, -- when the first tick was due
    period_ms     bigint      NOT NULL,
    version       integer     NOT NULL,
    PRIMARY KEY (service_id, grain_id, reminder_name)
);

-- Each silo reads the reminders of its hash range of the ring.
CREATE INDEX IF NOT EXISTS orch_reminder_entry_by_hash ON orch_reminder_entry (service_id, grain_hash);

INSERT INTO orleansquery (querykey, querytext) VALUES

-- A grain's reminders.
('ReadReminderRowsKey', $q$
SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", start_time AS "StartTime", period_ms AS "Period", version AS "Version"
FROM orch_reminder_entry
WHERE service_id = @ServiceId AND grain_id = @GrainId
$q$),

-- One reminder (no row when there is none).
('ReadReminderRowKey', $q$
SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", start_time AS "StartTime", period_ms AS "Period", version AS "Version"
FROM orch_reminder_entry
WHERE service_id = @ServiceId AND grain_id = @GrainId AND reminder_name = @ReminderName
$q$),

-- The range (@BeginHash, @EndHash] when it does not wrap in signed order: the provider picks this query when
-- (int)begin < (int)end, and passes both bounds as signed ints, like grain_hash.
('ReadRangeRows1Key', $q$
SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", start_time AS "StartTime", period_ms AS "Period", version AS "Version"
FROM orch_reminder_entry
WHERE service_id = @ServiceId AND grain_hash > @BeginHash AND grain_hash <= @EndHash
$q$),

-- The range that wraps in signed order ((int)begin >= (int)end): above @BeginHash or up to @EndHash. begin = end is the
-- whole ring.
('ReadRangeRows2Key', $q$
SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", start_time AS "StartTime", period_ms AS "Period", version AS "Version"
FROM orch_reminder_entry
WHERE service_id = @ServiceId AND (grain_hash > @BeginHash OR grain_hash <= @EndHash)
$q$),

-- Inserts or replaces a reminder. Result: one row, column "Version": the new ETag.
('UpsertReminderRowKey', $q$
INSERT INTO orch_reminder_entry AS r (service_id, grain_id, reminder_name, grain_hash, start_time, period_ms, version)
VALUES (@ServiceId, @GrainId, @ReminderName, @GrainHash, @StartTime, @Period, 0)
ON CONFLICT (service_id, grain_id, reminder_name) DO UPDATE
SET grain_hash = EXCLUDED.grain_hash,
    start_time = EXCLUDED.start_time,
    period_ms  = EXCLUDED.period_ms,
    version    = CASE WHEN r.version = 2147483647 THEN 0 ELSE r.version + 1 END
RETURNING version AS "Version"
$q$),

-- Removes a reminder if its ETag is still @Version. Result: one boolean column, true when a row was removed.
('DeleteReminderRowKey', $q$
WITH removed AS (
    DELETE FROM orch_reminder_entry
    WHERE service_id = @ServiceId AND grain_id = @GrainId AND reminder_name = @ReminderName AND version = @Version
    RETURNING 1
)
SELECT count(*) = 1 FROM removed
$q$),

-- Removes every reminder of the service (TestOnlyClearTable).
('DeleteReminderRowsKey', $q$
DELETE FROM orch_reminder_entry WHERE service_id = @ServiceId
$q$)

ON CONFLICT (querykey) DO UPDATE SET querytext = EXCLUDED.querytext;
