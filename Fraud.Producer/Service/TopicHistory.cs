using Confluent.Kafka;
using Fraud.Core;
using Fraud.Messaging;

namespace Fraud.Producer.Service;

/// <summary>What the transactions topic already holds when the live producer starts.</summary>
internal static class TopicHistory
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The newest event time among the last transactions of the topic's partitions, or null for an empty topic. A
    /// producer restarted on a running system backfills from no earlier than this, so that no card holder's
    /// transactions go back in time.
    /// </summary>
    public static DateTimeOffset? NewestEventTime(KafkaClientFactory kafka, string topic)
    {
        using var admin = kafka.CreateAdminClient();
        var partitions = admin.GetMetadata(topic, Timeout).Topics.SingleOrDefault()?.Partitions ?? [];
        using var consumer = kafka.CreateConsumerBuilder<Ignore, byte[]>("fraud-producer-history").Build();
        DateTimeOffset? newest = null;
        foreach (var partition in partitions)
        {
            var topicPartition = new TopicPartition(topic, partition.PartitionId);
            var offsets = consumer.QueryWatermarkOffsets(topicPartition, Timeout);
            if (offsets.High <= offsets.Low)
            {
                continue;
            }

            consumer.Assign(new TopicPartitionOffset(topicPartition, offsets.High - 1));
            // Anything else (a test's malformed message) is the detector's business, not history.
            if (consumer.Consume(Timeout)?.Message.Value is { } last && TransactionJson.TryParse(last, out var transaction, out _)
                && (newest is null || transaction.Ts > newest))
            {
                newest = transaction.Ts;
            }
        }

        return newest;
    }
}
