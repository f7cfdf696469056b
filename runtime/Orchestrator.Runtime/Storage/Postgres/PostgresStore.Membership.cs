using Npgsql;

namespace Orchestrator.Runtime.Storage.Postgres;

internal sealed partial class PostgresStore
{
    private const string BumpVersion = "UPDATE orch_membership_version SET version = version + 1 WHERE id = 1 RETURNING version";

    public async Task<long> JoinAsync(SiloRecord silo, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await using (var cmd = new NpgsqlCommand(
            "INSERT INTO orch_silo (silo_id, name, address, generation, status, started_at, heartbeat_at) VALUES (@id, @name, @address, @gen, @status, now(), now())",
            connection, tx))
        {
            cmd.Parameters.AddWithValue("id", silo.SiloId);
            cmd.Parameters.AddWithValue("name", silo.Name);
            cmd.Parameters.AddWithValue("address", silo.Address);
            cmd.Parameters.AddWithValue("gen", silo.Generation);
            cmd.Parameters.AddWithValue("status", (short)SiloStatus.Active);
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
        long version;
        await using (var bump = new NpgsqlCommand(BumpVersion, connection, tx))
        {
            version = (long)(await bump.ExecuteScalarAsync(cancellationToken))!;
        }
        await tx.CommitAsync(cancellationToken);
        return version;
    }

    public async Task<bool> HeartbeatAsync(string siloId, CancellationToken cancellationToken)
    {
        await using var cmd = _dataSource.CreateCommand("UPDATE orch_silo SET heartbeat_at = now() WHERE silo_id = @id AND status = 1");
        cmd.Parameters.AddWithValue("id", siloId);
        return await cmd.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<MembershipView> ReadMembershipAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        long version;
        await using (var v = new NpgsqlCommand("SELECT version FROM orch_membership_version WHERE id = 1", connection, tx))
        {
            version = (long)(await v.ExecuteScalarAsync(cancellationToken))!;
        }
        var silos = new List<SiloRecord>();
        await using (var cmd = new NpgsqlCommand("SELECT silo_id, name, address, generation, status, started_at, heartbeat_at FROM orch_silo ORDER BY started_at", connection, tx))
        await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                silos.Add(new SiloRecord(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3),
                    (SiloStatus)reader.GetInt16(4), reader.GetFieldValue<DateTimeOffset>(5), reader.GetFieldValue<DateTimeOffset>(6)));
            }
        }
        await tx.CommitAsync(cancellationToken);
        return new MembershipView(version, silos);
    }

    public async Task<int> DeclareDeadAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        await using var cmd = _dataSource.CreateCommand(
            "WITH dead AS (UPDATE orch_silo SET status = 3 WHERE status IN (1, 2) AND heartbeat_at < now() - @timeout RETURNING 1), " +
            "bump AS (UPDATE orch_membership_version SET version = version + 1 WHERE id = 1 AND EXISTS (SELECT 1 FROM dead)) " +
            "SELECT count(*) FROM dead");
        cmd.Parameters.AddWithValue("timeout", timeout);
        return (int)(long)(await cmd.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task SetSiloStatusAsync(string siloId, SiloStatus status, CancellationToken cancellationToken)
    {
        await using var cmd = _dataSource.CreateCommand(
            "WITH s AS (UPDATE orch_silo SET status = @status WHERE silo_id = @id AND status <> 3 AND status <> @status RETURNING 1) " +
            "UPDATE orch_membership_version SET version = version + 1 WHERE id = 1 AND EXISTS (SELECT 1 FROM s)");
        cmd.Parameters.AddWithValue("id", siloId);
        cmd.Parameters.AddWithValue("status", (short)status);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<int> CleanupDeadSilosAsync(TimeSpan age, CancellationToken cancellationToken)
    {
        await using var cmd = _dataSource.CreateCommand("DELETE FROM orch_silo WHERE status = 3 AND heartbeat_at < now() - @age");
        cmd.Parameters.AddWithValue("age", age);
        return await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<ShardLease>> AcquireShardsAsync(string siloId, IReadOnlyCollection<int> shards, TimeSpan ttl, CancellationToken cancellationToken)
    {
        if (shards.Count == 0)
        {
            return [];
        }
        await using var cmd = _dataSource.CreateCommand(
            "UPDATE orch_shard_lease SET owner_silo = @me, epoch = epoch + 1, lease_expires_at = now() + @ttl " +
            "WHERE shard_id = ANY(@shards) AND (owner_silo IS NULL OR lease_expires_at < now() OR owner_silo = @me) RETURNING shard_id, epoch");
        cmd.Parameters.AddWithValue("me", siloId);
        cmd.Parameters.AddWithValue("ttl", ttl);
        cmd.Parameters.AddWithValue("shards", shards.ToArray());
        return await ReadLeases(cmd, cancellationToken);
    }

    public async Task<IReadOnlyList<ShardLease>> RenewShardsAsync(string siloId, TimeSpan ttl, CancellationToken cancellationToken)
    {
        await using var cmd = _dataSource.CreateCommand(
            "UPDATE orch_shard_lease SET lease_expires_at = now() + @ttl WHERE owner_silo = @me RETURNING shard_id, epoch");
        cmd.Parameters.AddWithValue("me", siloId);
        cmd.Parameters.AddWithValue("ttl", ttl);
        return await ReadLeases(cmd, cancellationToken);
    }

    public async Task ReleaseShardsAsync(string siloId, IReadOnlyCollection<ShardLease> shards, CancellationToken cancellationToken)
    {
        if (shards.Count == 0)
        {
            return;
        }
        await using var cmd = _dataSource.CreateCommand(
            "UPDATE orch_shard_lease l SET owner_silo = NULL, lease_expires_at = NULL FROM unnest(@shards, @epochs) AS u(s, e) " +
            "WHERE l.shard_id = u.s AND l.epoch = u.e AND l.owner_silo = @me");
        cmd.Parameters.AddWithValue("me", siloId);
        cmd.Parameters.AddWithValue("shards", shards.Select(s => s.Shard).ToArray());
        cmd.Parameters.AddWithValue("epochs", shards.Select(s => s.Epoch).ToArray());
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<ShardLeaseRow>> ReadLeasesAsync(CancellationToken cancellationToken)
    {
        await using var cmd = _dataSource.CreateCommand("SELECT shard_id, owner_silo, epoch, lease_expires_at FROM orch_shard_lease ORDER BY shard_id");
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        var rows = new List<ShardLeaseRow>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new ShardLeaseRow(reader.GetInt32(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetInt64(2),
                reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3)));
        }
        return rows;
    }

    private static async Task<IReadOnlyList<ShardLease>> ReadLeases(NpgsqlCommand cmd, CancellationToken cancellationToken)
    {
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        var leases = new List<ShardLease>();
        while (await reader.ReadAsync(cancellationToken))
        {
            leases.Add(new ShardLease(reader.GetInt32(0), reader.GetInt64(1)));
        }
        return leases;
    }
}
