using System.Globalization;
using System.Reflection;

namespace Orchestrator.Runtime.Persistence.Migrations;

/// <summary>
/// A named set of migrations for one store, e.g. the grain storage's or the clustering provider's. Every source of a
/// database shares the one <c>orch_schema_migration</c> table, so each owns a range of versions: the log, blob
/// and index tables 1–99, the grain storage (this folder) 100–199, the Orleans provider tables 200–299, the audit log 300–399. The runner refuses two
/// sources that claim the same version.
/// </summary>
public sealed record MigrationSource(string Name, IReadOnlyList<SchemaMigration> Migrations)
{
    /// <summary>
    /// The embedded <c>.sql</c> resources of <paramref name="assembly"/> whose names start with
    /// <paramref name="resourcePrefix"/> (a folder's manifest name, ending with a dot), each named
    /// <c>V&lt;version&gt;__&lt;what&gt;.sql</c>; <paramref name="include"/> picks some of them by version.
    /// </summary>
    public static MigrationSource FromEmbeddedResources(string name, Assembly assembly, string resourcePrefix, Func<int, bool>? include = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(assembly);
        ArgumentException.ThrowIfNullOrEmpty(resourcePrefix);
        var migrations = new List<SchemaMigration>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(resourcePrefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal)))
        {
            var file = resource[resourcePrefix.Length..^4];
            var separator = file.IndexOf("__", StringComparison.Ordinal);
            if (file.Length < 2 || file[0] != 'V' || separator < 2
                || !int.TryParse(file.AsSpan(1, separator - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            {
                throw new InvalidOperationException($"Migration resource '{resource}' is not named V<version>__<what>.sql.");
            }
            if (include is not null && !include(version))
            {
                continue;
            }
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            migrations.Add(new SchemaMigration(version, file, reader.ReadToEnd()));
        }
        return new MigrationSource(name, [.. migrations.OrderBy(m => m.Version)]);
    }

    /// <summary>The migrations of all sources in version order; throws if two claim one version.</summary>
    public static IReadOnlyList<SchemaMigration> Ordered(IEnumerable<MigrationSource> sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        var owners = new Dictionary<int, string>();
        var all = new List<SchemaMigration>();
        foreach (var source in sources)
        {
            foreach (var migration in source.Migrations)
            {
                if (!owners.TryAdd(migration.Version, source.Name))
                {
                    throw new InvalidOperationException(
                        $"Migration version {migration.Version} ({migration.Name}) of '{source.Name}' is already taken by '{owners[migration.Version]}'; each source owns its own range of versions.");
                }
                all.Add(migration);
            }
        }
        all.Sort((a, b) => a.Version.CompareTo(b.Version));
        return all;
    }
}
