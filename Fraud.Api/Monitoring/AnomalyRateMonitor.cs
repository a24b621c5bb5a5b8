using Confluent.Kafka;
using Fraud.Core;
using Fraud.Core.Alerting;
using Fraud.Messaging;
using Microsoft.Extensions.Options;

namespace Fraud.Api.Monitoring;

/// <summary>
/// Watches the anomaly rate (alerts / transactions) of the whole system and raises the webhook alarm.
/// <para>
/// Into a per-second <see cref="AnomalyRateWindow"/> it counts the alerts on <c>alerts.v1</c> by broker timestamp,
/// each tx_id once, and the transactions that arrived on <c>transactions.v1</c> each second from the growth of its
/// partitions' high watermarks (<see cref="ArrivalCounter"/>). Every <see cref="AlertingOptions.EvaluationInterval"/> it
/// hands the window (ending <see cref="AlertingOptions.SettleDelay"/> ago, so an alert published just after its
/// transaction is in) to the <see cref="AnomalyAlarm"/>; a transition goes to the <see cref="WebhookNotifier"/>'s queues.
/// </para>
/// <para>
/// Why the topics: every detector replica writes to them, so the rate covers all replicas without asking each one;
/// the detector does not change and never waits for the alarm. Why watermarks for the transactions: reading every
/// transaction only to count it made the broker serve the whole stream twice and slowed detection (docs/benchmarks.md);
/// a watermark request per partition and second costs the same at any traffic. Alerts are few, so they are read. The
/// partitions are those of the topics at start. Why no consumer group: the reader assigns itself every partition of
/// <c>alerts.v1</c> at the current end, so it sees all the alerts (a group would split them between API replicas and
/// each would see part of the rate), commits nothing, and restarts at once (a group's lone member waits out the
/// session timeout on rejoin). Every API replica watches, so each exports the rate and knows the alarm's state, but only
/// the elected one notifies (<see cref="WebhookLeadership"/>). An alert is
/// counted once per tx_id (<see cref="RememberedTxIds"/> recent ones): the detector publishes at least once, so a replay
/// publishes an alert again. A message bound for the dead-letter topic counts as a transaction; that is rare and shows
/// on its own.
/// </para>
/// </summary>
internal sealed class AnomalyRateMonitor(
    KafkaClientFactory kafka, IOptions<AlertingOptions> options, WebhookNotifier notifier, AlertingMetrics metrics, TimeProvider time,
    ILogger<AnomalyRateMonitor> logger) : BackgroundService
{
    public const string TransactionsTopic = "transactions.v1";
    public const string AlertsTopic = "alerts.v1";
    public const int RememberedTxIds = 10_000;
    private static readonly TimeSpan Margin = TimeSpan.FromMinutes(1);

    // The window counts per second, so the transactions' watermarks are read as often.
    private static readonly TimeSpan ArrivalInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan WatermarkTimeout = TimeSpan.FromSeconds(2);
    private bool _watermarksFailing;

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
        var arrivals = new ArrivalCounter();
        var counted = new RecentTxIds(RememberedTxIds);
        using var consumer = kafka.CreateConsumerBuilder<Ignore, byte[]>("fraud-api-anomaly-rate").Build();
        try
        {
            var transactionPartitions = AssignAlertsAtEnd(consumer, stoppingToken);
            CountArrivals(consumer, transactionPartitions, arrivals, window, time.GetUtcNow());
            logger.LogInformation("Watching the anomaly rate over {Window} (limit {Limit}, clear below {ClearBelow}, {Webhooks} webhook(s))",
                settings.Window, settings.Limit, settings.ClearBelow, settings.Webhooks.Length);
            if (settings.Webhooks.Length > 0 && string.IsNullOrEmpty(settings.Secret))
            {
                logger.LogWarning("Alerting:Secret is not set: webhook notifications are sent unsigned");
            }
            var nextCount = time.GetUtcNow() + ArrivalInterval;
            var nextEvaluation = time.GetUtcNow() + settings.EvaluationInterval;
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { IsPartitionEOF: false } result
                        && AlertJson.Deserialize(result.Message.Value) is { } alert && counted.FirstTime(alert.TxId))
                    {
                        window.AddAlerts(result.Message.Timestamp.UtcDateTime);
                    }
                }
                catch (ConsumeException ex) when (!ex.Error.IsFatal)
                {
                    logger.LogWarning("Reading {Topic} failed: {Reason}", AlertsTopic, ex.Error.Reason);
                }

                var now = time.GetUtcNow();
                if (now >= nextCount)
                {
                    nextCount = now + ArrivalInterval;
                    CountArrivals(consumer, transactionPartitions, arrivals, window, now);
                }
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

    /// <summary>
    /// Counts, at <paramref name="now"/>, the transactions that arrived since the last reading. A partition whose
    /// watermark cannot be read now is counted in full at the next reading that succeeds.
    /// </summary>
    private void CountArrivals(
        IConsumer<Ignore, byte[]> consumer, IReadOnlyList<TopicPartition> partitions, ArrivalCounter arrivals, AnomalyRateWindow window, DateTimeOffset now)
    {
        long arrived = 0;
        try
        {
            foreach (var partition in partitions)
            {
                arrived += arrivals.Advance(partition.Partition.Value, consumer.QueryWatermarkOffsets(partition, WatermarkTimeout).High.Value);
            }
            if (_watermarksFailing)
            {
                _watermarksFailing = false;
                logger.LogInformation("Reading the watermarks of {Topic} again", TransactionsTopic);
            }
        }
        catch (KafkaException ex)
        {
            if (!_watermarksFailing)
            {
                _watermarksFailing = true;
                logger.LogWarning("Reading the watermarks of {Topic} failed, transactions are counted when it succeeds again: {Reason}",
                    TransactionsTopic, ex.Error.Reason);
            }
        }
        window.AddTransactions(now, arrived);
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

    /// <summary>
    /// Assigns every partition of <c>alerts.v1</c> at its high watermark (only the rate from now on matters) and
    /// returns the partitions of <c>transactions.v1</c>, once both topics exist.
    /// </summary>
    private List<TopicPartition> AssignAlertsAtEnd(IConsumer<Ignore, byte[]> consumer, CancellationToken stoppingToken)
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
                    .ToLookup(partition => partition.Topic);
                if (partitions[TransactionsTopic].Any() && partitions[AlertsTopic].Any())
                {
                    consumer.Assign(partitions[AlertsTopic].Select(partition =>
                        new TopicPartitionOffset(partition, consumer.QueryWatermarkOffsets(partition, TimeSpan.FromSeconds(5)).High)));
                    return partitions[TransactionsTopic].ToList();
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
