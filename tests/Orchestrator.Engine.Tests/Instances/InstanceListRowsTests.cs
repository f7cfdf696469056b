using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Orchestrator.Engine.Tests.Security;

namespace Orchestrator.Engine.Tests.Instances;

/// <summary>
/// The runs list orders by the runs' time rows but shows each run as its own 'instance' row says: a run the previous
/// version finished during a rolling upgrade (its time row still says running) lists as finished, and one it deleted
/// (its time row left behind) is not listed.
/// </summary>
[Collection(NamespaceCollection.Name)]
public sealed class InstanceListRowsTests(NamespaceFixture fixture)
{
    private const string Running = """{"planId":"old","planVersion":1,"planName":"old","status":"running","createdAt":"2026-01-01T00:00:00+00:00","by":"ann"}""";
    private const string Succeeded = """{"planId":"old","planVersion":1,"planName":"old","status":"succeeded","createdAt":"2026-01-01T00:00:00+00:00","finishedAt":"2026-01-01T00:01:00+00:00"}""";

    [Fact]
    public async Task List_TimeRowStaleOrOrphaned_ShowsTheInstanceRowAndSkipsTheDeleted()
    {
        var finished = "ti" + Guid.NewGuid().ToString("N")[..12];
        var deleted = "ti" + Guid.NewGuid().ToString("N")[..12];
        var key = (string id) => $"{99_999_999_999 - DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeSeconds():D11}/{id}";
        await using (var connection = new SqliteConnection(fixture.Harness.Store.ConnectionString))
        {
            await connection.OpenAsync();
            await using var insert = connection.CreateCommand();
            insert.CommandText = """
                INSERT INTO orch_index (kind, part, key, status, data, updated_at) VALUES
                  ('instancetime', 'default', $finishedKey, 1, $running, 0),
                  ('instance', 'default', $finished, 3, $succeeded, 0),
                  ('instancetime', 'default', $deletedKey, 1, $running, 0)
                """;
            insert.Parameters.AddWithValue("$finishedKey", key(finished));
            insert.Parameters.AddWithValue("$finished", finished);
            insert.Parameters.AddWithValue("$deletedKey", key(deleted));
            insert.Parameters.AddWithValue("$running", Running);
            insert.Parameters.AddWithValue("$succeeded", Succeeded);
            await insert.ExecuteNonQueryAsync();
        }

        var items = JsonNode.Parse(await fixture.Harness.Http.GetStringAsync("/api/v1/task-instances?plan=old&limit=500"))!["items"]!.AsArray();
        var byAnn = JsonNode.Parse(await fixture.Harness.Http.GetStringAsync("/api/v1/task-instances?plan=old&by=ann&status=running&limit=500"))!["items"]!.AsArray();

        var listed = Assert.Single(items, i => i!["id"]!.GetValue<string>() == finished)!;
        Assert.Equal("succeeded", listed["instance"]!["status"]!.GetValue<string>());
        Assert.Equal("ann", listed["instance"]!["by"]!.GetValue<string>()); // the time row's principal, the instance row having none
        Assert.DoesNotContain(items, i => i!["id"]!.GetValue<string>() == deleted);
        Assert.DoesNotContain(byAnn, i => i!["id"]!.GetValue<string>() == finished); // not running any more
    }
}
