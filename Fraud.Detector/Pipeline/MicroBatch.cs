using Confluent.Kafka;
using Fraud.Core;
using Fraud.Detector.State;

namespace Fraud.Detector.Pipeline;

/// <summary>What one micro-batch has consumed and decided, waiting to be made durable and committed.</summary>
internal sealed class MicroBatch
{
    private readonly Dictionary<TopicPartition, Offset> _nextOffsets = [];

    /// <summary>The messages, in the order consumed.</summary>
    public List<ConsumeResult<string?, byte[]>> Messages { get; } = [];

    public List<Alert> Alerts { get; } = [];

    /// <summary>The message each alert was raised for, in the same order (for its trace context).</summary>
    public List<ConsumeResult<string?, byte[]>> AlertSources { get; } = [];

    /// <summary>Each alert's full feature vector, in the same order (stored with it, so a reviewed alert is a training row).</summary>
    public List<float[]> AlertFeatures { get; } = [];

    public List<DeadLetter> DeadLetters { get; } = [];

    /// <summary>The users the batch decided for, with the position of their last transaction in it: what to checkpoint.</summary>
    public Dictionary<long, StatePosition> Touched { get; } = [];

    public int Processed { get; set; }

    public DateTimeOffset? OpenedAt { get; private set; }

    public bool IsEmpty => Messages.Count == 0;

    public void Add(ConsumeResult<string?, byte[]> message, DateTimeOffset now)
    {
        OpenedAt ??= now;
        Messages.Add(message);
        _nextOffsets[message.TopicPartition] = message.Offset + 1; // Kafka commits the next offset to read
    }

    /// <summary>Offsets to commit once the batch is durable: one per partition, past its last message.</summary>
    public IReadOnlyList<TopicPartitionOffset> OffsetsToCommit() =>
        _nextOffsets.Select(entry => new TopicPartitionOffset(entry.Key, entry.Value)).ToList();

    public void Clear()
    {
        _nextOffsets.Clear();
        Messages.Clear();
        Alerts.Clear();
        AlertSources.Clear();
        AlertFeatures.Clear();
        DeadLetters.Clear();
        Touched.Clear();
        Processed = 0;
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
