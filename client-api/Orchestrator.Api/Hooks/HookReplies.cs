namespace Orchestrator.Api.Hooks;

/// <summary>Parked status hook events queued again: the instance, the hook's subject, and how many events were.</summary>
public sealed record HookReplayed(string Id, string Subject, int Replayed);
