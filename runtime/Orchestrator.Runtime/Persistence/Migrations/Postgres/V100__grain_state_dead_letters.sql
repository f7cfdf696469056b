-- Orchestrator on Orleans, version 100 (PostgreSQL): grain state of OrchestratorGrainStorage and parked outbox
-- messages. Re-runnable: every statement is idempotent. The old runtime never reads these tables (its own
-- orch_grain_state keeps serving it until the switch; the two never share a schema at run time).

-- One row per grain state (Orleans' stateName: a grain may hold several). ETag = version as a decimal string: an
-- insert starts at 1, every write adds 1, a write is applied only at the version it read (optimistic concurrency).
-- state is the System.Text.Json text of the state, stored as text, not jsonb or json:
--   * jsonb refuses \u0000 inside strings (its text cannot hold NUL) and lone-surrogate escapes (\uD800), which a
--     cut-off agent output or user string may carry: a state must never be refused for its content;
--   * json would keep them, but parses every write again on the server for no gain (we never query inside state);
--   * text keeps the JSON exactly as written (bytea would not: a support engineer would need convert_from), so it
--     reads as is (SELECT state FROM orch_grain ...), and state::json / state::jsonb still query into it.
-- grain_key compares bytewise (COLLATE "C"): prefix scans over keys (an instance and its steps and targets) are ranges.
CREATE TABLE IF NOT EXISTS orch_grain (
    grain_type text NOT NULL,
    grain_key  text COLLATE "C" NOT NULL,
    state_name text NOT NULL,
    version    bigint NOT NULL,
    state      text NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (grain_type, grain_key, state_name)
) WITH (fillfactor = 70);

-- Outbox messages that kept failing, parked for an operator to see and replay (ARCHITECTURE G7). One row per
-- (target, dedupe key): parking the same message again (a sender that crashed before forgetting it) updates it.
CREATE TABLE IF NOT EXISTS orch_dead_letters (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sender_type   text NOT NULL,
    sender_key    text NOT NULL,
    target_type   text NOT NULL,
    target_key    text COLLATE "C" NOT NULL,
    interface     text NOT NULL,
    method        text NOT NULL,
    args          text NOT NULL,
    dedupe_key    text NOT NULL,
    error         text NOT NULL,
    attempts      int NOT NULL,
    first_sent_at timestamptz NOT NULL,
    parked_at     timestamptz NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS orch_dead_letters_message ON orch_dead_letters (target_type, target_key, dedupe_key);
CREATE INDEX IF NOT EXISTS orch_dead_letters_target ON orch_dead_letters (target_key, id);
