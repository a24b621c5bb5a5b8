using Confluent.Kafka;
using Fraud.Core;

namespace Fraud.Detector.Pipeline;

/// <summary>What one micro-batch has consumed and decided, waiting to be made durable and committed.</summary>
internal sealed class MicroBatch
{
    private readonly Dictionary<TopicPartition, Offset> _nextOffsets = [];

    public List<Alert> Alerts { get; } = [];
    public List<DeadLetter> DeadLetters { get; } = [];
    public int Processed { get; set; }
    public int Consumed { get; private set; }
    public DateTimeOffset? OpenedAt { get; private set; }

    /// <summary>Records that everything up to and including <paramref name="consumed"/> belongs to this batch.</summary>
    public void Track(TopicPartitionOffset consumed, DateTimeOffset now)
    {
        OpenedAt ??= now;
        Consumed++;
        _nextOffsets[consumed.TopicPartition] = consumed.Offset + 1; // Kafka commits the next offset to read
    }

    /// <summary>Offsets to commit once the batch is durable: one per partition, past its last message.</summary>
    public IReadOnlyList<TopicPartitionOffset> OffsetsToCommit() =>
        _nextOffsets.Select(entry => new TopicPartitionOffset(entry.Key, entry.Value)).ToList();

    public bool IsEmpty => Consumed == 0;

    public void Clear()
    {
        _nextOffsets.Clear();
        Alerts.Clear();
        DeadLetters.Clear();
        Processed = 0;
        Consumed = 0;
        OpenedAt = null;
    }
}

/// <summary>A message that broke the contract, with the reason that goes into its dead-letter header.</summary>
internal sealed record DeadLetter(ConsumeResult<string?, byte[]> Source, string Reason)
{
    /// <summary>The field the reason names ("amount: must be …" → "amount"); a bounded metric label.</summary>
    public string Field => Reason.IndexOf(':') is > 0 and var colon && !Reason.StartsWith("invalid JSON", StringComparison.Ordinal)
        ? Reason[..colon]
        : "json";
}
