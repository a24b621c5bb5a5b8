using Confluent.Kafka;

namespace Fraud.Messaging;

/// <summary>
/// What a consume loop has handed to its handler since the last flush: the offsets to commit once the handler says the
/// work is durable, and when the batch opened. Used by the loop's thread only.
/// </summary>
internal sealed class HeldMessages
{
    private readonly Dictionary<TopicPartition, (Offset First, Offset Next)> _offsets = [];

    public int Count { get; private set; }

    public DateTimeOffset? Since { get; private set; }

    /// <summary>Offsets to commit once the batch is durable: one per partition, past its last message (Kafka commits the next offset to read).</summary>
    public IEnumerable<TopicPartitionOffset> NextOffsets => _offsets.Select(entry => new TopicPartitionOffset(entry.Key, entry.Value.Next));

    /// <summary>Where to read again when the batch is given up: one per partition, at its first message.</summary>
    public IEnumerable<TopicPartitionOffset> FirstOffsets => _offsets.Select(entry => new TopicPartitionOffset(entry.Key, entry.Value.First));

    public void Add(TopicPartitionOffset message, DateTimeOffset now)
    {
        Since ??= now;
        Count++;
        var first = _offsets.TryGetValue(message.TopicPartition, out var held) ? held.First : message.Offset;
        _offsets[message.TopicPartition] = (first, message.Offset + 1);   // messages of a partition come in order
    }

    /// <param name="idle">The last poll returned no message.</param>
    public bool FlushDue(Batching batching, bool idle, DateTimeOffset now) =>
        Count > 0 && (Count >= batching.MaxMessages || (idle && batching.CloseWhenIdle) || now - Since >= batching.MaxWait);

    /// <summary>How long the next poll may wait: with a batch open, only what the batch can still wait.</summary>
    public TimeSpan PollTimeout(Batching batching, TimeSpan idle, DateTimeOffset now)
    {
        if (Count == 0)
        {
            return idle;
        }

        // Never negative: librdkafka reads a negative timeout as "wait forever".
        return batching.CloseWhenIdle ? TimeSpan.Zero : TimeSpan.FromTicks(Math.Max(0, (batching.MaxWait - (now - Since!.Value)).Ticks));
    }

    public void Clear()
    {
        _offsets.Clear();
        Count = 0;
        Since = null;
    }
}
