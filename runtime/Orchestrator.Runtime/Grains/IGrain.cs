namespace Orchestrator.Runtime.Grains;

/// <summary>
/// Marker for grain interfaces. Methods returning <see cref="Task"/> are durable one-way commands: the call is
/// acknowledged once the message is stored, and the grain applies it exactly once. Methods returning
/// <see cref="Task{TResult}"/> or <see cref="ValueTask{TResult}"/> are reads: they run on the grain's last committed
/// state, need no turn and may not change anything.
/// </summary>
public interface IGrain;

/// <summary>A grain addressed by a string key.</summary>
public interface IGrainWithStringKey : IGrain;

/// <summary>A grain addressed by a <see cref="Guid"/> key (stored as its "D" string form).</summary>
public interface IGrainWithGuidKey : IGrain;

/// <summary>A grain addressed by a 64-bit integer key (stored as its invariant string form).</summary>
public interface IGrainWithIntegerKey : IGrain;
