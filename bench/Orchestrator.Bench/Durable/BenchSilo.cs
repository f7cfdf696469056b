using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orchestrator.Runtime.Durable;
using Orchestrator.Runtime.Indexes;
using Orchestrator.Runtime.Persistence;
using Orleans;
using Orleans.Hosting;

namespace Orchestrator.Bench.Durable;

/// <summary>
/// One Orleans silo in this process (localhost clustering), durable grains writing through our grain storage provider
/// to <see cref="OrchestratorDatabaseOptions"/>' database, in-memory reminders (the sweeper's keep-alive only).
/// </summary>
internal sealed class BenchSilo : IAsyncDisposable
{
    private readonly IHost _host;

    private BenchSilo(IHost host, CountingDeadLetterSink deadLetters)
    {
        _host = host;
        DeadLetters = deadLetters;
    }

    public IGrainFactory Grains => _host.Services.GetRequiredService<IGrainFactory>();

    public OrchestratorDatabase Database => _host.Services.GetRequiredService<OrchestratorDatabase>();

    public CountingDeadLetterSink DeadLetters { get; }

    public static async Task<BenchSilo> StartAsync(OrchestratorDatabaseOptions database)
    {
        var deadLetters = new CountingDeadLetterSink();
        var builder = Host.CreateApplicationBuilder();
        // Warnings go to standard error with the bench's other diagnostics: standard output carries figures only.
        builder.Logging.ClearProviders().AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering();
            silo.AddOrchestratorDatabase(o =>
            {
                o.Store = database.Store;
                o.ConnectionString = database.ConnectionString;
            });
            silo.AddOrchestratorGrainStorage();
            silo.Services.AddSingleton<IIndexReader>(sp => sp.GetRequiredService<OrchestratorDatabase>().Indexes);
            silo.Services.AddSingleton<IDeadLetterSink>(deadLetters);
            silo.UseInMemoryReminderService();
            silo.AddDurableGrains();
        });
        var host = builder.Build();
        await host.StartAsync();
        return new BenchSilo(host, deadLetters);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
