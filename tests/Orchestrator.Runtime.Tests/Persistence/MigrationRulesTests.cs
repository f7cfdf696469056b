using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Runtime.Persistence;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Runtime.Tests.Persistence;

/// <summary>
/// What can be enforced mechanically of the upgrade rules (<c>runtime/…/Persistence/Migrations/README.md</c>): a
/// migration released is never edited (a database that applied it keeps the old text), and a migration stays readable by
/// the version before it — nothing dropped, renamed or retyped, no new column a previous version's inserts would break —
/// unless it is listed in <see cref="Exceptions"/> with why that is safe (e.g. the column was last read two releases ago).
/// </summary>
public sealed partial class MigrationRulesTests
{
    /// <summary>
    /// The migrations of released versions (resource name → first 16 hex digits of the SHA-256 of its text, line
    /// breaks as LF). Add a new migration here when its release ships; never change an entry.
    /// </summary>
    private static readonly Dictionary<string, string> Released = new(StringComparer.Ordinal)
    {
        ["Audit.Migrations.Postgres.V300__audit_log.sql"] = "cafc1a9705d3348b",
        ["Audit.Migrations.Sqlite.V300__audit_log.sql"] = "a137e2c7592d381b",
        ["Clustering.Migrations.Postgres.V200__orleans_membership.sql"] = "703a81a61c9382d8",
        ["OrleansReminders.Migrations.Postgres.V201__orleans_reminders.sql"] = "2864f3e0a04ea6b2",
        ["OrleansReminders.Migrations.Sqlite.V201__orleans_reminders.sql"] = "adbcd67c1147cd68",
        ["Persistence.Migrations.Postgres.V100__grain_state_dead_letters.sql"] = "10be96db42d9fc63",
        ["Persistence.Migrations.Sqlite.V100__grain_state_dead_letters.sql"] = "bec653453657bf97",
        ["Storage.Postgres.Migrations.V002__indexes_logs_blobs.sql"] = "1c7fba3604dc0f82",
        ["Storage.Postgres.Migrations.V003__log_stream_prefix.sql"] = "b5fafc9cba6461f1",
        ["Storage.Postgres.Migrations.V004__files_in_default_namespace.sql"] = "37d4d3239288b702",
        ["Storage.Sqlite.Migrations.V002__indexes_logs_blobs.sql"] = "22e5b2e53cde1597",
        ["Storage.Sqlite.Migrations.V004__files_in_default_namespace.sql"] = "5e898f3f71f8ec34",
    };

    /// <summary>Migrations allowed to break the previous version's reads, each with why it is safe. None so far.</summary>
    private static readonly Dictionary<string, string> Exceptions = new(StringComparer.Ordinal);

    private const string Prefix = "Orchestrator.Runtime.";

    [Fact]
    public void ReleasedMigrations_AreNeverEdited()
    {
        var migrations = Migrations();

        Assert.All(Released, r => Assert.True(migrations.ContainsKey(r.Key), $"{r.Key}: a released migration is gone; a database that applied it still has its tables"));
        Assert.All(Released, r => Assert.True(Hash(migrations[r.Key]) == r.Value,
            $"{r.Key}: a released migration was edited (hash {Hash(migrations[r.Key])}, released {r.Value}); databases that applied it keep the old text: write a new migration instead"));
    }

    [Fact]
    public void Migrations_StayReadableByThePreviousVersion_UnlessListedWithAReason()
    {
        var broken = Migrations().Where(m => !Exceptions.ContainsKey(m.Key))
            .SelectMany(m => Breaking(m.Value).Select(rule => $"{m.Key}: {rule}")).ToList();

        Assert.True(broken.Count == 0, "Migrations the previous version could not run beside (see Persistence/Migrations/README.md, \"Upgrades\"):\n" + string.Join('\n', broken));
        Assert.All(Exceptions.Keys, k => Assert.True(Migrations().ContainsKey(k), $"{k}: listed as an exception but no such migration"));
    }

    [Theory]
    [InlineData("ALTER TABLE orch_index DROP COLUMN data;", "drops")]
    [InlineData("DROP TABLE IF EXISTS orch_old;", "drops")]
    [InlineData("ALTER TABLE orch_index RENAME COLUMN data TO payload;", "renames")]
    [InlineData("ALTER TABLE orch_index ALTER COLUMN status TYPE bigint;", "changes a column's type")]
    [InlineData("ALTER TABLE orch_index ALTER COLUMN data SET NOT NULL;", "makes a column NOT NULL")]
    [InlineData("ALTER TABLE orch_index ADD COLUMN tenant text NOT NULL;", "adds a NOT NULL column without a DEFAULT")]
    [InlineData("TRUNCATE orch_index;", "empties a table")]
    public void Breaking_AStatementThePreviousVersionCannotLiveWith_IsNamed(string sql, string rule) =>
        Assert.Contains(Breaking(sql), b => b.StartsWith(rule, StringComparison.Ordinal));

    [Theory]
    [InlineData("ALTER TABLE orch_index ADD COLUMN tenant text NULL;")]
    [InlineData("ALTER TABLE orch_index ADD COLUMN IF NOT EXISTS tenant text NOT NULL DEFAULT 'default';")]
    [InlineData("CREATE INDEX IF NOT EXISTS orch_x ON orch_index (kind); -- we never DROP it")]
    [InlineData("CREATE TABLE IF NOT EXISTS orch_new (id bigint PRIMARY KEY, note text NOT NULL)")]
    public void Breaking_AdditiveStatements_AreFine(string sql) => Assert.Empty(Breaking(sql));

    [Fact]
    public async Task MigrateAsync_FourSilosStartingAtOnceOnANewSchema_EachVersionAppliedOnce()
    {
        var options = TestStores.Postgres("migrate-at-once");
        try
        {
            var databases = Enumerable.Range(0, 4).Select(_ => OrchestratorDatabase.Open(options, NullLoggerFactory.Instance)).ToList();
            try
            {
                await Task.WhenAll(databases.Select(d => d.MigrateAsync()));
            }
            finally
            {
                foreach (var database in databases)
                {
                    await database.DisposeAsync();
                }
            }

            await using var source = Npgsql.NpgsqlDataSource.Create(options.ConnectionString);
            await using var command = source.CreateCommand("SELECT count(*), count(DISTINCT version) FROM orch_schema_migration");
            await using var reader = await command.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            var expected = OrchestratorDatabase.StorageMigrations(OrchestratorDatabaseOptions.Postgres).Migrations.Count;
            Assert.Equal((expected, expected), (reader.GetInt64(0), reader.GetInt64(1)));
        }
        finally
        {
            await TestStores.DropAsync(options);
        }
    }

    /// <summary>Why <paramref name="sql"/> would break the previous version running beside it; empty if it would not.</summary>
    private static List<string> Breaking(string sql)
    {
        var text = Comments().Replace(sql, " ");
        var found = new List<string>();
        foreach (var statement in text.Split(';').Select(s => Spaces().Replace(s, " ").Trim()).Where(s => s.Length > 0))
        {
            void Check(bool breaks, string rule)
            {
                if (breaks)
                {
                    found.Add($"{rule}: {statement}");
                }
            }
            Check(Has(statement, @"\bDROP\b"), "drops");
            Check(Has(statement, @"\bRENAME\b"), "renames");
            Check(Has(statement, @"\bALTER\s+(COLUMN\s+)?""?\w+""?\s+(SET\s+DATA\s+)?TYPE\b"), "changes a column's type");
            Check(Has(statement, @"\bSET\s+NOT\s+NULL\b"), "makes a column NOT NULL");
            Check(Has(statement, @"\bADD\s+(COLUMN\s+)?.*\bNOT\s+NULL\b") && !Has(statement, @"\bDEFAULT\b") && Has(statement, @"\bALTER\s+TABLE\b"), "adds a NOT NULL column without a DEFAULT");
            Check(Has(statement, @"\bTRUNCATE\b"), "empties a table");
        }
        return found;
    }

    private static bool Has(string statement, string pattern) => Regex.IsMatch(statement, pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    /// <summary>Every migration embedded in the runtime (all stores, all sources), by resource name without the assembly's prefix.</summary>
    private static Dictionary<string, byte[]> Migrations()
    {
        var assembly = typeof(OrchestratorDatabase).Assembly;
        var all = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            all[name[Prefix.Length..]] = copy.ToArray();
        }
        return all;
    }

    private static string Hash(byte[] text) =>
        Convert.ToHexStringLower(SHA256.HashData(text.Where(b => b != (byte)'\r').ToArray()))[..16];

    private static List<string> Breaking(byte[] text) => Breaking(Encoding.UTF8.GetString(text));

    [GeneratedRegex(@"--[^\n]*|/\*.*?\*/", RegexOptions.Singleline)]
    private static partial Regex Comments();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
