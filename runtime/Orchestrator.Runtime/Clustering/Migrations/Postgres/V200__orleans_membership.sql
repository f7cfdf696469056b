-- Orleans membership on PostgreSQL (Microsoft.Orleans.Clustering.AdoNet 10.4.2, invariant "Npgsql"), migration 200.
-- Our own schema and query texts, written from the provider's contract (ProviderSchema/README.md; each query's
-- parameters and result columns are described above its text). Re-runnable: every statement is idempotent. The
-- provider knows only the query keys; the tables are ours.

-- The provider loads its SQL with "SELECT QueryKey, QueryText FROM OrleansQuery" (unquoted, so PostgreSQL folds the
-- names to lower case). Shared with the reminder queries (OrleansReminders/).
CREATE TABLE IF NOT EXISTS orleansquery (
    querykey  varchar(64) PRIMARY KEY,
    querytext text        NOT NULL
);

-- One row per cluster (the provider's "DeploymentId" is Orleans' ClusterId). Every membership write (insert or update
-- of a silo row) moves the version by one, conditional on the version the writer read: optimistic concurrency for the
-- whole table, as Orleans' membership protocol requires.
CREATE TABLE IF NOT EXISTS orch_cluster_version (
    deployment_id text        PRIMARY KEY,
    version       integer     NOT NULL DEFAULT 0,
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- One row per silo incarnation: (address, port, generation) is Orleans' SiloAddress.
CREATE TABLE IF NOT EXISTS orch_cluster_silo (
    deployment_id   text        NOT NULL REFERENCES orch_cluster_version (deployment_id) ON DELETE CASCADE,
    address         text        NOT NULL,
    port            integer     NOT NULL,
    generation      integer     NOT NULL,
    silo_name       text        NOT NULL,
    host_name       text        NOT NULL,
    status          integer     NOT NULL, -- Orleans.Runtime.SiloStatus: 1 Created, 2 Joining, 3 Active, 4 ShuttingDown, 5 Stopping, 6 Dead
    proxy_port      integer     NOT NULL, -- gateway port, 0 when the silo is no gateway
    suspect_times   text        NULL,     -- "silo,time|silo,time" as the provider formats it
    start_time      timestamptz NOT NULL,
    i_am_alive_time timestamptz NOT NULL,
    PRIMARY KEY (deployment_id, address, port, generation)
);

INSERT INTO orleansquery (querykey, querytext) VALUES

-- Creates the cluster's version row once. Result: one boolean column, true when this call created it.
('InsertMembershipVersionKey', $q$
WITH created AS (
    INSERT INTO orch_cluster_version (deployment_id, version, updated_at)
    VALUES (@DeploymentId, 0, now())
    ON CONFLICT (deployment_id) DO NOTHING
    RETURNING 1
)
SELECT count(*) = 1 FROM created
$q$),

-- Adds a silo row if the table is still at @Version and the silo is not there yet; moves the version by one in the same
-- statement. Result: one boolean column, true when the row was added (false: stale version or duplicate silo).
('InsertMembershipKey', $q$
WITH bumped AS (
    UPDATE orch_cluster_version
    SET version = version + 1, updated_at = now()
    WHERE deployment_id = @DeploymentId
      AND version = @Version
      AND NOT EXISTS (
          SELECT 1 FROM orch_cluster_silo
          WHERE deployment_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation)
    RETURNING deployment_id
), added AS (
    INSERT INTO orch_cluster_silo
        (deployment_id, address, port, generation, silo_name, host_name, status, proxy_port, suspect_times, start_time, i_am_alive_time)
    SELECT deployment_id, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort, NULL, @StartTime, @IAmAliveTime
    FROM bumped
    RETURNING 1
)
SELECT count(*) = 1 FROM added
$q$),

-- Changes a silo's status, suspicions and heartbeat if the table is still at @Version; moves the version by one in the
-- same statement. Result: one boolean column, true when the row was changed (false: stale version or no such silo).
('UpdateMembershipKey', $q$
WITH bumped AS (
    UPDATE orch_cluster_version
    SET version = version + 1, updated_at = now()
    WHERE deployment_id = @DeploymentId
      AND version = @Version
      AND EXISTS (
          SELECT 1 FROM orch_cluster_silo
          WHERE deployment_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation)
    RETURNING deployment_id
), changed AS (
    UPDATE orch_cluster_silo AS s
    SET status = @Status, suspect_times = @SuspectTimes, i_am_alive_time = @IAmAliveTime
    FROM bumped
    WHERE s.deployment_id = bumped.deployment_id AND s.address = @Address AND s.port = @Port AND s.generation = @Generation
    RETURNING 1
)
SELECT count(*) = 1 FROM changed
$q$),

-- The heartbeat: not versioned (Orleans does not count it as a membership change). No result.
('UpdateIAmAlivetimeKey', $q$
UPDATE orch_cluster_silo
SET i_am_alive_time = @IAmAliveTime
WHERE deployment_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation
$q$),

-- The whole table: the version row, joined with every silo row. At least one row whenever the version row exists (the
-- provider reads the version from the first row; silo columns are NULL when there are no silos).
('MembershipReadAllKey', $q$
SELECT v.version         AS "Version",
       s.address         AS "Address",
       s.port            AS "Port",
       s.generation      AS "Generation",
       s.silo_name       AS "SiloName",
       s.host_name       AS "HostName",
       s.status          AS "Status",
       s.proxy_port      AS "ProxyPort",
       s.suspect_times   AS "SuspectTimes",
       s.start_time      AS "StartTime",
       s.i_am_alive_time AS "IAmAliveTime"
FROM orch_cluster_version AS v
LEFT JOIN orch_cluster_silo AS s ON s.deployment_id = v.deployment_id
WHERE v.deployment_id = @DeploymentId
$q$),

-- One silo: the version row, joined with that silo's row if there is one. Same columns as MembershipReadAllKey.
('MembershipReadRowKey', $q$
SELECT v.version         AS "Version",
       s.address         AS "Address",
       s.port            AS "Port",
       s.generation      AS "Generation",
       s.silo_name       AS "SiloName",
       s.host_name       AS "HostName",
       s.status          AS "Status",
       s.proxy_port      AS "ProxyPort",
       s.suspect_times   AS "SuspectTimes",
       s.start_time      AS "StartTime",
       s.i_am_alive_time AS "IAmAliveTime"
FROM orch_cluster_version AS v
LEFT JOIN orch_cluster_silo AS s
       ON s.deployment_id = v.deployment_id AND s.address = @Address AND s.port = @Port AND s.generation = @Generation
WHERE v.deployment_id = @DeploymentId
$q$),

-- The gateways a client may connect to: silos with @Status (Active) that listen for clients.
('GatewaysQueryKey', $q$
SELECT address AS "Address", proxy_port AS "ProxyPort", generation AS "Generation"
FROM orch_cluster_silo
WHERE deployment_id = @DeploymentId AND status = @Status AND proxy_port > 0
$q$),

-- Removes a cluster: its silo rows and its version row.
('DeleteMembershipTableEntriesKey', $q$
DELETE FROM orch_cluster_silo WHERE deployment_id = @DeploymentId;
DELETE FROM orch_cluster_version WHERE deployment_id = @DeploymentId
$q$),

-- Required by the provider, used only when CleanupDefunctSiloEntryKey is absent: removes dead silos whose heartbeat is
-- older than the cutoff @IAmAliveTime.
('CleanupDefunctSiloEntriesKey', $q$
DELETE FROM orch_cluster_silo
WHERE deployment_id = @DeploymentId AND status = 6 AND i_am_alive_time < @IAmAliveTime
$q$),

-- Removes one dead silo that the provider found defunct, only if the row is still exactly what it read (status,
-- start time, heartbeat and suspicions unchanged), so a row that moved meanwhile is kept.
('CleanupDefunctSiloEntryKey', $q$
DELETE FROM orch_cluster_silo
WHERE deployment_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation
  AND status = 6
  AND start_time = @StartTime
  AND i_am_alive_time = @IAmAliveTime
  AND coalesce(suspect_times, '') = coalesce(@SuspectTimes, '')
$q$)

ON CONFLICT (querykey) DO UPDATE SET querytext = EXCLUDED.querytext;
