-- Orchestrator runtime schema, version 5 (PostgreSQL): runs by creation time. Re-runnable.

-- The runs list pages newest first from index rows of kind 'instancetime' (partition the namespace, key the seconds
-- from creation to 99999999999 in 11 digits, '/', the run's id), which the instance grain writes with its 'instance'
-- row. Runs created before have only the latter: each gets its time row here, from the same data (a row the grain wrote
-- already is kept). The fraction of the JSON time is cut before it is read, as .NET's ToUnixTimeSeconds cuts it.
INSERT INTO orch_index (kind, part, key, status, data, updated_at)
SELECT 'instancetime', t.part,
       lpad((99999999999 - extract(epoch FROM (left(t.at, 19) || CASE WHEN right(t.at, 1) = 'Z' THEN 'Z' ELSE right(t.at, 6) END)::timestamptz))::bigint::text, 11, '0')
           || '/' || t.key,
       t.status, t.data, now()
FROM (SELECT part, key, status, data, (data::json ->> 'createdAt') AS at FROM orch_index WHERE kind = 'instance') t
WHERE t.at IS NOT NULL
ON CONFLICT (kind, part, key) DO NOTHING;
