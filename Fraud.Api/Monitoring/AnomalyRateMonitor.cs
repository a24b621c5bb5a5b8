using Confluent.Kafka;
using Fraud.Core.Alerting;
using Microsoft.Extensions.Options;

namespace Fraud.Api.Monitoring;

/// <summary>
/// Watches the anomaly rate (alerts / transactions) of the whole system and raises the webhook alarm.
/// <para>
/// It counts messages on <c>transactions.v1</c> and <c>alerts.v1</c> by broker timestamp, without parsing them, into a
/// per-second <see cref="AnomalyRateWindow"/>, and every <see cref="AlertingOptions.EvaluationInterval"/> hands the
/// window (ending <see cref="AlertingOptions.SettleDelay"/> ago, so an alert published just after its transaction is
/// in) to the <see cref="AnomalyAlarm"/>; a transition goes to the <see cref="WebhookNotifier"/>'s queues.
/// </para>
/// <para>
/// Why the topics: every detector replica writes to them, so the rate covers all replicas without asking each one;
/// the detector does not change and never waits for the alarm. Why no consumer group: the reader assigns itself
/// every partition at the current end, so it sees all the traffic (a group would split it between API replicas and
/// each would see part of the rate), commits nothing, and restarts at once (a group's lone member waits out the
/// session timeout on rejoin). With several API replicas each would notify: enable webhooks on one.
/// An alert replayed after a detector crash is counted again, which overstates the rate briefly; a crash is rare
/// and shows on its own.
/// </para>
/// </summary>
internal sealed class AnomalyRateMonitor(
    KafkaClientFactory kafka, IOptions<AlertingOptions> options, WebhookNotifier notifier, AlertingMetrics metrics, TimeProvider time,
    ILogger<AnomalyRateMonitor> logger) : BackgroundService
{
    public const string TransactionsTopic = "transactions.v1";
    public const string AlertsTopic = "alerts.v1";
    private static readonly TimeSpan Margin = TimeSpan.FromMinutes(1);

    // Consume() blocks, so the reader gets its own thread instead of a pool thread.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        options.Value.Enabled
            ? Task.Factory.StartNew(() => Watch(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default)
            : Task.CompletedTask;

    private void Watch(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var window = new AnomalyRateWindow(settings.Window, settings.SettleDelay + Margin);
        var alarm = new AnomalyAlarm(settings.Thresholds);
        using var consumer = kafka.CreateConsumerBuilder<Ignore, Ignore>("fraud-api-anomaly-rate").Build();
        try
        {
            AssignAtEnd(consumer, stoppingToken);
            logger.LogInformation("Watching the anomaly rate over {Window} (limit {Limit}, clear below {ClearBelow}, {Webhooks} webhook(s))",
                settings.Window, settings.Limit, settings.ClearBelow, settings.Webhooks.Length);
            if (settings.Webhooks.Length > 0 && string.IsNullOrEmpty(settings.Secret))
            {
                logger.LogWarning("Alerting:Secret is not set: webhook notifications are sent unsigned");
            }
            var nextEvaluation = time.GetUtcNow() + settings.EvaluationInterval;
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { IsPartitionEOF: false } result)
                    {
                        var at = result.Message.Timestamp.UtcDateTime;
                        if (result.Topic == AlertsTopic)
                        {
                            window.AddAlerts(at);
                        }
                        else
                        {
                            window.AddTransactions(at);
                        }
                    }
                }
                catch (ConsumeException ex) when (!ex.Error.IsFatal)
                {
                    logger.LogWarning("Reading {Topics} failed: {Reason}", $"{TransactionsTopic}, {AlertsTopic}", ex.Error.Reason);
                }

                var now = time.GetUtcNow();
                if (now >= nextEvaluation)
                {
                    nextEvaluation = now + settings.EvaluationInterval;
                    Evaluate(window, alarm, now, settings);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            consumer.Close();
        }
    }

    private void Evaluate(AnomalyRateWindow window, AnomalyAlarm alarm, DateTimeOffset now, AlertingOptions settings)
    {
        var counts = window.CountsAt(now - settings.SettleDelay);
        var transition = alarm.Evaluate(counts, now);
        metrics.Evaluated(counts, alarm.State, decided: counts.Transactions >= settings.MinTransactions);
        if (transition is null)
        {
            return;
        }
        logger.LogWarning("Anomaly rate {Rate:P2} ({Alerts} alerts / {Transactions} transactions over {Window}): {State}",
            counts.Rate, counts.Alerts, counts.Transactions, settings.Window, WebhookPayload.Status(transition));
        notifier.Enqueue(transition, window.WindowSeconds);
    }

    /// <summary>Every partition of both topics, at its high watermark: only the rate from now on matters.</summary>
    private void AssignAtEnd(IConsumer<Ignore, Ignore> consumer, CancellationToken stoppingToken)
    {
        using var admin = kafka.CreateAdminClient();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var metadata = admin.GetMetadata(TimeSpan.FromSeconds(5));
                var partitions = metadata.Topics
                    .Where(topic => topic.Topic is TransactionsTopic or AlertsTopic && topic.Error.Code == ErrorCode.NoError)
                    .SelectMany(topic => topic.Partitions.Select(partition => new TopicPartition(topic.Topic, partition.PartitionId)))
                    .ToList();
                if (partitions.Select(partition => partition.Topic).Distinct().Count() == 2)
                {
                    consumer.Assign(partitions.Select(partition =>
                        new TopicPartitionOffset(partition, consumer.QueryWatermarkOffsets(partition, TimeSpan.FromSeconds(5)).High)));
                    return;
                }
                logger.LogWarning("Topics {Topics} not found yet (attempt {Attempt})", $"{TransactionsTopic}, {AlertsTopic}", attempt);
            }
            catch (KafkaException ex)
            {
                logger.LogWarning("Broker not ready for the anomaly-rate monitor (attempt {Attempt}): {Reason}", attempt, ex.Error.Reason);
            }
            stoppingToken.WaitHandle.WaitOne(TimeSpan.FromSeconds(Math.Min(10, attempt)));
            stoppingToken.ThrowIfCancellationRequested();
        }
    }
}
