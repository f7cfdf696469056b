using Orchestrator.Runtime.Persistence.Migrations;

namespace Orchestrator.Runtime.Persistence;

/// <summary>
/// Extra migrations for one kind of store (<see cref="OrchestratorDatabaseOptions.Postgres"/> or
/// <see cref="OrchestratorDatabaseOptions.Sqlite"/>), run by <see cref="OrchestratorDatabase.MigrateAsync"/> with the
/// database's own: register one as a singleton (e.g. the Orleans clustering and reminder tables) and the database
/// picks the ones for its store.
/// </summary>
public sealed record StoreMigrationSource(string Store, MigrationSource Source);
