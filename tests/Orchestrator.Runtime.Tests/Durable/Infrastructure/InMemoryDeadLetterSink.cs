using Orchestrator.Runtime.Durable;

namespace Orchestrator.Runtime.Tests.Durable.Infrastructure;

/// <summary>The dead-letter sink of the test clusters (the database table stands in for it in production).</summary>
public sealed class InMemoryDeadLetterSink : IDeadLetterSink
{
    private readonly Lock _sync = new();
    private readonly List<(long Id, DeadLetter Letter)> _letters = [];

    public Task<long> ParkAsync(DeadLetter letter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(letter);
        lock (_sync)
        {
            var existing = _letters.FirstOrDefault(l => l.Letter.Sender == letter.Sender && l.Letter.DedupeKey == letter.DedupeKey);
            if (existing.Letter is not null)
            {
                return Task.FromResult(existing.Id);
            }
            var id = _letters.Count + 1L;
            _letters.Add((id, letter));
            return Task.FromResult(id);
        }
    }

    public IReadOnlyList<(long Id, DeadLetter Letter)> Letters
    {
        get
        {
            lock (_sync)
            {
                return [.. _letters];
            }
        }
    }
}
