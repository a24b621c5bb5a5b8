using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Fraud.AppHost.Infrastructure.Broker;

/// <summary>
/// Ready = the broker answers metadata and every declared topic exists with its declared partition count. With
/// <paramref name="createMissingTopics"/> (Redpanda) it creates missing topics; the local broker pre-creates them at
/// start instead (the mock cluster has no CreateTopics handler).
/// </summary>
internal sealed class KafkaReadinessCheck(IResourceWithConnectionString broker, bool createMissingTopics) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var bootstrap = await broker.ConnectionStringExpression.GetValueAsync(cancellationToken);
        if (string.IsNullOrEmpty(bootstrap))
        {
            return HealthCheckResult.Unhealthy("no bootstrap address yet");
        }
        var topics = broker.Annotations.OfType<KafkaTopicAnnotation>().ToList();
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap, SocketTimeoutMs = 3000 })
            .SetLogHandler((_, _) => { }) // a failure is this check's result; librdkafka would repeat it on stderr every retry
            .Build();
        try
        {
            var metadata = await Task.Run(() => admin.GetMetadata(TimeSpan.FromSeconds(3)), cancellationToken);
            var missing = topics.Where(t => !metadata.Topics.Any(m => m.Topic == t.Name && m.Error.Code == ErrorCode.NoError)).ToList();
            if (missing.Count > 0 && createMissingTopics)
            {
                await CreateTopicsAsync(admin, missing);
                return HealthCheckResult.Unhealthy($"created topics {string.Join(", ", missing.Select(t => t.Name))}");
            }
            if (missing.Count > 0)
            {
                return HealthCheckResult.Unhealthy($"topics missing: {string.Join(", ", missing.Select(t => t.Name))}");
            }
            var wrong = topics.Where(t => metadata.Topics.Single(m => m.Topic == t.Name).Partitions.Count != t.Partitions).ToList();
            return wrong.Count == 0
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"partition count differs for {string.Join(", ", wrong.Select(t => t.Name))}");
        }
        catch (KafkaException ex)
        {
            return HealthCheckResult.Unhealthy($"broker {bootstrap} not answering: {ex.Error.Reason}");
        }
    }

    private static async Task CreateTopicsAsync(IAdminClient admin, IEnumerable<KafkaTopicAnnotation> topics)
    {
        try
        {
            await admin.CreateTopicsAsync(topics.Select(t => new TopicSpecification
            {
                Name = t.Name,
                NumPartitions = t.Partitions,
                ReplicationFactor = 1,
            }));
        }
        catch (CreateTopicsException ex) when (ex.Results.All(r => r.Error.Code is ErrorCode.NoError or ErrorCode.TopicAlreadyExists))
        {
            // Another check got there first.
        }
    }
}
