using System.Diagnostics.Metrics;

namespace Fraud.Detector;

/// <summary>The detector's instruments (meter <c>Fraud.Detector</c>; Prometheus names end in <c>_total</c>).</summary>
public sealed class DetectorMetrics
{
    public const string MeterName = "Fraud.Detector";

    private readonly Counter<long> _processed;
    private readonly Counter<long> _alerts;
    private readonly Counter<long> _alertsStored;
    private readonly Counter<long> _deadLettered;
    private readonly Counter<long> _sinkFailures;

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
            "Failed sink writes (retried for Postgres and the alerts topic; best effort for Redis), by sink.");
    }

    public void Processed(int count) => _processed.Add(count);

    public void AlertRaised(string rule) => _alerts.Add(1, new KeyValuePair<string, object?>("rule", rule));

    public void AlertsStored(int count) => _alertsStored.Add(count);

    public void DeadLettered(string reason) => _deadLettered.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void SinkFailed(string sink) => _sinkFailures.Add(1, new KeyValuePair<string, object?>("sink", sink));
}
