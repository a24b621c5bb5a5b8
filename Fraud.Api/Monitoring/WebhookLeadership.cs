using Fraud.Api.Leadership;
using Microsoft.Extensions.Options;

namespace Fraud.Api.Monitoring;

/// <summary>Makes one API replica the webhook notifier (<see cref="AdvisoryLockLeadership"/>); replicas without webhooks never contend.</summary>
internal sealed class WebhookLeadership(
    IConfiguration configuration, string connectionName, IOptions<AlertingOptions> options, AlertingMetrics metrics, TimeProvider time,
    ILogger<WebhookLeadership> logger) : AdvisoryLockLeadership(configuration, connectionName, time, logger)
{
    protected override long LockKey => 0x46524155445F5748; // "FRAUD_WH"

    protected override string Role => "the webhook notifier";

    protected override TimeSpan CheckInterval => options.Value.LeaderCheckInterval;

    protected override bool Wanted => options.Value.Enabled && options.Value.Webhooks.Length > 0;

    protected override void OnLeaderChanged(bool leader) => metrics.Leader(leader);
}
