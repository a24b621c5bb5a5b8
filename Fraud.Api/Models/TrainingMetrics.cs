using System.Diagnostics.Metrics;

namespace Fraud.Api.Models;

/// <summary>
/// Which replica trains and what its schedule did (meter <c>Fraud.Api.Training</c>). Prometheus names:
/// <c>fraud_api_training_leader</c>, <c>fraud_api_training_scheduled_runs_total{kind, result}</c>.
/// </summary>
internal sealed class TrainingMetrics
{
    public const string MeterName = "Fraud.Api.Training";

    private readonly Counter<long> _scheduledRuns;
    private volatile int _leader;

    public TrainingMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _scheduledRuns = meter.CreateCounter<long>("fraud.api.training.scheduled_runs", "{run}",
            "Scheduled training runs on this replica, by kind and result (trained, skipped, failed).");
        meter.CreateObservableGauge("fraud.api.training.leader", () => _leader,
            description: "1 on the API replica that trains (on the schedule) and stores model files, 0 on the others.");
    }

    public void Leader(bool leader) => _leader = leader ? 1 : 0;

    public void ScheduledRun(string kind, string result) =>
        _scheduledRuns.Add(1, new KeyValuePair<string, object?>("kind", kind), new KeyValuePair<string, object?>("result", result));
}
