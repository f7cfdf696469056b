-- Orleans reminders on SQLite, read and written by our SqliteReminderTable (OrleansReminders/), migration 201.
-- Re-runnable: every statement is idempotent.

-- One row per (service, grain, reminder name). The ETag is the version, as a decimal string; it moves on every upsert.
CREATE TABLE IF NOT EXISTS orch_reminder_entry (
    service_id    TEXT    NOT NULL,
    grain_id      TEXT    NOT NULL, -- GrainId.ToString(), e.g. "schedule/nightly"
    reminder_name TEXT    NOT NULL,
    grain_hash    INTEGER NOT NULL, -- GrainId.GetUniformHashCode(), unsigned: 0 .. 4294967295
    start_time_ms INTEGER NOT NULL, -- when the first tick was due, Unix milliseconds (UTC)
    period_ms     INTEGER NOT NULL,
    version       INTEGER NOT NULL,
    PRIMARY KEY (service_id, grain_id, reminder_name)
) WITHOUT ROWID;

-- The silo reads the reminders of its hash range of the ring.
CREATE INDEX IF NOT EXISTS orch_reminder_entry_by_hash ON orch_reminder_entry (service_id, grain_hash);
