namespace Orchestrator.Runtime.Durable;

/// <summary>
/// Marks a grain interface method that is not a turn: it runs without the turn lock, is answered as soon as it
/// returns, and cannot change state, write index rows or send; it may queue what it was told and run turns of its own
/// (<c>TurnAsync</c>). For the highest fan-in calls, whose effects a grain batches into few turns (100,000 targets
/// reporting to one step: one turn and one snapshot of the step's state per report would cost more than the reports).
/// A dedupe key the call carries is dropped, not checked: the method must be idempotent by itself.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = true)]
public sealed class OutsideTurnAttribute : Attribute;
