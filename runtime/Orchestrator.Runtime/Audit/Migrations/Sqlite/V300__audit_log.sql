-- Orchestrator, version 300 (SQLite): the audit log (Audit/). Instants are Unix milliseconds (UTC). Re-runnable.
-- Versions 300-399 belong to the audit log. One row per state-changing API request, accepted or refused; never a
-- body, header or query string. Rows are only appended (retention is a later issue). Reads are newest first (id
-- descending) under one filter or a few; each index serves one filter with the id order, at serves the time range.
-- Text compares bytewise (BINARY), so an object's parts (ti-1/steps/2) are a range after its id.
CREATE TABLE IF NOT EXISTS orch_audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, who TEXT NOT NULL, action TEXT NOT NULL,
    object_kind TEXT NULL, object_id TEXT NULL, method TEXT NOT NULL, route TEXT NOT NULL, status INTEGER NOT NULL,
    problem TEXT NULL, address TEXT NULL, trace_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS orch_audit_who ON orch_audit (who, id);
CREATE INDEX IF NOT EXISTS orch_audit_object ON orch_audit (object_kind, object_id, id);
CREATE INDEX IF NOT EXISTS orch_audit_action ON orch_audit (action, id);
CREATE INDEX IF NOT EXISTS orch_audit_at ON orch_audit (at, id);
