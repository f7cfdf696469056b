namespace Orchestrator.Runtime.Persistence.Migrations;

/// <summary>
/// One versioned schema change: a script that is re-runnable (every statement idempotent), applied once per database
/// (schema) and recorded in <c>orch_schema_migration</c> under its <see cref="Version"/>.
/// </summary>
public sealed record SchemaMigration(int Version, string Name, string Sql);
