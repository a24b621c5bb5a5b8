using Confluent.Kafka;

namespace Fraud.Messaging;

/// <summary>
/// The batches a consume loop has closed and not yet committed, oldest first: waiting for a flush, being flushed, or
/// durable and waiting for a commit. Flushes take every waiting batch at once and run one at a time, so a batch never
/// becomes durable before an older one. Used by the loop's thread only.
/// </summary>
internal sealed class PendingBatches
{
    private enum Stage { Waiting, Flushing, Durable }

    private readonly List<(HeldMessages Messages, Stage Stage)> _batches = [];

    /// <summary>Closed and not yet durable: what back-pressure counts.</summary>
    public int NotDurable => _batches.Count(batch => batch.Stage != Stage.Durable);

    public bool AnyWaiting => _batches.Any(batch => batch.Stage == Stage.Waiting);

    public bool AnyDurable => _batches.Any(batch => batch.Stage == Stage.Durable);

    public bool IsEmpty => _batches.Count == 0;

    /// <summary>Messages in every pending batch.</summary>
    public int Count => _batches.Sum(batch => batch.Messages.Count);

    public void Close(HeldMessages batch) => _batches.Add((batch, Stage.Waiting));

    /// <summary>
    /// A flush starts with every waiting batch. Returns the offsets a commit after it covers: past the last message of
    /// each partition in all the batches, the durable ones included.
    /// </summary>
    public IReadOnlyList<TopicPartitionOffset> StartFlush()
    {
        for (int i = 0; i < _batches.Count; i++)
        {
            if (_batches[i].Stage == Stage.Waiting)
            {
                _batches[i] = (_batches[i].Messages, Stage.Flushing);
            }
        }

        // Batches go in order: a later batch's offset of a partition replaces an earlier one's.
        var next = new Dictionary<TopicPartition, TopicPartitionOffset>();
        foreach (var offset in _batches.SelectMany(batch => batch.Messages.NextOffsets))
        {
            next[offset.TopicPartition] = offset;
        }

        return [.. next.Values];
    }

    /// <summary>The running flush completed: its batches are durable; when a commit followed it, nothing is pending any more.</summary>
    public void FlushCompleted(bool committable)
    {
        if (committable)
        {
            _batches.RemoveAll(batch => batch.Stage != Stage.Waiting);
            return;
        }

        for (int i = 0; i < _batches.Count; i++)
        {
            if (_batches[i].Stage == Stage.Flushing)
            {
                _batches[i] = (_batches[i].Messages, Stage.Durable);
            }
        }
    }

    /// <summary>Where to read again when everything pending is given up: one per partition, at its oldest pending message.</summary>
    public IEnumerable<TopicPartitionOffset> FirstOffsets(HeldMessages open)
    {
        var first = new Dictionary<TopicPartition, TopicPartitionOffset>();
        foreach (var offset in _batches.Select(batch => batch.Messages).Append(open).SelectMany(batch => batch.FirstOffsets))
        {
            first.TryAdd(offset.TopicPartition, offset);   // the oldest batch that holds the partition comes first
        }

        return first.Values;
    }

    public void Clear() => _batches.Clear();
}
