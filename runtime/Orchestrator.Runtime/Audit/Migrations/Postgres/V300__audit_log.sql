-- Orchestrator, version 300 (PostgreSQL): the audit log (Audit/). Re-runnable. Versions 300-399 belong to the audit log.
-- One row per state-changing API request, accepted or refused; never a body, header or query string. Rows are only
-- appended (retention is a later issue). Reads are newest first (id descending) under one filter or a few; each index
-- serves one filter with the id order, at serves the time range. object_id compares bytewise (COLLATE "C") so an
-- object's parts (ti-1/steps/2) are a range after its id.
CREATE TABLE IF NOT EXISTS orch_audit (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL,
    who         text NOT NULL,
    action      text NOT NULL,
    object_kind text NULL,
    object_id   text COLLATE "C" NULL,
    method      text NOT NULL,
    route       text NOT NULL,
    status      integer NOT NULL,
    problem     text NULL,
    address     text NULL,
    trace_id    text NOT NULL
);
CREATE INDEX IF NOT EXISTS orch_audit_who ON orch_audit (who, id);
CREATE INDEX IF NOT EXISTS orch_audit_object ON orch_audit (object_kind, object_id, id);
CREATE INDEX IF NOT EXISTS orch_audit_action ON orch_audit (action, id);
CREATE INDEX IF NOT EXISTS orch_audit_at ON orch_audit (at, id);
