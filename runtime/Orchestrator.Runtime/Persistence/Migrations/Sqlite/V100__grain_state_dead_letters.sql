-- Orchestrator on Orleans, version 100 (SQLite): grain state of OrchestratorGrainStorage and parked outbox messages.
-- Instants are Unix milliseconds (UTC). Re-runnable. The old runtime never reads these tables.

-- One row per grain state (Orleans' stateName). ETag = version as a decimal string. state is the JSON text as
-- written (TEXT: readable with the sqlite3 shell; NUL and lone surrogates stay escaped inside it). Text compares
-- bytewise (BINARY), so key prefixes are ranges.
CREATE TABLE IF NOT EXISTS orch_grain (
    grain_type TEXT NOT NULL, grain_key TEXT NOT NULL, state_name TEXT NOT NULL, version INTEGER NOT NULL,
    state TEXT NOT NULL, updated_at INTEGER NOT NULL, PRIMARY KEY (grain_type, grain_key, state_name)) WITHOUT ROWID;

-- Parked outbox messages; one row per (target, dedupe key). AUTOINCREMENT: ids are never reused after a delete.
CREATE TABLE IF NOT EXISTS orch_dead_letters (
    id INTEGER PRIMARY KEY AUTOINCREMENT, sender_type TEXT NOT NULL, sender_key TEXT NOT NULL,
    target_type TEXT NOT NULL, target_key TEXT NOT NULL, interface TEXT NOT NULL, method TEXT NOT NULL,
    args TEXT NOT NULL, dedupe_key TEXT NOT NULL, error TEXT NOT NULL, attempts INTEGER NOT NULL,
    first_sent_at INTEGER NOT NULL, parked_at INTEGER NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS orch_dead_letters_message ON orch_dead_letters (target_type, target_key, dedupe_key);
CREATE INDEX IF NOT EXISTS orch_dead_letters_target ON orch_dead_letters (target_key, id);
