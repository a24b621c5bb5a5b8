using System.Diagnostics.Metrics;
using Fraud.Api.Feedback;

namespace Fraud.Api.Labels;

/// <summary>
/// What the labels consumer did with each message of the labels topic (Prometheus
/// <c>fraud_api_labels_total{result}</c>): <c>stored</c> in <c>labels</c>, or <c>invalid</c> (logged and skipped).
/// An invalid label is never retried, so this counter is the only place it shows beyond the log.
/// </summary>
internal sealed class LabelsMetrics
{
    private readonly Counter<long> _labels;

    public LabelsMetrics(IMeterFactory meterFactory)
    {
        _labels = meterFactory.Create(FeedbackMetrics.MeterName).CreateCounter<long>("fraud.api.labels", "{label}",
            "Messages of the labels topic, by result: stored, or invalid (skipped).");
        Stored(0); // present from the start, so a rate or an alert needs no absent-series handling
        Invalid(0);
    }

    public void Stored(int count) => _labels.Add(count, Result("stored"));

    public void Invalid(int count) => _labels.Add(count, Result("invalid"));

    private static KeyValuePair<string, object?> Result(string result) => new("result", result);
}
