using Confluent.Kafka;
using Fraud.Messaging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fraud.SystemTests.Integration.Messaging;

/// <summary>
/// The consume-loop base against the real broker: a rebalance never waits on a flush that cannot finish (a sink
/// retrying through an outage), and one that comes while batches are in flight stores and commits each exactly once.
/// Each test runs on a topic and group of its own on the shared system's broker.
/// </summary>
[Collection(FraudSystemCollection.Name)]
public sealed class ConsumeLoopRebalanceTests(FraudSystemFixture system)
{
    private const int Partitions = 4;   // what the broker gives a topic it creates on first use
    private static readonly Batching HoldEveryPartition = new(Partitions, TimeSpan.FromSeconds(5), CloseWhenIdle: false);

    [Fact]
    public async Task A_revoke_whose_flush_cannot_finish_gives_the_batch_up_uncommitted_and_the_kept_partitions_are_read_again()
    {
        string topic = $"test-revoke-{Guid.NewGuid():N}";
        string group = $"test-revoke-{Guid.NewGuid():N}";
        using (var producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig { BootstrapServers = system.KafkaBootstrap }).Build())
        {
            for (int partition = 0; partition < Partitions; partition++)
            {
                await producer.ProduceAsync(new TopicPartition(topic, partition), new Message<Null, byte[]> { Value = [1] });
            }
        }

        var kafka = ShortSessions();
        using var loop = new StuckFlushLoop(kafka, group, topic);
        await loop.StartAsync(CancellationToken.None);
        try
        {
            await FraudSystem.EventuallyAsync(() => Task.FromResult(loop.Flushing ? "flushing" : null), "the loop to hold a batch it cannot flush");

            // A second member joins: the loop must hand over partitions while its flush still cannot finish.
            using var joiner = kafka.CreateConsumerBuilder<Ignore, byte[]>(group).Build();
            joiner.Subscribe(topic);
            var joined = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (joiner.Assignment.Count == 0 && DateTime.UtcNow < joined)
            {
                joiner.Consume(TimeSpan.FromMilliseconds(200));   // what it reads is never committed
            }

            Assert.NotEmpty(joiner.Assignment);
            Assert.True(loop.GivenUp > 0, "the loop gave its batch up");
            var everyPartition = Enumerable.Range(0, Partitions).Select(partition => new TopicPartition(topic, partition)).ToList();
            Assert.All(joiner.Committed(everyPartition, TimeSpan.FromSeconds(10)), offset => Assert.Equal(Offset.Unset, offset.Offset));

            // Once the sink can write again, the partitions the loop kept are read again from the given-up batch, not past it.
            var kept = everyPartition.Except(joiner.Assignment).ToList();
            loop.Release();
            await FraudSystem.EventuallyAsync(() => Task.FromResult(joiner.Committed(kept, TimeSpan.FromSeconds(10)).All(offset => offset.Offset == 1) ? "committed" : null),
                "the loop to commit the messages of the partitions it kept");
            joiner.Close();
        }
        finally
        {
            loop.Release();
            await loop.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_rebalance_with_several_batches_in_flight_stores_each_message_once_and_commits_exactly_what_is_stored()
    {
        const int perPartition = 6;
        string topic = $"test-inflight-{Guid.NewGuid():N}";
        string group = $"test-inflight-{Guid.NewGuid():N}";
        using (var producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig { BootstrapServers = system.KafkaBootstrap }).Build())
        {
            for (int partition = 0; partition < Partitions; partition++)
            {
                for (int i = 0; i < perPartition; i++)
                {
                    await producer.ProduceAsync(new TopicPartition(topic, partition), new Message<Null, byte[]> { Value = [1] });
                }
            }
        }

        var kafka = ShortSessions();
        var everyPartition = Enumerable.Range(0, Partitions).Select(partition => new TopicPartition(topic, partition)).ToList();
        using var loop = new SlowFlushLoop(kafka, group, topic);
        await loop.StartAsync(CancellationToken.None);
        try
        {
            await FraudSystem.EventuallyAsync(() => Task.FromResult(loop.InFlight >= 3 ? "in flight" : null), "several batches in flight");

            // A second member joins while batches are closed and not durable, and durable ones wait for their commit.
            using var joiner = kafka.CreateConsumerBuilder<Ignore, byte[]>(group).Build();
            joiner.Subscribe(topic);
            var joined = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (joiner.Assignment.Count == 0 && DateTime.UtcNow < joined)
            {
                joiner.Consume(TimeSpan.FromMilliseconds(200));   // what it reads is never committed
            }

            var moved = joiner.Assignment.ToList();
            Assert.NotEmpty(moved);
            Assert.Equal(0, loop.GivenUp);

            // The revoke stored every batch in flight and committed exactly what was stored: the new owner starts there.
            var stored = loop.Stored();
            Assert.Equal(stored.Count, stored.Distinct().Count());
            foreach (var committed in joiner.Committed(moved, TimeSpan.FromSeconds(10)))
            {
                var ofPartition = stored.Where(message => message.Partition == committed.Partition.Value).Select(message => message.Offset).Order().ToList();
                Assert.Equal(Enumerable.Range(0, ofPartition.Count).Select(offset => (long)offset), ofPartition);
                Assert.Equal(ofPartition.Count, committed.Offset.Value);
            }

            joiner.Close();

            // The moved partitions come back when the joiner leaves: the loop reads every partition to its end.
            await FraudSystem.EventuallyAsync(() => Task.FromResult(loop.Stored().Count >= Partitions * perPartition ? "all" : null), "every message stored");
        }
        finally
        {
            await loop.StopAsync(CancellationToken.None);
        }

        // Each message stored once, and at shutdown every partition committed at its end.
        var all = loop.Stored();
        Assert.Equal(Partitions * perPartition, all.Distinct().Count());
        Assert.Equal(all.Count, all.Distinct().Count());
        using var reader = kafka.CreateConsumerBuilder<Ignore, byte[]>(group).Build();
        Assert.All(reader.Committed(everyPartition, TimeSpan.FromSeconds(10)), committed => Assert.Equal(perPartition, committed.Offset.Value));
    }

    private KafkaClientFactory ShortSessions()
    {
        var settings = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Kafka:Consumer:session.timeout.ms"] = "6000" })
            .Build().GetSection("Kafka");
        return new KafkaClientFactory(system.KafkaBootstrap, settings, NullLoggerFactory.Instance);
    }

    /// <summary>
    /// Each message its own batch; a flush takes 300 ms, up to 8 batches in flight, and commits wait an hour: so batches
    /// are always closed and not durable, or durable and not committed, until a rebalance or the shutdown.
    /// </summary>
    private sealed class SlowFlushLoop(KafkaClientFactory kafka, string group, string topic)
        : KafkaConsumerService<Ignore, byte[]>(kafka, NullLogger.Instance)
    {
        private readonly List<(int Partition, long Offset)> _stored = [];
        private List<(int Partition, long Offset)> _handled = [];
        private readonly List<(int Partition, long Offset)> _closed = [];
        private int _inFlight;
        private int _givenUp;

        public int InFlight => Volatile.Read(ref _inFlight);

        public int GivenUp => Volatile.Read(ref _givenUp);

        public List<(int Partition, long Offset)> Stored()
        {
            lock (_stored)
            {
                return [.. _stored];
            }
        }

        protected override ConsumerPlacement Placement { get; } = ConsumerPlacement.Group(group, topic);

        protected override Overlap Overlap { get; } = new(MaxBatchesInFlight: 8, CommitInterval: TimeSpan.FromHours(1));

        protected override void Handle(ConsumeResult<Ignore, byte[]> message) => _handled.Add((message.Partition.Value, message.Offset.Value));

        protected override void Close()
        {
            _closed.AddRange(_handled);
            _handled = [];
            Interlocked.Increment(ref _inFlight);
        }

        protected override Task FlushAsync(CancellationToken cancellationToken)
        {
            List<(int, long)> batch = [.. _closed];
            _closed.Clear();
            return StoreAsync(batch, cancellationToken);
        }

        private async Task StoreAsync(List<(int, long)> batch, CancellationToken cancellationToken)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(300), cancellationToken);
            lock (_stored)
            {
                _stored.AddRange(batch);
            }

            Interlocked.Add(ref _inFlight, -batch.Count);
        }

        protected override void Abandon() => Interlocked.Increment(ref _givenUp);
    }

    /// <summary>A loop whose flush waits, until released, as a sink retrying through an outage does.</summary>
    private sealed class StuckFlushLoop(KafkaClientFactory kafka, string group, string topic)
        : KafkaConsumerService<Ignore, byte[]>(kafka, NullLogger.Instance)
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private volatile bool _flushing;
        private int _givenUp;

        public bool Flushing => _flushing;

        public int GivenUp => Volatile.Read(ref _givenUp);

        protected override ConsumerPlacement Placement { get; } = ConsumerPlacement.Group(group, topic);

        // Until released, the batch waits for the message of every partition (all are there before the loop starts), so
        // whichever partitions the loop keeps, it held some of them; then each message on its own.
        protected override Batching Batching => _release.Task.IsCompleted ? Batching.PerMessage : HoldEveryPartition;

        public void Release() => _release.TrySetResult();

        protected override void Handle(ConsumeResult<Ignore, byte[]> message)
        {
        }

        protected override Task FlushAsync(CancellationToken cancellationToken)
        {
            _flushing = true;
            return _release.Task.WaitAsync(cancellationToken);
        }

        protected override void Abandon() => Interlocked.Increment(ref _givenUp);
    }
}
