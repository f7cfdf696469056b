namespace Orchestrator.Runtime.Grains;

/// <summary>Base of the exceptions the runtime throws to callers.</summary>
public class OrchestratorRuntimeException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A grain interface or type that no registered grain class implements.</summary>
public sealed class GrainTypeNotFoundException(string message) : OrchestratorRuntimeException(message);

/// <summary>A message body that cannot be read or does not match the grain's interface.</summary>
public sealed class InvalidMessageException(string message, Exception? inner = null) : OrchestratorRuntimeException(message, inner);

/// <summary>A read method tried to change state, send a message, change a reminder or write an index row.</summary>
public sealed class ReadOnlyTurnException(string message) : OrchestratorRuntimeException(message);
