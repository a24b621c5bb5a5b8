using Confluent.Kafka;
using Fraud.Messaging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fraud.SystemTests.Integration.Messaging;

/// <summary>
/// The consume-loop base against the real broker: a rebalance never waits on a flush that cannot finish (a sink
/// retrying through an outage). Runs on a topic and group of its own on the shared system's broker.
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

        var settings = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Kafka:Consumer:session.timeout.ms"] = "6000" })
            .Build().GetSection("Kafka");
        var kafka = new KafkaClientFactory(system.KafkaBootstrap, settings, NullLoggerFactory.Instance);
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
