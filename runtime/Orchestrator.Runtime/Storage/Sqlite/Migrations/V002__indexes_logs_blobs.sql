-- Orchestrator runtime schema, version 2 (SQLite): index rows, logs, blobs. Instants are Unix milliseconds. Re-runnable.

-- Rows grains write in the same commit as their state; text compares bytewise (BINARY), so key order is ordinal.
CREATE TABLE IF NOT EXISTS orch_index (
    kind TEXT NOT NULL, part TEXT NOT NULL, key TEXT NOT NULL, status INTEGER NOT NULL, data TEXT NULL,
    updated_at INTEGER NOT NULL, PRIMARY KEY (kind, part, key)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS orch_index_status ON orch_index (kind, part, status, key);

-- Output logs; day is the UTC day (yyyy-MM-dd) of the writer's clock, which retention deletes by.
CREATE TABLE IF NOT EXISTS orch_log (
    day TEXT NOT NULL, stream TEXT NOT NULL, seq INTEGER NOT NULL, at INTEGER NOT NULL, channel TEXT NOT NULL,
    text TEXT NOT NULL, bytes INTEGER NOT NULL, PRIMARY KEY (stream, seq)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS orch_log_day ON orch_log (day);

CREATE TABLE IF NOT EXISTS orch_log_stream (
    stream TEXT PRIMARY KEY, bytes INTEGER NOT NULL DEFAULT 0, chunks INTEGER NOT NULL DEFAULT 0,
    truncated INTEGER NOT NULL DEFAULT 0, last_day TEXT NULL);

CREATE TABLE IF NOT EXISTS orch_blob (
    sha256 TEXT PRIMARY KEY, size INTEGER NOT NULL, data BLOB NOT NULL, created_at INTEGER NOT NULL);
