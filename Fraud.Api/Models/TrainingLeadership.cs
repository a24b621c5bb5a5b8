using Fraud.Api.Leadership;
using Microsoft.Extensions.Options;

namespace Fraud.Api.Models;

/// <summary>
/// Makes one API replica the one that trains on the schedule and stores the first versions and model files
/// (<see cref="AdvisoryLockLeadership"/>): training is CPU-heavy, and once is enough for every detector.
/// </summary>
internal sealed class TrainingLeadership(
    IConfiguration configuration, string connectionName, IOptions<TrainingOptions> options, TrainingMetrics metrics, TimeProvider time,
    ILogger<TrainingLeadership> logger) : AdvisoryLockLeadership(configuration, connectionName, time, logger)
{
    protected override long LockKey => 0x46524155445F5452; // "FRAUD_TR"

    protected override string Role => "the trainer";

    protected override TimeSpan CheckInterval => options.Value.LeaderCheckInterval;

    protected override void OnLeaderChanged(bool leader) => metrics.Leader(leader);
}
