using System.Diagnostics.Metrics;

namespace Fraud.Producer.Service;

/// <summary>The producer's instruments (meter <c>Fraud.Producer</c>; Prometheus names end in <c>_total</c>).</summary>
public sealed class ProducerMetrics
{
    public const string MeterName = "Fraud.Producer";

    private readonly Counter<long> _sent;
    private readonly Counter<long> _failed;

    public ProducerMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _sent = meter.CreateCounter<long>("fraud.producer.sent", "{transaction}",
            "Transactions handed to the broker client, by label: legit or the fraud scenario.");
        _failed = meter.CreateCounter<long>("fraud.producer.failed", "{message}",
            "Messages (transactions or labels) the broker did not acknowledge.");
    }

    public void Sent(string? scenario) => _sent.Add(1, new KeyValuePair<string, object?>("label", scenario ?? "legit"));

    public void Failed() => _failed.Add(1);
}
