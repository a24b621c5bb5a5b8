using Fraud.SystemTests.Integration.Faults;

namespace Fraud.SystemTests.Integration.Api;

/// <summary>
/// Training is CPU-heavy and once is enough for every detector: of two API replicas, the one holding the training
/// advisory lock in Postgres trains on the schedule, the other never does. Followed through each replica's own metrics.
/// </summary>
[Collection(PrivateSystemsCollection.Name)]
public sealed class TrainingLeadershipTests
{
    private const string ScheduledRuns = "fraud_api_training_scheduled_runs_total";

    [Fact]
    public async Task Of_two_api_replicas_one_only_trains_on_the_schedule()
    {
        await using var system = await FraudSystem.StartAsync([
            "--Producer:Enabled=false",
            "--Api:Replicas=2",
            "--Training:LeaderCheckInterval=00:00:01",
            "--Training:Every=00:00:01", // with no traffic every run is skipped for too few samples, and counted
        ]);
        var replicas = (await system.Processes.HttpEndpointsAsync("api")).Select(replica => new HttpClient { BaseAddress = replica.Uri }).ToList();
        try
        {
            var leader = await FraudSystem.EventuallyAsync(async () =>
            {
                var leaders = await Task.WhenAll(replicas.Select(replica => replica.ReadCounterAsync("fraud_api_training_leader")));
                return leaders.Order().SequenceEqual([0.0, 1.0]) ? replicas[Array.IndexOf(leaders, 1.0)] : null;
            }, "one replica, and one only, to hold the training lock");
            var other = replicas.Single(replica => replica != leader);

            // Both kinds, three ticks each, on the leader: by then the other replica's schedule ticked as often.
            await FraudSystem.EventuallyAsync<object>(async () => await leader.ReadCounterAsync(ScheduledRuns) >= 6 ? true : null,
                "the leader's scheduled training runs");
            Assert.Equal(0, await other.ReadCounterAsync(ScheduledRuns));
            Assert.Equal(1, await leader.ReadCounterAsync("fraud_api_training_leader"));
        }
        finally
        {
            replicas.ForEach(replica => replica.Dispose());
        }
    }
}
