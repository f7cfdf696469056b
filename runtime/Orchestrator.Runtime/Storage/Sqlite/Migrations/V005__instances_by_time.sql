-- Orchestrator runtime schema, version 5 (SQLite): runs by creation time. Re-runnable.

-- The runs list pages newest first from index rows of kind 'instancetime' (partition the namespace, key the seconds
-- from creation to 99999999999 in 11 digits, '/', the run's id), which the instance grain writes with its 'instance'
-- row. Runs created before have only the latter: each gets its time row here, from the same data (a row the grain wrote
-- already is kept). The fraction of the JSON time is cut before it is read, as .NET's ToUnixTimeSeconds cuts it.
INSERT INTO orch_index (kind, part, key, status, data, updated_at)
SELECT 'instancetime', t.part,
       printf('%011d', 99999999999 - CAST(strftime('%s', substr(t.at, 1, 19) || CASE WHEN t.at LIKE '%Z' THEN 'Z' ELSE substr(t.at, -6) END) AS INTEGER))
           || '/' || t.key,
       t.status, t.data, CAST(strftime('%s', 'now') AS INTEGER) * 1000
FROM (SELECT part, key, status, data, json_extract(data, '$.createdAt') AS at FROM orch_index WHERE kind = 'instance') t
WHERE t.at IS NOT NULL
ON CONFLICT (kind, part, key) DO NOTHING;
