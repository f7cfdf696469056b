namespace Orchestrator.Api.DeadLetters;

/// <summary>A dead letter delivered again and removed.</summary>
public sealed record DeadLetterReplayed(long Id, bool Replayed);
