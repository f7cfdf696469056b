-- Orchestrator runtime schema, version 4 (PostgreSQL): files uploaded before namespaces are in namespace default.
-- Re-runnable.

-- A plan may reference only files uploaded into its namespace (index rows of kind 'file', partition the namespace, key
-- the SHA-256, written by the file grain). Files stored before namespaces existed have no row: they become default's,
-- where every plan of those versions was. A row the file grain wrote already is kept.
INSERT INTO orch_index (kind, part, key, status, data, updated_at)
SELECT 'file', 'default', b.sha256, 0,
       json_build_object('size', b.size, 'uploadedAt', to_char(b.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'by', 'before-namespaces')::text,
       now()
FROM orch_blob b
ON CONFLICT (kind, part, key) DO NOTHING;
