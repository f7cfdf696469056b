-- Orchestrator runtime schema, version 1 (SQLite). Instants are Unix milliseconds (UTC). Re-runnable.
CREATE TABLE IF NOT EXISTS orch_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE IF NOT EXISTS orch_silo (
    silo_id TEXT PRIMARY KEY, name TEXT NOT NULL, address TEXT NOT NULL, generation INTEGER NOT NULL,
    status INTEGER NOT NULL, started_at INTEGER NOT NULL, heartbeat_at INTEGER NOT NULL);

CREATE TABLE IF NOT EXISTS orch_membership_version (id INTEGER PRIMARY KEY, version INTEGER NOT NULL);
INSERT OR IGNORE INTO orch_membership_version (id, version) VALUES (1, 0);

CREATE TABLE IF NOT EXISTS orch_shard_lease (
    shard_id INTEGER PRIMARY KEY, owner_silo TEXT NULL, epoch INTEGER NOT NULL DEFAULT 0, lease_expires_at INTEGER NULL);

CREATE TABLE IF NOT EXISTS orch_grain_state (
    grain_type TEXT NOT NULL, grain_key TEXT NOT NULL, shard_id INTEGER NOT NULL, version INTEGER NOT NULL,
    epoch INTEGER NOT NULL, state BLOB NULL, updated_at INTEGER NOT NULL, PRIMARY KEY (grain_type, grain_key));

-- Dedupe keys outlive their messages (a resend after the message was applied is still refused); purged by age.
CREATE TABLE IF NOT EXISTS orch_dedupe (
    grain_type TEXT NOT NULL, grain_key TEXT NOT NULL, dedupe_key TEXT NOT NULL, created_at INTEGER NOT NULL,
    PRIMARY KEY (grain_type, grain_key, dedupe_key)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS orch_dedupe_age ON orch_dedupe (created_at);

-- Messages not yet applied. status: 0 pending, 2 dead letter; applying deletes the row. AUTOINCREMENT: ids never reused.
CREATE TABLE IF NOT EXISTS orch_inbox (
    msg_id INTEGER PRIMARY KEY AUTOINCREMENT, shard_id INTEGER NOT NULL, grain_type TEXT NOT NULL,
    grain_key TEXT NOT NULL, dedupe_key TEXT NOT NULL, payload BLOB NOT NULL, status INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0, enqueued_at INTEGER NOT NULL, visible_at INTEGER NOT NULL, error TEXT NULL);
CREATE INDEX IF NOT EXISTS orch_inbox_dead ON orch_inbox (msg_id) WHERE status = 2;

CREATE TABLE IF NOT EXISTS orch_reminder (
    grain_type TEXT NOT NULL, grain_key TEXT NOT NULL, name TEXT NOT NULL, shard_id INTEGER NOT NULL,
    kind INTEGER NOT NULL, period_ms INTEGER NOT NULL, anchor INTEGER NOT NULL, cron TEXT NOT NULL,
    time_zone TEXT NOT NULL, misfire INTEGER NOT NULL, next_due INTEGER NOT NULL, last_due INTEGER NULL,
    version INTEGER NOT NULL, PRIMARY KEY (grain_type, grain_key, name));
CREATE INDEX IF NOT EXISTS orch_reminder_due ON orch_reminder (shard_id, next_due);
