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
    ILogger<AnomalyRateMonitor> logger) : KafkaConsumerService<Ignore, byte[]>(kafka, logger, time)
{
    public const int RememberedTxIds = 10_000;
    private static readonly string TransactionsTopic = Topics.Transactions.Name;
    private static readonly TimeSpan Margin = TimeSpan.FromMinutes(1);

    // The window counts per second, so the transactions' watermarks are read as often.
    private static readonly TimeSpan ArrivalInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan WatermarkTimeout = TimeSpan.FromSeconds(2);

    private readonly AlertingOptions _settings = options.Value;
    private readonly AnomalyRateWindow _window = new(options.Value.Window, options.Value.SettleDelay + Margin);
    private readonly AnomalyAlarm _alarm = new(options.Value.Thresholds);
    private readonly ArrivalCounter _arrivals = new();
    private readonly RecentTxIds _counted = new(RememberedTxIds);
    private List<TopicPartition> _transactionPartitions = [];
    private DateTimeOffset _nextCount;
    private DateTimeOffset _nextEvaluation;
    private bool _watermarksFailing;

    protected override bool Enabled => _settings.Enabled;

    protected override ConsumerPlacement Placement { get; } =
        ConsumerPlacement.EveryPartitionAtEnd("fraud-api-anomaly-rate", Topics.Alerts.Name, Topics.Transactions.Name);

    // Short enough for the per-second readings and the evaluations to keep their pace when no alert arrives.
    protected override TimeSpan IdlePollTimeout => TimeSpan.FromMilliseconds(200);

    protected override void OnPlaced(IConsumer<Ignore, byte[]> consumer, ILookup<string, TopicPartition> partitions)
    {
        _transactionPartitions = partitions[TransactionsTopic].ToList();
        var now = Time.GetUtcNow();
        CountArrivals(consumer, now);
        _nextCount = now + ArrivalInterval;
        _nextEvaluation = now + _settings.EvaluationInterval;
        Logger.LogInformation("Watching the anomaly rate over {Window} (limit {Limit}, clear below {ClearBelow}, {Webhooks} webhook(s))",
            _settings.Window, _settings.Limit, _settings.ClearBelow, _settings.Webhooks.Length);
        if (_settings.Webhooks.Length > 0 && string.IsNullOrEmpty(_settings.Secret))
        {
            Logger.LogWarning("Alerting:Secret is not set: webhook notifications are sent unsigned");
        }
    }

    protected override void Handle(ConsumeResult<Ignore, byte[]> message)
    {
        if (AlertJson.Deserialize(message.Message.Value) is { } alert && _counted.FirstTime(alert.TxId))
        {
            _window.AddAlerts(message.Message.Timestamp.UtcDateTime);
        }
    }

    protected override void OnPoll(IConsumer<Ignore, byte[]> consumer)
    {
        var now = Time.GetUtcNow();
        if (now >= _nextCount)
        {
            _nextCount = now + ArrivalInterval;
            CountArrivals(consumer, now);
        }

        if (now >= _nextEvaluation)
        {
            _nextEvaluation = now + _settings.EvaluationInterval;
            Evaluate(now);
        }
    }

    /// <summary>
    /// Counts, at <paramref name="now"/>, the transactions that arrived since the last reading. A partition whose
    /// watermark cannot be read now is counted in full at the next reading that succeeds.
    /// </summary>
    private void CountArrivals(IConsumer<Ignore, byte[]> consumer, DateTimeOffset now)
    {
        long arrived = 0;
        try
        {
            foreach (var partition in _transactionPartitions)
            {
                arrived += _arrivals.Advance(partition.Partition.Value, consumer.QueryWatermarkOffsets(partition, WatermarkTimeout).High.Value);
            }
            if (_watermarksFailing)
            {
                _watermarksFailing = false;
                Logger.LogInformation("Reading the watermarks of {Topic} again", TransactionsTopic);
            }
        }
        catch (KafkaException ex)
        {
            if (!_watermarksFailing)
            {
                _watermarksFailing = true;
                Logger.LogWarning("Reading the watermarks of {Topic} failed, transactions are counted when it succeeds again: {Reason}",
                    TransactionsTopic, ex.Error.Reason);
            }
        }
        _window.AddTransactions(now, arrived);
    }

    private void Evaluate(DateTimeOffset now)
    {
        var counts = _window.CountsAt(now - _settings.SettleDelay);
        var transition = _alarm.Evaluate(counts, now);
        metrics.Evaluated(counts, _alarm.State, decided: counts.Transactions >= _settings.MinTransactions);
        if (transition is null)
        {
            return;
        }
        Logger.LogWarning("Anomaly rate {Rate:P2} ({Alerts} alerts / {Transactions} transactions over {Window}): {State}",
            counts.Rate, counts.Alerts, counts.Transactions, _settings.Window, WebhookPayload.Status(transition));
        notifier.Enqueue(transition, _window.WindowSeconds);
    }
}
