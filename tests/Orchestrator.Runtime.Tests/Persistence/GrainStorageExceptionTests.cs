using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orchestrator.Runtime.Durable;
using Orchestrator.Runtime.Persistence.GrainState;
using Orchestrator.Runtime.Tests.Infrastructure;
using Orleans.Serialization;

namespace Orchestrator.Runtime.Tests.Persistence;

/// <summary>
/// What a store failure looks like to a caller on another silo: the bytes Orleans' serializer makes of it and reads
/// back. The store's own exceptions (Npgsql's) have no codec; ours carry their text, SQLSTATE and transient flag.
/// </summary>
public sealed class GrainStorageExceptionTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddSerializer().BuildServiceProvider();

    private Serializer Serializer => _services.GetRequiredService<Serializer>();

    public void Dispose() => _services.Dispose();

    private Exception RoundTrip(Exception value) => Serializer.Deserialize<Exception>(Serializer.SerializeToArray(value))!;

    /// <summary>Why the provider converts: Orleans cannot send Npgsql's exception to another silo at all.</summary>
    [Fact]
    public async Task Serializer_PostgresException_HasNoCodec()
    {
        var postgres = await PostgresFailureAsync();

        Assert.Throws<CodecNotFoundException>(() => Serializer.SerializeToArray<Exception>(postgres));
    }

    [Fact]
    public async Task Serializer_GrainStorageExceptionOfAPostgresFailure_KeepsMessageTypeSqlStateAndTransientFlag()
    {
        var sent = GrainStorageException.FromStore("Default", "write", "step/i1:0 (state)", await PostgresFailureAsync());

        var received = Assert.IsType<GrainStorageException>(RoundTrip(sent));

        Assert.Equal(sent.Message, received.Message);
        Assert.Contains("42P01", received.Message, StringComparison.Ordinal);
        Assert.Contains("orch_no_such_table", received.StoreMessage, StringComparison.Ordinal);
        Assert.Equal(("write", "step/i1:0 (state)"), (received.Operation, received.Grain));
        Assert.Equal(("Npgsql.PostgresException", "42P01", false), (received.StoreExceptionType, received.SqlState, received.IsTransient));
        Assert.Equal(sent.StoreMessage, received.StoreMessage);
        Assert.Null(received.InnerException);
        Assert.Null(received.StoreException); // local to the silo that caught it
        Assert.NotNull(sent.StoreException);
    }

    [Fact]
    public async Task Serializer_DurableWriteExceptionWrappingATransientNpgsqlException_CrossesWithItsText()
    {
        var npgsql = await ConnectionFailureAsync();
        Assert.True(npgsql.IsTransient);
        var sent = new DurableWriteException("Grain step/i1:0: the state write holding this call failed.", npgsql);

        var received = Assert.IsType<DurableWriteException>(RoundTrip(sent));

        Assert.Equal(sent.Message, received.Message);
        var cause = Assert.IsType<GrainStorageException>(received.InnerException);
        Assert.Equal(("Npgsql.NpgsqlException", null, true), (cause.StoreExceptionType, cause.SqlState, cause.IsTransient));
        Assert.StartsWith(npgsql.Message, cause.StoreMessage, StringComparison.Ordinal);
        Assert.Contains(npgsql.Message, cause.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serializer_DurableWriteExceptionWrappingAPostgresException_KeepsTheSqlState()
    {
        var sent = new DurableWriteException("the write failed", await PostgresFailureAsync());

        var received = Assert.IsType<DurableWriteException>(RoundTrip(sent));

        var cause = Assert.IsType<GrainStorageException>(received.InnerException);
        Assert.Equal(("Npgsql.PostgresException", "42P01", false), (cause.StoreExceptionType, cause.SqlState, cause.IsTransient));
        Assert.Contains("orch_no_such_table", cause.StoreMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void FromStore_SqliteFailure_CarriesItsTypeWithoutSqlState()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT * FROM orch_no_such_table";
        var sqlite = Assert.Throws<SqliteException>(() => command.ExecuteNonQuery());

        var received = Assert.IsType<GrainStorageException>(RoundTrip(GrainStorageException.FromStore("Default", "read", "host/h1 (state)", sqlite)));

        Assert.Equal(("Microsoft.Data.Sqlite.SqliteException", null, false), (received.StoreExceptionType, received.SqlState, received.IsTransient));
        Assert.Contains("no such table: orch_no_such_table", received.StoreMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Host=db;Password=s3cret;Username=orch", "Host=db;Password=***;Username=orch")]
    [InlineData("bad setting: pwd = 's3cret x'", "bad setting: pwd=***")]
    [InlineData("PASSWORD=\"s3cret;x\" refused", "PASSWORD=*** refused")]
    public void FromStore_MessageWithAPassword_CarriesNoSecret(string message, string expected)
    {
        var failure = GrainStorageException.FromStore("Default", "read", "host/h1 (state)", new InvalidOperationException(message, new InvalidOperationException(message)));

        Assert.DoesNotContain("s3cret", failure.Message, StringComparison.Ordinal);
        Assert.Equal($"{expected} ---> System.InvalidOperationException: {expected}", failure.StoreMessage);
    }

    [Fact]
    public void DurableWriteException_GrainStorageCause_IsKeptAsIs()
    {
        var cause = new GrainStorageException("the store failed") { Operation = "write" };

        Assert.Same(cause, new DurableWriteException("the write failed", cause).InnerException);
    }

    /// <summary>A real PostgreSQL error: a statement on a table that does not exist (SQLSTATE 42P01).</summary>
    private static async Task<PostgresException> PostgresFailureAsync()
    {
        await using var connection = new NpgsqlConnection(PostgresServer.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT * FROM orch_no_such_table", connection);
        return await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());
    }

    /// <summary>A real Npgsql failure to connect (nothing listens on port 1), which Npgsql calls transient.</summary>
    private static async Task<NpgsqlException> ConnectionFailureAsync()
    {
        var unreachable = new NpgsqlConnectionStringBuilder(PostgresServer.ConnectionString) { Host = "127.0.0.1", Port = 1, Pooling = false, Timeout = 5 };
        await using var connection = new NpgsqlConnection(unreachable.ConnectionString);
        return await Assert.ThrowsAsync<NpgsqlException>(() => connection.OpenAsync());
    }
}
