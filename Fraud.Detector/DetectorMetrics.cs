using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Fraud.Detector.Detection;

namespace Fraud.Detector;

/// <summary>
/// The detector's instruments (meter <c>Fraud.Detector</c>), scraped on :9000/metrics and exported over OTLP.
/// Prometheus names add the unit and <c>_total</c>, e.g. <c>fraud_detector_e2e_latency_seconds</c>.
/// </summary>
public sealed class DetectorMetrics
{
    public const string MeterName = "Fraud.Detector";

    // Seconds. The end-to-end budget is 50 ms, so the buckets are fine below it and coarse above.
    private static readonly double[] LatencyBuckets =
        [0.001, 0.002, 0.003, 0.004, 0.005, 0.0075, 0.01, 0.0125, 0.015, 0.02, 0.025, 0.03, 0.04, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    // Seconds. A decision takes microseconds.
    private static readonly double[] DecisionBuckets =
        [0.000001, 0.0000025, 0.000005, 0.0000075, 0.00001, 0.000015, 0.00002, 0.00003, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.01];

    private static readonly int[] BatchBuckets = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000];

    private readonly Counter<long> _processed;
    private readonly Counter<long> _alerts;
    private readonly Counter<long> _alertsStored;
    private readonly Counter<long> _deadLettered;
    private readonly Counter<long> _sinkFailures;
    private readonly Counter<long> _reloads;
    private readonly Counter<long> _stateRestores;
    private readonly Counter<long> _replaysSkipped;
    private readonly Counter<long> _trainingSamplesWritten;
    private readonly Histogram<double> _endToEnd;
    private readonly Histogram<double> _decision;
    private readonly Histogram<int> _batchSize;
    private readonly Histogram<double> _batchStage;
    private readonly ConcurrentDictionary<(string Topic, int Partition), long> _lag = new();
    private volatile int _partitionsAssigned;
    private volatile int _merchantsTracked;
    private readonly Counter<long> _merchantRiskLoads;
    private readonly Counter<long> _merchantVisitsCounted;
    private readonly Counter<long> _partitionsReleased;
    private volatile DetectionProfile? _profile;

    public DetectorMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _processed = meter.CreateCounter<long>("fraud.transactions.processed", "{transaction}",
            "Transactions consumed and decided (valid ones; see fraud.dlq.messages for the rest).");
        _alerts = meter.CreateCounter<long>("fraud.alerts.raised", "{alert}", "Alerts raised, by rule.");
        _alertsStored = meter.CreateCounter<long>("fraud.alerts.stored", "{alert}",
            "Alerts newly written to Postgres (a replayed alert is not counted twice).");
        _deadLettered = meter.CreateCounter<long>("fraud.dlq.messages", "{message}",
            "Messages sent to the dead-letter topic, by the field that made them invalid.");
        _sinkFailures = meter.CreateCounter<long>("fraud.sink.failures", "{failure}",
            "Failed sink writes (retried for Postgres and the topics; best effort for Redis), by sink.");
        _reloads = meter.CreateCounter<long>("fraud.detector.reloads", "{reload}",
            "Reloads of the model, rule or decision files after a change, by result (ok, failed).");
        _stateRestores = meter.CreateCounter<long>("fraud.detector.state.restores", "{user}",
            "Users not in memory looked up in the Redis checkpoint, by outcome (restored, absent, refused, unavailable).");
        _replaysSkipped = meter.CreateCounter<long>("fraud.detector.replays.skipped", "{transaction}",
            "Replayed transactions already folded into a restored checkpoint (their alerts were already durable).");
        _partitionsReleased = meter.CreateCounter<long>("fraud.detector.partitions.released", "{partition}",
            "Partitions this replica gave up, by how (revoked: handed over in a rebalance; lost: the group session ended).");
        _trainingSamplesWritten = meter.CreateCounter<long>("fraud.detector.training_samples.written", "{sample}",
            "Training sample slots upserted into training_samples (a slot is rewritten when its reservoir replaces it).");
        _endToEnd = meter.CreateHistogram("fraud.detector.e2e_latency", "s",
            "From the transaction's broker timestamp to its batch being durable (alerts in Postgres).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        _decision = meter.CreateHistogram("fraud.detector.decision.duration", "s",
            "Time to decide one transaction: features, forest, rules.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DecisionBuckets });
        _batchSize = meter.CreateHistogram("fraud.detector.batch.size", "{message}",
            "Messages per micro-batch.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = BatchBuckets });
        _batchStage = meter.CreateHistogram("fraud.detector.batch.stage.duration", "s",
            "Time spent in each stage, by stage. Per micro-batch: fill (open, taking messages), parse, merchant_risk (waiting "
            + "for a merchant-risk table that serves its day: 0 unless none in hand does), restore (users from their Redis "
            + "checkpoint), decide. Per background build of the merchant risk: merchant_risk_load. Per flush (the "
            + "batches decided while the last one wrote): dead_letters, alerts (alerts in Postgres, then Redis and the alerts "
            + "topic). Per commit: capture (snapshots of the users its batches decided), merchant_counts (the transactions "
            + "since the last commit counted at their merchants, in Postgres), checkpoint (the snapshots to Redis), commit (offsets).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        meter.CreateObservableGauge("fraud.detector.consumer.lag", ObserveLag, "{message}",
            "Messages behind the partition's high watermark, per assigned partition.");
        meter.CreateObservableGauge("fraud.detector.partitions.assigned", () => _partitionsAssigned, "{partition}",
            "Partitions of the transactions topic this replica owns (its share of the consumer group).");
        _merchantRiskLoads = meter.CreateCounter<long>("fraud.detector.merchant_risk.loads", "{load}",
            "Times the merchant risk was built in the background, by kind: next_day (the table in hand plus the one day its windows "
            + "newly reach, at a new event-time day) or whole (from five weeks of shared counts and labels: the first table, the "
            + "refresh interval, or a day the table holds counted further since).");
        _merchantVisitsCounted = meter.CreateCounter<long>("fraud.detector.merchant_risk.counted", "{transaction}",
            "Transactions this replica counted at their merchant in merchant_hours (a replayed one is counted once, by whoever decides it first).");
        meter.CreateObservableGauge("fraud.detector.merchant_risk.merchants", () => _merchantsTracked, "{merchant}",
            "Merchants in the merchant risk this replica reads.");
        meter.CreateObservableGauge("fraud.detector.model.info", ObserveProfile, "{profile}",
            "1, labelled with the model, rule-set and classifier versions in use.");
    }

    public void Processed(int count) => _processed.Add(count);

    public void AlertRaised(string rule) => _alerts.Add(1, new KeyValuePair<string, object?>("rule", rule));

    public void AlertsStored(int count) => _alertsStored.Add(count);

    public void DeadLettered(string reason) => _deadLettered.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void SinkFailed(string sink) => _sinkFailures.Add(1, new KeyValuePair<string, object?>("sink", sink));

    public void Reloaded(string result) => _reloads.Add(1, new KeyValuePair<string, object?>("result", result));

    public void StateRestore(string outcome, int users = 1) =>
        _stateRestores.Add(users, new KeyValuePair<string, object?>("outcome", outcome));

    public void ReplaySkipped() => _replaysSkipped.Add(1);

    public void TrainingSamplesWritten(int count) => _trainingSamplesWritten.Add(count);

    public void EndToEnd(TimeSpan latency) => _endToEnd.Record(Math.Max(0, latency.TotalSeconds));

    public void Decided(TimeSpan duration) => _decision.Record(duration.TotalSeconds);

    public void Batch(int messages) => _batchSize.Record(messages);

    /// <summary>Records a batch stage that began at <paramref name="since"/> (a <see cref="Stopwatch"/> timestamp); returns the time it ended.</summary>
    public long BatchStage(string stage, long since)
    {
        long now = Stopwatch.GetTimestamp();
        _batchStage.Record(Stopwatch.GetElapsedTime(since, now).TotalSeconds, new KeyValuePair<string, object?>("stage", stage));
        return now;
    }

    /// <summary>Records a batch stage measured some other way (the fill, from the batch's opening time).</summary>
    public void BatchStage(string stage, TimeSpan duration) =>
        _batchStage.Record(Math.Max(0, duration.TotalSeconds), new KeyValuePair<string, object?>("stage", stage));

    public void ProfileChanged(DetectionProfile profile) => _profile = profile;

    public void MerchantRiskLoaded(string kind, TimeSpan duration)
    {
        _merchantRiskLoads.Add(1, new KeyValuePair<string, object?>("kind", kind));
        BatchStage("merchant_risk_load", duration);
    }

    public void MerchantsTracked(int merchants) => _merchantsTracked = merchants;

    public void MerchantVisitsCounted(int count) => _merchantVisitsCounted.Add(count);

    public void PartitionsAssigned(int count) => _partitionsAssigned = count;

    public void PartitionsReleased(string how, int count) => _partitionsReleased.Add(count, new KeyValuePair<string, object?>("how", how));

    /// <summary>Replaces the lag of the assigned partitions (partitions no longer assigned disappear).</summary>
    public void Lag(IReadOnlyDictionary<(string Topic, int Partition), long> lag)
    {
        foreach (var key in _lag.Keys.Where(key => !lag.ContainsKey(key)))
        {
            _lag.TryRemove(key, out _);
        }

        foreach (var (key, value) in lag)
        {
            _lag[key] = value;
        }
    }

    private IEnumerable<Measurement<long>> ObserveLag() => _lag.Select(entry => new Measurement<long>(entry.Value,
        new KeyValuePair<string, object?>("topic", entry.Key.Topic),
        new KeyValuePair<string, object?>("partition", entry.Key.Partition)));

    private IEnumerable<Measurement<int>> ObserveProfile() => _profile is { } profile
        ? [new Measurement<int>(1,
            new KeyValuePair<string, object?>("model_version", profile.ModelVersion),
            new KeyValuePair<string, object?>("rules_version", profile.RulesVersion),
            new KeyValuePair<string, object?>("classifier_version", profile.ClassifierVersion))]
        : [];
}
