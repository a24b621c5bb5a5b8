using Confluent.Kafka;
using Fraud.Messaging;

namespace Fraud.UnitTests.Messaging;

/// <summary>
/// The consume loop's bookkeeping of batches in flight: a flush takes every closed batch, a commit the batches it
/// captured once they are durable (beside the next flush), and a give-up reads again from the oldest message not committed.
/// </summary>
public sealed class PendingBatchesTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static TopicPartitionOffset At(int partition, long offset) => new("t", partition, offset);

    private static HeldMessages Batch(params TopicPartitionOffset[] messages)
    {
        var batch = new HeldMessages();
        foreach (var message in messages)
        {
            batch.Add(message, Start);
        }

        return batch;
    }

    private static List<TopicPartitionOffset> Ordered(IEnumerable<TopicPartitionOffset> offsets) =>
        [.. offsets.OrderBy(offset => offset.Partition.Value)];

    [Fact]
    public void A_flush_takes_every_closed_batch_and_a_commit_the_batches_it_captured_once_they_are_durable()
    {
        var pending = new PendingBatches();
        pending.Close(Batch(At(0, 10), At(0, 11)));
        pending.Close(Batch(At(1, 5)));
        Assert.Equal(2, pending.NotDurable);

        pending.StartFlush();
        Assert.False(pending.AnyWaiting);
        pending.Capture();   // the commit takes both batches while they are being flushed, and waits for them
        Assert.True(pending.AnyCaptured);
        Assert.False(pending.CapturedDurable);
        Assert.Throws<InvalidOperationException>(() => pending.StartCommit());

        pending.Close(Batch(At(0, 12)));   // closed after the capture: the next commit's
        Assert.True(pending.AnyUncaptured);
        Assert.Equal(3, pending.NotDurable);
        pending.FlushCompleted();
        Assert.Equal(1, pending.NotDurable);
        Assert.True(pending.CapturedDurable);

        // The next flush runs beside the commit of the first two batches, which covers them only.
        pending.StartFlush();
        Assert.Equal([At(0, 12), At(1, 6)], Ordered(pending.StartCommit()));
        Assert.False(pending.AnyCaptured);
        pending.FlushCompleted();
        Assert.False(pending.CapturedDurable);   // durable, but no commit captured it
        pending.CommitCompleted();

        Assert.Equal(1, pending.Count);
        pending.Capture();
        Assert.False(pending.AnyUncaptured);
        Assert.Equal([At(0, 13)], Ordered(pending.StartCommit()));
        pending.CommitCompleted();
        Assert.True(pending.IsEmpty);
    }

    [Fact]
    public void A_give_up_reads_each_partition_again_from_its_oldest_message_not_committed_the_open_batch_included()
    {
        var pending = new PendingBatches();
        pending.Close(Batch(At(0, 10)));
        pending.StartFlush();
        pending.FlushCompleted();
        pending.Capture();
        pending.StartCommit();   // being committed: still given up
        pending.Close(Batch(At(0, 11), At(1, 3)));
        pending.StartFlush();
        pending.Close(Batch(At(1, 4)));

        Assert.Equal([At(0, 10), At(1, 3), At(2, 0)], Ordered(pending.FirstOffsets(Batch(At(2, 0), At(1, 5)))));
        Assert.Equal(4, pending.Count);

        pending.Clear();
        Assert.True(pending.IsEmpty);
        Assert.Empty(pending.FirstOffsets(new HeldMessages()));
    }
}
