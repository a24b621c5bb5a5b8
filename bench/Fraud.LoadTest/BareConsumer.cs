using System.Diagnostics;
using Confluent.Kafka;

namespace Fraud.LoadTest;

/// <summary>
/// The ceiling the detector is compared with: a plain Confluent.Kafka consumer with the client's defaults (as the
/// detector's, but no group membership and no commits) that reads a range of offsets and does nothing else with
/// the messages — no parsing, no decisions, no sinks.
/// </summary>
internal static class BareConsumer
{
    private const int ProgressStep = 10_000;

    /// <summary>Reads every partition from <paramref name="from"/> up to <paramref name="to"/>.</summary>
    /// <returns>How many messages it read and how long that took, from the assignment to the last message.</returns>
    public static (long Read, TimeSpan Elapsed) Read(string bootstrap, Offsets from, Offsets to, TimeSpan timeout, Action<long> progress)
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = $"fraud-loadtest-bare-{Guid.NewGuid():N}",
            EnableAutoCommit = false,
        }).SetLogHandler((_, _) => { }).Build();

        // Connect before the clock starts: the detector is long connected when its phase begins.
        foreach (var partition in from.ByPartition.Keys)
        {
            consumer.QueryWatermarkOffsets(partition, TimeSpan.FromSeconds(10));
        }

        var remaining = to.ByPartition.Where(entry => entry.Value > from.ByPartition[entry.Key])
            .ToDictionary(entry => entry.Key, entry => entry.Value);
        long read = 0;
        var clock = Stopwatch.StartNew();
        consumer.Assign(remaining.Keys.Select(partition => new TopicPartitionOffset(partition, from.ByPartition[partition])));
        while (remaining.Count > 0 && clock.Elapsed < timeout)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (result is null || result.IsPartitionEOF)
            {
                continue;
            }

            if (!remaining.TryGetValue(result.TopicPartition, out long end) || result.Offset.Value >= end)
            {
                continue;
            }

            read++;
            if (read % ProgressStep == 0)
            {
                progress(read);
            }

            if (result.Offset.Value + 1 >= end)
            {
                remaining.Remove(result.TopicPartition);
                consumer.Pause([result.TopicPartition]);
            }
        }

        clock.Stop();
        progress(read);
        consumer.Close();
        return (read, clock.Elapsed);
    }
}
