-- Orchestrator runtime schema, version 3 (PostgreSQL): find log streams by name prefix. Re-runnable.

-- DeleteStreamsAsync selects the streams of a prefix as the range prefix <= stream < successor, which is a prefix
-- only in bytewise order; the primary key uses the database's collation, so this index compares with "C".
CREATE INDEX IF NOT EXISTS orch_log_stream_c ON orch_log_stream (stream COLLATE "C");
