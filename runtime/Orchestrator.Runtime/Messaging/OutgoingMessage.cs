using Orchestrator.Runtime.Grains;

namespace Orchestrator.Runtime.Messaging;

/// <summary>A message to store in a grain's inbox. The dedupe key makes a resend of it a no-op.</summary>
internal sealed record OutgoingMessage(GrainId Target, int Shard, string DedupeKey, byte[] Payload, DateTimeOffset VisibleAt);

/// <summary>A stored message waiting for (or being applied by) its grain.</summary>
internal sealed record InboxMessage(long Id, int Shard, GrainId Target, string DedupeKey, byte[] Payload, int Attempts);
