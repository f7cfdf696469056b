namespace Orchestrator.Runtime.Durable;

/// <summary>
/// Marks a grain interface method whose effect the receiving grain's own state already makes idempotent (a step counts
/// each target's report once per attempt, say), so that a durable delivery's dedupe key is neither checked nor
/// recorded. Meant for high fan-in methods: 100,000 targets reporting to one step would otherwise fill the step's
/// applied-keys window and push out the keys that still matter.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = true)]
public sealed class DomainIdempotentAttribute : Attribute;
