using System.Diagnostics.Metrics;

namespace Fraud.Api.Feedback;

/// <summary>
/// Analysts' verdicts as a counter (meter <c>Fraud.Api</c>, Prometheus <c>fraud_api_feedback_total{label}</c>), so
/// dashboards can show precision: confirmed fraud / all verdicts given over a period. Each recorded verdict counts (an
/// identical repeated post does not).
/// </summary>
internal sealed class FeedbackMetrics
{
    public const string MeterName = "Fraud.Api";

    private readonly Counter<long> _verdicts;

    public FeedbackMetrics(IMeterFactory meterFactory)
    {
        _verdicts = meterFactory.Create(MeterName).CreateCounter<long>("fraud.api.feedback", "{verdict}",
            "Verdicts recorded on alerts, by label (fraud = confirmed fraud, legit = false positive).");
        foreach (var label in FeedbackLabels.All)
        {
            _verdicts.Add(0, Label(label)); // present from the start, so precision can be computed before the first verdict
        }
    }

    public void Recorded(string label) => _verdicts.Add(1, Label(label));

    private static KeyValuePair<string, object?> Label(string label) => new("label", label);
}
