using System.Diagnostics;
using Confluent.Kafka;
using Fraud.Core;
using Fraud.Detector.Health;
using Fraud.Detector.Pipeline;
using Fraud.Messaging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Fraud.Detector.Sinks;

/// <summary>
/// Makes a flush's alerts durable, in order of importance: Postgres first (the record; retried until it succeeds, so the
/// caller never commits offsets past an alert that is not stored), then at once Redis (best effort) and the
/// <c>alerts.v1</c> topic (retried; consumers dedupe on tx_id, since a replay publishes again).
/// </summary>
internal sealed class AlertSink(
    PostgresAlertStore postgres,
    RedisAlertCache redis,
    IProducer<string?, byte[]> producer,
    Retry retry,
    DetectorMetrics metrics,
    SinkHealth health,
    IOptions<DetectorOptions> options,
    ILogger<AlertSink> logger)
{
    private readonly DetectorOptions _options = options.Value;

    /// <param name="raised">The flush's alerts; Postgres keeps their merchant and feature vector too.</param>
    public async Task WriteAsync(IReadOnlyList<BatchAlert> raised, CancellationToken cancellationToken)
    {
        if (raised.Count == 0)
        {
            return;
        }

        var stored = await retry.UntilSuccessAsync("postgres", () => postgres.InsertAsync(raised, cancellationToken), cancellationToken);
        var alerts = raised.Select(entry => entry.Alert).ToList();
        metrics.AlertsStored(stored);

        // One JSON form per alert serves both Redis and the topic.
        var payloads = new byte[alerts.Count][];
        for (var i = 0; i < alerts.Count; i++)
        {
            payloads[i] = AlertJson.SerializeToUtf8Bytes(alerts[i]);
        }

        // Redis and the topic do not depend on each other: write both at once.
        await Task.WhenAll(CacheAsync(alerts, payloads), PublishAsync(alerts, payloads, cancellationToken));
    }

    /// <summary>Best effort: a failure is counted and logged, never thrown.</summary>
    private async Task CacheAsync(IReadOnlyList<Alert> alerts, byte[][] payloads)
    {
        try
        {
            await redis.SetAsync(alerts, payloads, _options.DedupTtl);
            health.Succeeded("redis");
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            metrics.SinkFailed("redis");
            health.Failed("redis", ex.Message);
            logger.LogWarning("Redis unavailable, {Count} alerts stored in Postgres only: {Reason}", alerts.Count, ex.Message);
        }
    }

    private Task PublishAsync(IReadOnlyList<Alert> alerts, byte[][] payloads, CancellationToken cancellationToken)
    {
        // The alert carries the trace of the batch that stored it, so its consumers join the same trace.
        var headers = KafkaTraceContext.HeadersFor(Activity.Current);
        return retry.UntilSuccessAsync("alerts_topic", () => Task.WhenAll(alerts.Select((alert, i) =>
                producer.ProduceAsync(_options.AlertsTopic, new Message<string?, byte[]>
                {
                    Key = alert.UserId.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    Value = payloads[i],
                    Headers = headers,
                }, cancellationToken))),
            cancellationToken);
    }
}
