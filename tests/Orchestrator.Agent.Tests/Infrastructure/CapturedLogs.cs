using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Orchestrator.Agent.Tests.Infrastructure;

/// <summary>A logger factory that keeps every entry, for tests that check what the agent logs and at which level.</summary>
public sealed class CapturedLogs : ILoggerFactory, ILogger
{
    private readonly ConcurrentQueue<LogEntry> entries = new();

    public IReadOnlyList<LogEntry> Entries => [.. entries];

    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        entries.Enqueue(new LogEntry(logLevel, eventId.Id, formatter(state, exception)));

    public void Dispose()
    {
    }
}

public sealed record LogEntry(LogLevel Level, int EventId, string Message);
