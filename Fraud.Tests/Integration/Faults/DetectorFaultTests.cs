using System.Net;
using Fraud.Core;
using Fraud.Tests.Integration.Detector;
using Xunit.Abstractions;
using static Fraud.Tests.Integration.Detector.DetectorStreams;

namespace Fraud.Tests.Integration.Faults;

/// <summary>
/// The fault-injection suite: a simulated stream is produced while something breaks (the detector killed, Postgres,
/// Redis or the broker's network gone for a while, a burst of bad messages), and afterwards every transaction has
/// been processed and committed, the stored alerts are exactly the offline <c>score</c>'s (none lost, none twice),
/// the dead letters are exactly the bad messages, and the system recovered with no manual step. Each scenario
/// records its figures (<see cref="ReliabilityReport"/>, <c>docs/reliability.md</c>). Each has users of its own (an
/// id range), so their histories never mix; they share the online detector's private system.
/// </summary>
[Collection(OnlineDetectorCollection.Name)]
public sealed class DetectorFaultTests(OnlineDetectorSystem fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(120);
    private FraudSystem System => fixture.System;

    [Fact]
    public async Task Killing_the_detector_mid_stream_loses_no_alert_and_duplicates_none()
    {
        // The restart stands in for a supervisor's (Kubernetes, systemd): the detector itself needs nothing more.
        var figures = await RunAsync("detector killed (kill -9) and restarted", firstUser: 3_000_000, users: 1_500,
            Simulate(seed: 13, count: 20_000, users: 1_500, firstUserId: 3_000_000), perSecond: 2_000, async () =>
            {
                await System.Processes.KillAsync("detector");
                var killed = DateTime.UtcNow;
                await System.Processes.StartAsync("detector");
                return (killed, "");
            });

        AssertNothingLostOrRepeated(figures);
    }

    [Fact]
    public async Task Stopping_Postgres_for_ten_seconds_loses_no_alert_and_the_api_never_answers_500()
    {
        var api = new ApiProbe(System.Api);
        var figures = await RunAsync("Postgres stopped 10 s, restarted", firstUser: 4_000_000, users: 1_500,
            Simulate(seed: 14, count: 16_000, users: 1_500, firstUserId: 4_000_000), perSecond: 1_000, async () =>
            {
                await api.FillConnectionPoolAsync();
                await System.Processes.StopAsync("postgres");
                var degraded = await FraudSystem.EventuallyAsync(async () => await fixture.DetectorHealthAsync() is var health
                    && !health.Contains("\"status\":\"ok\"", StringComparison.Ordinal) ? health : null, "the detector to report the outage");
                Assert.Contains("postgres", degraded, StringComparison.OrdinalIgnoreCase);
                using var outage = new CancellationTokenSource();
                var reading = api.ReadUntilAsync("outage", outage.Token);
                await Task.Delay(TimeSpan.FromSeconds(10));
                await outage.CancelAsync();
                await System.Processes.StartAsync("postgres");
                await reading;
                var restarted = DateTime.UtcNow;
                // The first requests after the restart meet the pool's broken connections: still no 5xx.
                await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => api.ReadAllAsync(during: "after")));
                return (restarted, api.Summary());
            });

        AssertNothingLostOrRepeated(figures);
        Assert.True(api.Count("outage", status => status == HttpStatusCode.ServiceUnavailable) > 0, "no API answer during the outage");
        Assert.Equal(0, api.Count("after", status => status != HttpStatusCode.OK));
        Assert.Empty(api.Problems);
        await FraudSystem.EventuallyAsync(async () => await fixture.DetectorHealthAsync() is var health
            && health.Contains("\"status\":\"ok\"", StringComparison.Ordinal) ? health : null, "the detector to report healthy again");
    }

    [Fact]
    public async Task Without_Redis_alerts_are_still_stored_and_the_detector_recovers_by_itself()
    {
        // The users' in-memory state outlives Redis (the detector does not restart), so the decisions stay the
        // offline ones; only the checkpoints and dedup keys written during the outage are missing.
        var figures = await RunAsync("Redis stopped 5 s, restarted (empty)", firstUser: 8_500_000, users: 500,
            Simulate(seed: 16, count: 6_000, users: 500, firstUserId: 8_500_000), perSecond: 1_000, async () =>
            {
                await System.Processes.StopAsync("redis");
                var degraded = await FraudSystem.EventuallyAsync(async () => await fixture.DetectorHealthAsync() is var health
                    && !health.Contains("\"status\":\"ok\"", StringComparison.Ordinal) ? health : null, "the detector to report the outage");
                Assert.Contains("redis", degraded, StringComparison.OrdinalIgnoreCase);
                await Task.Delay(TimeSpan.FromSeconds(5));
                await System.Processes.StartAsync("redis");
                return (DateTime.UtcNow, "");
            }, midStream: 1_000);

        AssertNothingLostOrRepeated(figures);
        await FraudSystem.EventuallyAsync(async () => await fixture.DetectorHealthAsync() is var health
            && health.Contains("\"status\":\"ok\"", StringComparison.Ordinal) ? health : null, "the detector to report healthy again");
    }

    [Fact]
    public async Task Cutting_the_broker_connections_for_eight_seconds_loses_no_alert_and_duplicates_none()
    {
        // Every client's connection to the broker drops and reconnecting fails until the outage ends; the broker
        // keeps its messages and offsets, as through a network partition.
        var figures = await RunAsync("broker connections cut 8 s, restored", firstUser: 11_000_000, users: 1_500,
            Simulate(seed: 19, count: 16_000, users: 1_500, firstUserId: 11_000_000), perSecond: 1_000, async () =>
            {
                await System.Processes.SignalAsync("kafka", "USR1");
                await Task.Delay(TimeSpan.FromSeconds(8));
                await System.Processes.SignalAsync("kafka", "USR2");
                return (DateTime.UtcNow, "");
            });

        AssertNothingLostOrRepeated(figures);
        await FraudSystem.EventuallyAsync(async () => await fixture.DetectorHealthAsync() is var health
            && health.Contains("\"status\":\"ok\"", StringComparison.Ordinal) ? health : null, "the detector to report healthy again");
        Assert.Equal(HttpStatusCode.OK, (await System.Api.GetAsync("/alerts?limit=1")).StatusCode);
    }

    [Fact]
    public async Task A_burst_of_malformed_and_oversized_messages_goes_to_the_dead_letter_topic_and_everything_else_is_processed()
    {
        const long firstUser = 2_000_000;
        var stream = Simulate(seed: 12, count: 10_000, users: 1_000, firstUser);
        var poison = BadMessages.Build(seed: 12, stream.Count, firstUser);
        double deadBefore = await MetricAsync(System.Detector, "fraud_dlq_messages_total");
        double processedBefore = await StableMetricAsync(System.Detector, "fraud_transactions_processed_total");

        var figures = await RunAsync($"{poison.Count} malformed and oversized messages", firstUser, users: 1_000, stream,
            perSecond: 2_000, fault: null, poison: poison);

        AssertNothingLostOrRepeated(figures, deadLetters: poison.Count);
        Assert.Equal(deadBefore + poison.Count, await MetricAsync(System.Detector, "fraud_dlq_messages_total"));
        Assert.Equal(processedBefore + stream.Count, await SettledMetricAsync(System.Detector, "fraud_transactions_processed_total",
            processedBefore + stream.Count, Within));
    }

    /// <summary>
    /// Produces <paramref name="stream"/> (with <paramref name="poison"/> interleaved) at a steady pace; once the
    /// detector has committed <paramref name="midStream"/> of it, injects the fault (which returns when the
    /// fault ends, from when recovery is timed, and a note), then waits until everything produced is committed
    /// and reads back what the detector stored.
    /// </summary>
    private async Task<FaultFigures> RunAsync(string scenario, long firstUser, int users, IReadOnlyList<Transaction> stream, int perSecond,
        Func<Task<(DateTime FaultEnded, string Note)>>? fault, IReadOnlyDictionary<int, byte[]>? poison = null, int midStream = 2_000)
    {
        long lastUser = firstUser + users;
        var offline = await fixture.OfflineAlertsAsync(stream);
        using var progress = new DetectorProgress(System.KafkaBootstrap);
        long start = progress.End();
        await progress.CommittedReachesAsync(start, Within); // the previous test's messages are all committed
        long produced = stream.Count + (poison?.Count ?? 0);

        var producing = Task.Run(() => fixture.ProducePaced(stream, perSecond, poison));
        double? recoverySeconds = null;
        string note = "";
        if (fault is not null)
        {
            await progress.CommittedReachesAsync(start + midStream, Within);
            (var faultEnded, note) = await fault();
            // Recovered = everything produced until the system was back is committed (so durable).
            var recovered = await progress.CommittedReachesAsync(progress.End(), Within);
            recoverySeconds = (recovered - faultEnded).TotalSeconds;
        }

        await producing;
        await progress.CommittedReachesAsync(start + produced, Within);
        var stored = await StoredAlertsAsync(System.PostgresConnectionString, firstUser, lastUser);
        var figures = new FaultFigures(scenario, produced, progress.Committed() - start, offline.Count, stored.Count,
            await DuplicateAlertRowsAsync(System.PostgresConnectionString, firstUser, lastUser),
            CountDeadLetters(System.KafkaBootstrap, firstUser, lastUser), recoverySeconds, note);
        ReliabilityReport.Record(figures, output);
        AssertSameAlerts(offline, stored);
        return figures;
    }

    private static void AssertNothingLostOrRepeated(FaultFigures figures, long deadLetters = 0)
    {
        Assert.Equal(figures.Produced, figures.Processed);
        Assert.Equal(figures.AlertsExpected, figures.AlertsStored);
        Assert.Equal(0, figures.Duplicates);
        Assert.Equal(deadLetters, figures.DeadLettered);
    }
}
