-- Orchestrator runtime schema, version 1 (PostgreSQL). Re-runnable: every statement is idempotent.
CREATE TABLE IF NOT EXISTS orch_meta (
    key   text PRIMARY KEY,
    value text NOT NULL
);

CREATE TABLE IF NOT EXISTS orch_silo (
    silo_id      text PRIMARY KEY,
    name         text NOT NULL,
    address      text NOT NULL,
    generation   bigint NOT NULL,
    status       smallint NOT NULL,
    started_at   timestamptz NOT NULL,
    heartbeat_at timestamptz NOT NULL
);

-- One row; its version grows with every membership status change (Orleans' membership version table).
CREATE TABLE IF NOT EXISTS orch_membership_version (
    id      int PRIMARY KEY,
    version bigint NOT NULL
);
INSERT INTO orch_membership_version (id, version) VALUES (1, 0) ON CONFLICT DO NOTHING;

-- The epoch grows on every acquisition; commits are fenced by (shard, epoch, owner).
CREATE TABLE IF NOT EXISTS orch_shard_lease (
    shard_id         int PRIMARY KEY,
    owner_silo       text NULL,
    epoch            bigint NOT NULL DEFAULT 0,
    lease_expires_at timestamptz NULL
);

CREATE TABLE IF NOT EXISTS orch_grain_state (
    grain_type text NOT NULL,
    grain_key  text NOT NULL,
    shard_id   int NOT NULL,
    version    bigint NOT NULL,
    epoch      bigint NOT NULL,
    state      bytea NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (grain_type, grain_key)
) WITH (fillfactor = 70);

-- Every message's dedupe key, kept after the message is applied so that a resend is still refused; rows older
-- than the retention are purged (BRIN keeps that cheap). Kept apart from the inbox so that the inbox stays small:
-- a consumed message is deleted, not rewritten.
CREATE TABLE IF NOT EXISTS orch_dedupe (
    grain_type text NOT NULL,
    grain_key  text NOT NULL,
    dedupe_key text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (grain_type, grain_key, dedupe_key)
);
CREATE INDEX IF NOT EXISTS orch_dedupe_age ON orch_dedupe USING brin (created_at);

-- Messages not yet applied. status: 0 pending, 2 dead letter. Applying a message deletes its row.
CREATE TABLE IF NOT EXISTS orch_inbox (
    msg_id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    shard_id    int NOT NULL,
    grain_type  text NOT NULL,
    grain_key   text NOT NULL,
    dedupe_key  text NOT NULL,
    payload     bytea NOT NULL,
    status      smallint NOT NULL DEFAULT 0,
    attempts    int NOT NULL DEFAULT 0,
    enqueued_at timestamptz NOT NULL DEFAULT now(),
    visible_at  timestamptz NOT NULL,
    error       text NULL
);
CREATE INDEX IF NOT EXISTS orch_inbox_dead ON orch_inbox (msg_id) WHERE status = 2;

CREATE TABLE IF NOT EXISTS orch_reminder (
    grain_type text NOT NULL,
    grain_key  text NOT NULL,
    name       text NOT NULL,
    shard_id   int NOT NULL,
    kind       smallint NOT NULL,
    period_ms  bigint NOT NULL,
    anchor     timestamptz NOT NULL,
    cron       text NOT NULL,
    time_zone  text NOT NULL,
    misfire    smallint NOT NULL,
    next_due   timestamptz NOT NULL,
    last_due   timestamptz NULL,
    version    bigint NOT NULL,
    PRIMARY KEY (grain_type, grain_key, name)
);
CREATE INDEX IF NOT EXISTS orch_reminder_due ON orch_reminder (shard_id, next_due);
