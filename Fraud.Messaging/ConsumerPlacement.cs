namespace Fraud.Messaging;

/// <summary>How a consume loop gets its partitions.</summary>
/// <param name="GroupId">The consumer group (also the client's name when it assigns itself partitions).</param>
/// <param name="Topic">The topic read.</param>
/// <param name="InGroup">
/// True: the group shares the topic's partitions and offsets are committed once the handler's work is durable.
/// False: every partition at its current end, nothing committed: a reader of what happens from now on.
/// </param>
/// <param name="AlsoAwait">Other topics that must exist before the loop starts (their partitions are handed to the loop).</param>
public sealed record ConsumerPlacement(string GroupId, string Topic, bool InGroup, IReadOnlyList<string> AlsoAwait)
{
    public static ConsumerPlacement Group(string groupId, string topic) => new(groupId, topic, InGroup: true, []);

    public static ConsumerPlacement EveryPartitionAtEnd(string clientName, string topic, params string[] alsoAwait) =>
        new(clientName, topic, InGroup: false, alsoAwait);
}

/// <summary>When the messages a loop holds are handed to its flush.</summary>
/// <param name="MaxMessages">Flush once this many are held.</param>
/// <param name="MaxWait">Flush once the oldest has waited this long.</param>
/// <param name="CloseWhenIdle">
/// Flush as soon as nothing more has been fetched: a quiet stream gets per-message latency, a busy one batches as
/// large as it needs. Without it, a batch waits for <paramref name="MaxWait"/> or <paramref name="MaxMessages"/>.
/// </param>
public sealed record Batching(int MaxMessages, TimeSpan MaxWait, bool CloseWhenIdle)
{
    /// <summary>Each message on its own.</summary>
    public static readonly Batching PerMessage = new(1, TimeSpan.Zero, CloseWhenIdle: true);
}

/// <summary>How far a loop may run ahead of its sinks.</summary>
/// <param name="MaxBatchesInFlight">
/// Batches closed and not yet durable (waiting or being flushed) before the loop stops reading: 1 reads nothing while a
/// flush runs; more lets the next batches be handled and closed while the sinks write, one flush at a time, in order.
/// </param>
/// <param name="CommitInterval">
/// How often, at most, durable work is committed: every flush before a commit is told so (a handler that keeps state
/// beside the offsets saves it then), the others are committed with a later one. Zero: after every flush.
/// </param>
public sealed record Overlap(int MaxBatchesInFlight, TimeSpan CommitInterval)
{
    /// <summary>One batch at a time, each committed once durable.</summary>
    public static readonly Overlap None = new(1, TimeSpan.Zero);
}
