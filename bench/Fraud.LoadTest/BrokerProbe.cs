using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Fraud.LoadTest;

/// <summary>Per-partition offsets of a topic: where it ends, and how far a consumer group has committed.</summary>
internal sealed class BrokerProbe : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly IAdminClient _admin;
    private readonly IConsumer<byte[], byte[]> _consumer;

    public BrokerProbe(string bootstrap)
    {
        _admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).SetLogHandler((_, _) => { }).Build();
        // Never subscribes: it only asks for watermarks.
        _consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = "fraud-loadtest-probe" })
            .SetLogHandler((_, _) => { })
            .Build();
    }

    public IReadOnlyList<TopicPartition> Partitions(string topic)
    {
        var metadata = _admin.GetMetadata(topic, Timeout);
        var found = metadata.Topics.SingleOrDefault(candidate => candidate.Topic == topic);
        if (found is null || found.Error.IsError || found.Partitions.Count == 0)
        {
            throw new InvalidOperationException($"topic {topic} is not on the broker ({found?.Error.Reason ?? "no metadata"})");
        }

        return found.Partitions.Select(partition => new TopicPartition(topic, partition.PartitionId)).OrderBy(partition => partition.Partition.Value).ToList();
    }

    /// <summary>The offset the next message of each partition will get.</summary>
    public Offsets High(IReadOnlyList<TopicPartition> partitions) =>
        new(partitions.ToDictionary(partition => partition, partition => _consumer.QueryWatermarkOffsets(partition, Timeout).High.Value));

    /// <summary>The oldest offset each partition still holds (the local broker drops old messages past its cap).</summary>
    public Offsets Low(IReadOnlyList<TopicPartition> partitions) =>
        new(partitions.ToDictionary(partition => partition, partition => _consumer.QueryWatermarkOffsets(partition, Timeout).Low.Value));

    /// <summary>The group's committed offsets (the next offset it will read); 0 where it has committed nothing.</summary>
    public async Task<Offsets> CommittedAsync(string group, IReadOnlyList<TopicPartition> partitions)
    {
        var results = await _admin.ListConsumerGroupOffsetsAsync(
            [new ConsumerGroupTopicPartitions(group, [.. partitions])],
            new ListConsumerGroupOffsetsOptions { RequestTimeout = Timeout });
        return new(results.Single().Partitions.ToDictionary(
            partition => partition.TopicPartition,
            partition => partition.Offset.IsSpecial ? 0 : partition.Offset.Value));
    }

    public void Dispose()
    {
        _consumer.Dispose();
        _admin.Dispose();
    }
}

/// <summary>One offset per partition.</summary>
internal sealed record Offsets(IReadOnlyDictionary<TopicPartition, long> ByPartition)
{
    /// <summary>How many offsets lie between <paramref name="from"/> and this, summed over partitions (never negative per partition).</summary>
    public long Since(Offsets from) =>
        ByPartition.Sum(entry => Math.Max(0, entry.Value - from.ByPartition.GetValueOrDefault(entry.Key)));

    /// <summary>Per partition, this offset or <paramref name="floor"/>'s, whichever is later.</summary>
    public Offsets AtLeast(Offsets floor) =>
        new(ByPartition.ToDictionary(entry => entry.Key, entry => Math.Max(entry.Value, floor.ByPartition.GetValueOrDefault(entry.Key))));

    /// <summary>Whether every partition is at or before <paramref name="other"/>.</summary>
    public bool AtOrBefore(Offsets other) =>
        ByPartition.All(entry => entry.Value <= other.ByPartition.GetValueOrDefault(entry.Key));
}
