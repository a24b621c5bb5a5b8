using Confluent.Kafka;

namespace Fraud.Messaging;

/// <summary>
/// The batches a consume loop has closed and not yet committed, oldest first: waiting for a flush, being flushed,
/// durable, or being committed. Flushes take every waiting batch at once and run one at a time, so a batch never
/// becomes durable before an older one. A commit is decided in two steps: it captures every batch closed so far (the
/// handler captures the state it keeps beside their offsets at the same moment), then starts once they are all durable.
/// Used by the loop's thread only.
/// </summary>
internal sealed class PendingBatches
{
    private enum Stage { Waiting, Flushing, Durable, Committing }

    private readonly List<(HeldMessages Messages, Stage Stage, bool Captured)> _batches = [];

    /// <summary>Closed and not yet durable: what back-pressure counts.</summary>
    public int NotDurable => _batches.Count(batch => batch.Stage is Stage.Waiting or Stage.Flushing);

    public bool AnyWaiting => _batches.Any(batch => batch.Stage == Stage.Waiting);

    /// <summary>Batches that no commit has captured yet.</summary>
    public bool AnyUncaptured => _batches.Any(batch => !batch.Captured);

    /// <summary>Batches captured for a commit that has not started yet.</summary>
    public bool AnyCaptured => _batches.Any(batch => batch.Captured && batch.Stage != Stage.Committing);

    /// <summary>A commit can start: it has captured batches, and they are all durable.</summary>
    public bool CapturedDurable => AnyCaptured && _batches.All(batch => !batch.Captured || batch.Stage is Stage.Durable or Stage.Committing);

    public bool IsEmpty => _batches.Count == 0;

    /// <summary>Messages in every pending batch.</summary>
    public int Count => _batches.Sum(batch => batch.Messages.Count);

    public void Close(HeldMessages batch) => _batches.Add((batch, Stage.Waiting, false));

    /// <summary>A flush starts with every waiting batch.</summary>
    public void StartFlush() => Move(Stage.Waiting, Stage.Flushing);

    /// <summary>The running flush completed: its batches are durable.</summary>
    public void FlushCompleted() => Move(Stage.Flushing, Stage.Durable);

    /// <summary>The next commit takes every batch closed so far, once they are durable (<see cref="CapturedDurable"/>).</summary>
    public void Capture()
    {
        for (int i = 0; i < _batches.Count; i++)
        {
            _batches[i] = _batches[i] with { Captured = true };
        }
    }

    /// <summary>
    /// The captured batches' commit starts (they are durable). Returns the offsets it commits: past the last message of
    /// each partition in those batches (batches are captured in order, so every older batch is committed already).
    /// </summary>
    public IReadOnlyList<TopicPartitionOffset> StartCommit()
    {
        if (!CapturedDurable)
        {
            throw new InvalidOperationException("A commit starts once the batches it captured are durable.");
        }

        for (int i = 0; i < _batches.Count; i++)
        {
            if (_batches[i].Captured)
            {
                _batches[i] = _batches[i] with { Stage = Stage.Committing };
            }
        }

        var next = new Dictionary<TopicPartition, TopicPartitionOffset>();
        foreach (var offset in _batches.Where(batch => batch.Stage == Stage.Committing).SelectMany(batch => batch.Messages.NextOffsets))
        {
            next[offset.TopicPartition] = offset;   // a later batch's offset of a partition replaces an earlier one's
        }

        return [.. next.Values];
    }

    /// <summary>The running commit completed (or will be retried on its own): its batches are no longer pending.</summary>
    public void CommitCompleted() => _batches.RemoveAll(batch => batch.Stage == Stage.Committing);

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

    private void Move(Stage from, Stage to)
    {
        for (int i = 0; i < _batches.Count; i++)
        {
            if (_batches[i].Stage == from)
            {
                _batches[i] = _batches[i] with { Stage = to };
            }
        }
    }
}
