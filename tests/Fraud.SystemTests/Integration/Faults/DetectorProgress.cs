using Confluent.Kafka;

namespace Fraud.SystemTests.Integration.Faults;

/// <summary>
/// How far the detector's consumer group has got on <c>transactions.v1</c>, read from the broker: its committed
/// offsets (the detector commits a batch only once the batch is durable, so they count what it has really
/// processed, across restarts) and the topic's end. Uses a client in the detector's group id that never joins the
/// group, so it causes no rebalance.
/// </summary>
public sealed class DetectorProgress : IDisposable
{
    private const string Topic = "transactions.v1";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly IConsumer<string, byte[]> _client;
    private readonly List<TopicPartition> _partitions;

    public DetectorProgress(string bootstrap, string group = "fraud-detector")
    {
        _client = new ConsumerBuilder<string, byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = group,
            EnableAutoCommit = false,
            LogConnectionClose = false,
        }).SetLogHandler((_, _) => { }).Build(); // its reconnect attempts during a broker outage are expected
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build();
        _partitions = admin.GetMetadata(Topic, Timeout).Topics.Single().Partitions
            .Select(partition => new TopicPartition(Topic, partition.PartitionId)).ToList();
    }

    /// <summary>Messages committed by the group, summed over the partitions (retried while the broker is unreachable).</summary>
    public long Committed() => Retry(() => _client.Committed(_partitions, Timeout).Sum(offset => Math.Max(0, offset.Offset.Value)));

    /// <summary>Messages on the topic (the sum of the partitions' high watermarks).</summary>
    public long End() => Retry(() => _partitions.Sum(partition => _client.QueryWatermarkOffsets(partition, Timeout).High.Value));

    /// <summary>Waits until the group has committed at least <paramref name="target"/> messages; returns when it did.</summary>
    public async Task<DateTime> CommittedReachesAsync(long target, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (Committed() < target)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the detector committed {Committed()} of {target} messages within {within.TotalSeconds} s");
            }

            await Task.Delay(100);
        }

        return DateTime.UtcNow;
    }

    /// <summary>Waits until the group has committed past <paramref name="message"/>: the detector decided it and made it durable.</summary>
    public async Task CommittedPastAsync(TopicPartitionOffset message, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (Retry(() => _client.Committed([message.TopicPartition], Timeout).Single().Offset.Value) <= message.Offset.Value)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the detector did not commit past {message} within {within.TotalSeconds} s");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Like <see cref="CommittedReachesAsync"/>, but returns the committed count reached when time is up.</summary>
    public async Task<long> CommittedEventuallyAsync(long target, TimeSpan within)
    {
        try
        {
            await CommittedReachesAsync(target, within);
        }
        catch (TimeoutException)
        {
        }

        return Committed();
    }

    /// <summary>
    /// Retries for up to about 15 s: while the broker is unreachable, and while a new client's metadata does not know
    /// the partitions yet ("Local: Unknown partition", seen once under load right after the client was made).
    /// </summary>
    private static long Retry(Func<long> read)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return read();
            }
            catch (KafkaException) when (attempt < 30)
            {
                Thread.Sleep(500);
            }
        }
    }

    public void Dispose() => _client.Dispose();
}
