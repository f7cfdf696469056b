using System.Reflection;

namespace Orchestrator.Runtime.ProviderSchema;

/// <summary>The database a provider migration is written for.</summary>
public enum ProviderStore
{
    /// <summary>PostgreSQL: Orleans' ADO.NET membership and reminder tables with their <c>OrleansQuery</c> rows.</summary>
    Postgres,

    /// <summary>SQLite: the table behind our own <c>SqliteReminderTable</c>.</summary>
    Sqlite,
}

/// <summary>
/// One versioned, re-runnable migration of the Orleans provider tables: our own DDL and query texts, embedded as
/// <c>&lt;Area&gt;/Migrations/&lt;Store&gt;/V###__name.sql</c>. <see cref="Id"/> (e.g. <c>clustering/V001__membership</c>)
/// is what a migration ledger records.
/// </summary>
public sealed record ProviderMigration(string Id, string Sql);

/// <summary>
/// The catalogue of provider migrations per store, read from the embedded resources of <c>Clustering/</c> and
/// <c>OrleansReminders/</c>. Every migration is idempotent, so applying one twice is harmless; a ledger only saves work.
/// </summary>
public static class ProviderMigrations
{
    private static readonly (string Area, string Folder)[] Areas =
    [
        ("clustering", "Clustering"),
        ("reminders", "OrleansReminders"),
    ];

    /// <summary>The migrations for <paramref name="store"/>, ordered by id (area, then version).</summary>
    public static IReadOnlyList<ProviderMigration> For(ProviderStore store)
    {
        var assembly = typeof(ProviderMigrations).Assembly;
        var names = assembly.GetManifestResourceNames();
        var migrations = new List<ProviderMigration>();
        foreach (var (area, folder) in Areas)
        {
            var prefix = $"Orchestrator.Runtime.{folder}.Migrations.{store}.";
            foreach (var resource in names.Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal)))
            {
                migrations.Add(new ProviderMigration($"{area}/{resource[prefix.Length..^4]}", Read(assembly, resource)));
            }
        }
        return [.. migrations.OrderBy(m => m.Id, StringComparer.Ordinal)];
    }

    private static string Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Embedded migration {resource} is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
