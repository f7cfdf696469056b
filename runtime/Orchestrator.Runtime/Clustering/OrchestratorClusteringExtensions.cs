using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orchestrator.Runtime.Persistence;
using Orchestrator.Runtime.ProviderSchema;
using Orleans.Configuration;
using Orleans.Hosting;

namespace Orchestrator.Runtime.Clustering;

/// <summary>
/// Membership on the orchestrator's PostgreSQL database through Orleans' ADO.NET clustering provider, reading our own
/// query texts from <c>OrleansQuery</c> (migration 200, ProviderSchema/README.md).
/// </summary>
public static class OrchestratorClusteringExtensions
{
    /// <summary>The ADO.NET invariant name under which the Orleans providers load Npgsql.</summary>
    public const string PostgresInvariant = "Npgsql";

    /// <summary>
    /// The silo joins its cluster through the membership table in the orchestrator database registered with
    /// <see cref="OrchestratorPersistenceExtensions.AddOrchestratorDatabase(ISiloBuilder, Action{OrchestratorDatabaseOptions})"/>,
    /// which must be PostgreSQL (checked when the silo starts). The database creates the tables and query rows when it
    /// migrates, before membership starts; silos starting together serialise on the migration lock.
    /// </summary>
    public static ISiloBuilder UseOrchestratorClustering(this ISiloBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddProviderMigrations(ProviderMigrations.Clustering);
        return builder.UseAdoNetClustering(options => options
            .Configure<IOptions<OrchestratorDatabaseOptions>>((clustering, database) =>
            {
                clustering.Invariant = PostgresInvariant;
                clustering.ConnectionString = database.Value.ConnectionString;
            })
            .Validate<IOptions<OrchestratorDatabaseOptions>>(
                (_, database) => database.Value.Store == OrchestratorDatabaseOptions.Postgres,
                "UseOrchestratorClustering: the orchestrator database (AddOrchestratorDatabase) must have Store 'postgres': " +
                "a cluster shares its membership table there. A single silo on SQLite uses localhost clustering instead.")
            .ValidateOnStart());
    }

    /// <summary>
    /// A client outside the silos (<c>UseOrleansClient</c>) finds the cluster's gateways, the active silos with a gateway
    /// port, in the membership table. The client only reads: the silos create the tables.
    /// </summary>
    /// <param name="builder">The client.</param>
    /// <param name="connectionString">The cluster's PostgreSQL database, with the same search path as the silos'.</param>
    public static IClientBuilder UseOrchestratorClustering(this IClientBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return builder.UseAdoNetClustering((AdoNetClusteringClientOptions options) =>
        {
            options.Invariant = PostgresInvariant;
            options.ConnectionString = connectionString;
        });
    }
}
