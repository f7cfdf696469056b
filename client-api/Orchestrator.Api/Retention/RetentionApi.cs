using System.Globalization;
using Orchestrator.Api.Common;
using Orchestrator.GrainInterfaces;

namespace Orchestrator.Api.Retention;

/// <summary>
/// <c>GET /api/v1/retention</c> (admin): the retention settings the silos run with, the pass in progress (phase,
/// cutoffs, counts so far), the last passes (counts archived and deleted per kind, archive files written, errors) and
/// when the next pass is due (<c>docs/retention.md</c>). Durations are <c>d.hh:mm:ss</c>; a kind kept forever shows null.
/// </summary>
public static class RetentionApi
{
    public static IEndpointRouteBuilder MapRetentionApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGroup("/api/v1/retention").WithTags("Retention").MapGet("/", Get);
        return routes;
    }

    private static async Task<Ok<RetentionStatusView>> Get(ApiContext api)
    {
        var status = await api.Client.Grains.GetGrain<IRetentionGrain>(IRetentionGrain.Key).GetStatusAsync();
        var s = status.Settings;
        return TypedResults.Ok(new RetentionStatusView(
            new RetentionSettingsView(Duration(s.Instances), Duration(s.Logs), Duration(s.Audit), Duration(s.Files), s.Archive, s.ArchiveDirectory,
                Duration(s.Interval)!, s.BatchSize, Duration(s.BatchPause)!, s.ArchiveBucket),
            status.NextDue, status.Current is null ? null : PassView.Of(status.Current), [.. status.Recent.Select(PassView.Of)]));
    }

    private static string? Duration(TimeSpan? value) => value?.ToString("c", CultureInfo.InvariantCulture);

    /// <summary>The answer: settings, when the next pass is due (null while one runs), the pass running, the last passes newest first.</summary>
    public sealed record RetentionStatusView(RetentionSettingsView Settings, DateTimeOffset? NextDue, PassView? Current, IReadOnlyList<PassView> Recent);

    /// <summary>
    /// How long each kind stays (null: forever), the archive (a directory, or an S3-compatible bucket's URL: never its
    /// keys), the pass interval and its rate limits.
    /// </summary>
    public sealed record RetentionSettingsView(string? Instances, string? Logs, string? Audit, string? Files, bool Archive, string? ArchiveDirectory,
        string Interval, int BatchSize, string BatchPause, string? ArchiveBucket);

    /// <summary>One pass: cutoffs (records older went; null: that kind is kept), counts per kind, files written, errors.</summary>
    public sealed record PassView(long Number, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, string Phase,
        DateTimeOffset? InstancesBefore, DateTimeOffset? LogsBefore, DateTimeOffset? AuditBefore, DateTimeOffset? FilesBefore,
        IReadOnlyDictionary<string, long> Archived, IReadOnlyDictionary<string, long> Deleted, IReadOnlyList<string> ArchiveFiles, IReadOnlyList<string> Errors)
    {
        public static PassView Of(RetentionPassView p) => new(p.Number, p.StartedAt, p.FinishedAt, p.Phase, p.InstancesBefore, p.LogsBefore, p.AuditBefore,
            p.FilesBefore, p.Archived, p.Deleted, p.ArchiveFiles, p.Errors);
    }
}
