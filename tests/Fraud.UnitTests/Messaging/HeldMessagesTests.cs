using Confluent.Kafka;
using Fraud.Messaging;

namespace Fraud.UnitTests.Messaging;

/// <summary>The consume loop's bookkeeping of what it holds: which offsets a flush commits, and when a batch closes.</summary>
public sealed class HeldMessagesTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly Batching UpTo100Within50Ms = new(100, TimeSpan.FromMilliseconds(50), CloseWhenIdle: true);

    private static TopicPartitionOffset At(int partition, long offset) => new("t", partition, offset);

    [Fact]
    public void A_flush_commits_past_the_last_message_of_each_partition_and_a_give_up_reads_again_from_the_first()
    {
        var held = new HeldMessages();
        held.Add(At(0, 10), Start);
        held.Add(At(1, 7), Start);
        held.Add(At(0, 11), Start);
        held.Add(At(0, 12), Start);

        Assert.Equal([At(0, 13), At(1, 8)], held.NextOffsets.OrderBy(offset => offset.Partition.Value));
        Assert.Equal([At(0, 10), At(1, 7)], held.FirstOffsets.OrderBy(offset => offset.Partition.Value));
        Assert.Equal(4, held.Count);

        held.Clear();
        Assert.Empty(held.NextOffsets);
        Assert.Null(held.Since);
    }

    [Fact]
    public void A_batch_closes_when_full_when_its_oldest_message_has_waited_long_enough_or_when_nothing_more_is_waiting()
    {
        var held = new HeldMessages();
        Assert.False(held.FlushDue(UpTo100Within50Ms, idle: true, Start));   // nothing held: nothing to flush

        held.Add(At(0, 0), Start);
        Assert.False(held.FlushDue(UpTo100Within50Ms, idle: false, Start.AddMilliseconds(49)));
        Assert.True(held.FlushDue(UpTo100Within50Ms, idle: true, Start));
        Assert.True(held.FlushDue(UpTo100Within50Ms, idle: false, Start.AddMilliseconds(50)));
        Assert.False(held.FlushDue(UpTo100Within50Ms with { MaxWait = TimeSpan.FromHours(1) }, idle: false, Start.AddMilliseconds(50)));

        for (int offset = 1; offset < 100; offset++)
        {
            held.Add(At(0, offset), Start);
        }

        Assert.True(held.FlushDue(UpTo100Within50Ms, idle: false, Start));
    }

    [Fact]
    public void Without_closing_when_idle_a_batch_waits_for_its_window_and_the_poll_never_waits_past_it()
    {
        var window = new Batching(1_000, TimeSpan.FromMilliseconds(200), CloseWhenIdle: false);
        var held = new HeldMessages();
        Assert.Equal(TimeSpan.FromMilliseconds(500), held.PollTimeout(window, TimeSpan.FromMilliseconds(500), Start));

        held.Add(At(0, 0), Start);
        Assert.False(held.FlushDue(window, idle: true, Start.AddMilliseconds(150)));
        Assert.Equal(TimeSpan.FromMilliseconds(50), held.PollTimeout(window, TimeSpan.FromMilliseconds(500), Start.AddMilliseconds(150)));
        Assert.Equal(TimeSpan.Zero, held.PollTimeout(window, TimeSpan.FromMilliseconds(500), Start.AddMilliseconds(250)));   // never negative: that would wait forever
        Assert.Equal(TimeSpan.Zero, held.PollTimeout(UpTo100Within50Ms, TimeSpan.FromMilliseconds(500), Start));             // closing when idle: take only what is fetched
    }
}
