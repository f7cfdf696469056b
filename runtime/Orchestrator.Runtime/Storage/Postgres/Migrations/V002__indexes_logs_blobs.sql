-- Orchestrator runtime schema, version 2 (PostgreSQL): index rows, logs, blobs. Re-runnable.

-- Rows grains write in the same commit as their state. The key compares bytewise (COLLATE "C"), so keyset
-- paging is ordinal and both indexes serve ORDER BY key. data is JSON text that is never queried inside.
CREATE TABLE IF NOT EXISTS orch_index (
    kind       text NOT NULL,
    part       text NOT NULL,
    key        text COLLATE "C" NOT NULL,
    status     int NOT NULL,
    data       text NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (kind, part, key)
);
CREATE INDEX IF NOT EXISTS orch_index_status ON orch_index (kind, part, status, key);

-- Output logs, one partition per UTC day of the writer's clock (created on demand as orch_log_yyyymmdd), so that
-- retention drops whole partitions. A resent chunk carries the same instant, so (day, stream, seq) dedupes it.
CREATE TABLE IF NOT EXISTS orch_log (
    day     date NOT NULL,
    stream  text NOT NULL,
    seq     bigint NOT NULL,
    at      timestamptz NOT NULL,
    channel text NOT NULL,
    text    text NOT NULL,
    bytes   int NOT NULL,
    PRIMARY KEY (day, stream, seq)
) PARTITION BY RANGE (day);
CREATE INDEX IF NOT EXISTS orch_log_stream_seq ON orch_log (stream, seq);

-- Per stream: bytes of the chunks kept (the cap applies to these), rows stored, whether the cap was hit, and the
-- last day written (a stream whose days were all dropped is forgotten with them).
CREATE TABLE IF NOT EXISTS orch_log_stream (
    stream    text PRIMARY KEY,
    bytes     bigint NOT NULL DEFAULT 0,
    chunks    bigint NOT NULL DEFAULT 0,
    truncated boolean NOT NULL DEFAULT false,
    last_day  date NULL
);

-- Content-addressed files (lowercase hex SHA-256 of the content).
CREATE TABLE IF NOT EXISTS orch_blob (
    sha256     text PRIMARY KEY,
    size       bigint NOT NULL,
    data       bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
