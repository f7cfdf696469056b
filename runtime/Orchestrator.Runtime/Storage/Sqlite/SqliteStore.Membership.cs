using Microsoft.Data.Sqlite;

namespace Orchestrator.Runtime.Storage.Sqlite;

internal sealed partial class SqliteStore
{
    private const string BumpVersion = "UPDATE orch_membership_version SET version = version + 1 WHERE id = 1";

    public Task<long> JoinAsync(SiloRecord silo, CancellationToken cancellationToken) => WriteAsync((c, tx) =>
    {
        var now = Now();
        Exec(c, tx, "INSERT INTO orch_silo (silo_id, name, address, generation, status, started_at, heartbeat_at) VALUES (@id, @name, @address, @gen, 1, @now, @now)",
            ("id", silo.SiloId), ("name", silo.Name), ("address", silo.Address), ("gen", silo.Generation), ("now", now));
        Exec(c, tx, BumpVersion);
        return (long)Scalar(c, tx, "SELECT version FROM orch_membership_version WHERE id = 1")!;
    }, cancellationToken);

    public Task<bool> HeartbeatAsync(string siloId, CancellationToken cancellationToken) => WriteAsync((c, tx) =>
        Exec(c, tx, "UPDATE orch_silo SET heartbeat_at = @now WHERE silo_id = @id AND status = 1", ("id", siloId), ("now", Now())) == 1, cancellationToken);

    public Task<MembershipView> ReadMembershipAsync(CancellationToken cancellationToken) => ReadAsync(c =>
    {
        using var tx = c.BeginTransaction(deferred: true);
        var version = (long)Scalar(c, tx, "SELECT version FROM orch_membership_version WHERE id = 1")!;
        var silos = new List<SiloRecord>();
        using var cmd = Command(c, tx, "SELECT silo_id, name, address, generation, status, started_at, heartbeat_at FROM orch_silo ORDER BY started_at");
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            silos.Add(new SiloRecord(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3), (SiloStatus)reader.GetInt16(4), At(reader.GetInt64(5)), At(reader.GetInt64(6))));
        }
        return new MembershipView(version, silos);
    }, cancellationToken);

    public Task<int> DeclareDeadAsync(TimeSpan timeout, CancellationToken cancellationToken) => WriteAsync((c, tx) =>
    {
        var dead = Exec(c, tx, "UPDATE orch_silo SET status = 3 WHERE status IN (1, 2) AND heartbeat_at < @cutoff", ("cutoff", Now() - (long)timeout.TotalMilliseconds));
        if (dead > 0)
        {
            Exec(c, tx, BumpVersion);
        }
        return dead;
    }, cancellationToken);

    public Task SetSiloStatusAsync(string siloId, SiloStatus status, CancellationToken cancellationToken) => WriteAsync((c, tx) =>
    {
        if (Exec(c, tx, "UPDATE orch_silo SET status = @s WHERE silo_id = @id AND status <> 3 AND status <> @s", ("id", siloId), ("s", (short)status)) > 0)
        {
            Exec(c, tx, BumpVersion);
        }
        return 0;
    }, cancellationToken);

    public Task<int> CleanupDeadSilosAsync(TimeSpan age, CancellationToken cancellationToken) => WriteAsync((c, tx) =>
        Exec(c, tx, "DELETE FROM orch_silo WHERE status = 3 AND heartbeat_at < @cutoff", ("cutoff", Now() - (long)age.TotalMilliseconds)), cancellationToken);

    public Task<IReadOnlyList<ShardLease>> AcquireShardsAsync(string siloId, IReadOnlyCollection<int> shards, TimeSpan ttl, CancellationToken cancellationToken) => WriteAsync((c, tx) =>
    {
        var now = Now();
        using var cmd = Command(c, tx,
            "UPDATE orch_shard_lease SET owner_silo = @me, epoch = epoch + 1, lease_expires_at = @exp " +
            "WHERE shard_id IN (SELECT value FROM json_each(@shards)) AND (owner_silo IS NULL OR lease_expires_at < @now OR owner_silo = @me) RETURNING shard_id, epoch",
            ("me", siloId), ("exp", now + (long)ttl.TotalMilliseconds), ("now", now), ("shards", Json(shards)));
        return ReadLeases(cmd);
    }, cancellationToken);

    public Task<IReadOnlyList<ShardLease>> RenewShardsAsync(string siloId, TimeSpan ttl, CancellationToken cancellationToken) => WriteAsync((c, tx) =>
    {
        using var cmd = Command(c, tx, "UPDATE orch_shard_lease SET lease_expires_at = @exp WHERE owner_silo = @me RETURNING shard_id, epoch",
            ("me", siloId), ("exp", Now() + (long)ttl.TotalMilliseconds));
        return ReadLeases(cmd);
    }, cancellationToken);

    public Task ReleaseShardsAsync(string siloId, IReadOnlyCollection<ShardLease> shards, CancellationToken cancellationToken) => WriteAsync((c, tx) =>
    {
        foreach (var lease in shards)
        {
            Exec(c, tx, "UPDATE orch_shard_lease SET owner_silo = NULL, lease_expires_at = NULL WHERE shard_id = @s AND epoch = @e AND owner_silo = @me",
                ("s", lease.Shard), ("e", lease.Epoch), ("me", siloId));
        }
        return 0;
    }, cancellationToken);

    public Task<IReadOnlyList<ShardLeaseRow>> ReadLeasesAsync(CancellationToken cancellationToken) => ReadAsync<IReadOnlyList<ShardLeaseRow>>(c =>
    {
        using var cmd = Command(c, null, "SELECT shard_id, owner_silo, epoch, lease_expires_at FROM orch_shard_lease ORDER BY shard_id");
        using var reader = cmd.ExecuteReader();
        var rows = new List<ShardLeaseRow>();
        while (reader.Read())
        {
            rows.Add(new ShardLeaseRow(reader.GetInt32(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetInt64(2), reader.IsDBNull(3) ? null : At(reader.GetInt64(3))));
        }
        return rows;
    }, cancellationToken);

    private static IReadOnlyList<ShardLease> ReadLeases(SqliteCommand cmd)
    {
        using var reader = cmd.ExecuteReader();
        var leases = new List<ShardLease>();
        while (reader.Read())
        {
            leases.Add(new ShardLease(reader.GetInt32(0), reader.GetInt64(1)));
        }
        return leases;
    }
}
