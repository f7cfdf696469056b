using Orleans.Hosting;

namespace Orchestrator.Runtime.Clustering;

/// <summary>
/// Membership on PostgreSQL through Orleans' ADO.NET clustering provider, reading our query texts from
/// <c>OrleansQuery</c> (Clustering/CONTRACT.md). The schema named by the connection string's search path needs the
/// provider migrations first (<c>ProviderMigrationRunner.ApplyPostgresAsync</c>).
/// </summary>
public static class OrleansClusteringHostingExtensions
{
    /// <summary>The ADO.NET invariant name under which the Orleans providers load Npgsql.</summary>
    public const string PostgresInvariant = "Npgsql";

    /// <summary>A silo joins the cluster through the membership table on PostgreSQL.</summary>
    public static ISiloBuilder UseOrchestratorPostgresClustering(this ISiloBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return builder.UseAdoNetClustering(options =>
        {
            options.Invariant = PostgresInvariant;
            options.ConnectionString = connectionString;
        });
    }

    /// <summary>A client finds the cluster's gateways (active silos with a gateway port) in the membership table.</summary>
    public static IClientBuilder UseOrchestratorPostgresClustering(this IClientBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return builder.UseAdoNetClustering(options =>
        {
            options.Invariant = PostgresInvariant;
            options.ConnectionString = connectionString;
        });
    }
}
