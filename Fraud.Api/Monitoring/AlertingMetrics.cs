using System.Diagnostics.Metrics;
using Fraud.Core.Alerting;

namespace Fraud.Api.Monitoring;

/// <summary>
/// The anomaly-rate alarm's instruments (meter <c>Fraud.Api.Alerting</c>): the rate it watches and what it sent.
/// Prometheus names: <c>fraud_alerting_anomaly_rate</c>, <c>fraud_alerting_notifications_sent_total{status}</c>, …,
/// <c>fraud_api_webhook_leader</c>.
/// </summary>
internal sealed class AlertingMetrics
{
    public const string MeterName = "Fraud.Api.Alerting";

    private readonly Counter<long> _evaluations;
    private readonly Counter<long> _sent;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _retries;
    private readonly Lock _gate = new();
    private WindowCounts _counts;
    private volatile int _firing;
    private volatile int _leader;

    public AlertingMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _evaluations = meter.CreateCounter<long>("fraud.alerting.evaluations", "{evaluation}",
            "Evaluations of the anomaly rate with enough transactions in the window to decide.");
        _sent = meter.CreateCounter<long>("fraud.alerting.notifications.sent", "{notification}",
            "Webhook notifications delivered (a 2xx answer), by status (firing, resolved).");
        _failed = meter.CreateCounter<long>("fraud.alerting.notifications.failed", "{notification}",
            "Webhook notifications given up on after every retry, or dropped with the queue full, by status.");
        _retries = meter.CreateCounter<long>("fraud.alerting.delivery.retries", "{attempt}",
            "Failed delivery attempts that were retried.");
        meter.CreateObservableGauge("fraud.alerting.anomaly_rate", () => Counts().Rate ?? 0,
            description: "Alerts / transactions over the alarm's window, all detector replicas (0 without transactions).");
        meter.CreateObservableGauge("fraud.alerting.window.transactions", () => Counts().Transactions, "{transaction}",
            "Transactions in the alarm's window.");
        meter.CreateObservableGauge("fraud.alerting.window.alerts", () => Counts().Alerts, "{alert}",
            "Alerts in the alarm's window.");
        meter.CreateObservableGauge("fraud.alerting.firing", () => _firing, description: "1 while the anomaly-rate alarm is firing.");
        meter.CreateObservableGauge("fraud.api.webhook.leader", () => _leader,
            description: "1 while this API replica is the one that sends the webhooks (it holds the Postgres advisory lock).");

        // Zero from the start, so dashboards and rate() see the series before the first notification.
        foreach (var status in new[] { WebhookPayload.Firing, WebhookPayload.Resolved })
        {
            _sent.Add(0, Status(status));
            _failed.Add(0, Status(status));
        }
        _retries.Add(0);
        _evaluations.Add(0);
    }

    public void Evaluated(WindowCounts counts, AlarmState state, bool decided)
    {
        lock (_gate)
        {
            _counts = counts;
        }
        _firing = state == AlarmState.Firing ? 1 : 0;
        if (decided)
        {
            _evaluations.Add(1);
        }
    }

    public void Leader(bool leader) => _leader = leader ? 1 : 0;

    public void Sent(string status) => _sent.Add(1, Status(status));

    public void Failed(string status) => _failed.Add(1, Status(status));

    public void Retried() => _retries.Add(1);

    private WindowCounts Counts()
    {
        lock (_gate)
        {
            return _counts;
        }
    }

    private static KeyValuePair<string, object?> Status(string status) => new("status", status);
}
