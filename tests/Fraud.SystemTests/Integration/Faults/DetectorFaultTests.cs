using System.Net;
using Fraud.Core;
using Fraud.SystemTests.Integration.Detector;
using Xunit.Abstractions;
using static Fraud.SystemTests.Integration.Detector.DetectorStreams;

namespace Fraud.SystemTests.Integration.Faults;

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
        // The kill's worst moment is after a batch is durable (alerts stored, users checkpointed) and before its commit
        // reaches the broker: the restart then replays messages the checkpoints already hold. A kill cannot be timed
        // into that window (a few milliseconds per batch), so while the detector is down the test moves the group's
        // commit back by Rewound messages, as commits lost with the process would have left it.
        const int Rewound = 1_000;
        var stream = Simulate(seed: 13, count: 20_000, users: 1_500, firstUserId: 3_000_000);
        var merchantVisitsBefore = await MerchantVisitsCountedAsync();
        var figures = await RunAsync("detector killed (kill -9) and restarted", firstUser: 3_000_000, users: 1_500,
            stream, perSecond: 2_000, async () =>
            {
                await System.Processes.KillAsync("detector");
                var killed = DateTime.UtcNow;
                long committed = await Task.Run(() => MoveCommitBack(Rewound));
                await System.Processes.StartAsync("detector");
                return (killed, $"commit moved back from offset {committed:N0} by {Rewound:N0} while down");
            });

        AssertNothingLostOrRepeated(figures);
        // The restarted process counts from zero: it replayed at least the rewound messages and skipped each one,
        // since its users' checkpoints already held them (more if the kill itself landed between checkpoint and commit).
        double skipped = await MetricAsync(System.Detector, "fraud_detector_replays_skipped_total");
        output.WriteLine($"replays skipped by the restarted detector: {skipped}");
        Assert.True(skipped >= Rewound, $"the restarted detector skipped {skipped} replayed messages, expected at least the {Rewound} rewound");
        // The replayed messages are counted at their merchants once, as every other (the store's partition positions),
        // by the hour, by the day and in the days' totals over every merchant alike.
        var merchantVisitsAfter = await MerchantVisitsCountedAsync();
        int withMerchant = stream.Count(transaction => transaction.MerchantId is not null);
        Assert.Equal(withMerchant, merchantVisitsAfter.ByHour - merchantVisitsBefore.ByHour);
        Assert.Equal(withMerchant, merchantVisitsAfter.ByDay - merchantVisitsBefore.ByDay);
        Assert.Equal(withMerchant, merchantVisitsAfter.DayTotals - merchantVisitsBefore.DayTotals);
    }

    /// <summary>Every transaction counted at its merchant so far, by the hour, by the day and in the days' totals, once the previous test's messages are all committed (counted before).</summary>
    private async Task<(long ByHour, long ByDay, long DayTotals)> MerchantVisitsCountedAsync()
    {
        using (var progress = new DetectorProgress(System.KafkaBootstrap))
        {
            await progress.CommittedReachesAsync(progress.End(), Within);
        }

        await using var connection = new Npgsql.NpgsqlConnection(System.PostgresConnectionString);
        await connection.OpenAsync();
        await using var sums = new Npgsql.NpgsqlCommand("""
            SELECT (SELECT coalesce(sum(transactions), 0)::bigint FROM merchant_hours),
                   (SELECT coalesce(sum(transactions), 0)::bigint FROM merchant_days),
                   (SELECT coalesce(sum(transactions), 0)::bigint FROM merchant_day_totals)
            """, connection);
        await using var reader = await sums.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
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
    public async Task Killing_the_detector_while_its_batch_waits_for_Postgres_loses_no_alert()
    {
        // The batch waiting for Postgres must still be uncommitted when the process dies, so that the restarted
        // detector reads it again: offsets are committed only once the batch's alerts are stored.
        var transaction = new Transaction($"tx_waiting_{Guid.NewGuid():N}", 17_000_001, 5_000m, "EUR", "ES", DateTimeOffset.UtcNow);
        const string Parsed = "parse";
        double parsedBefore = (await System.Detector.ReadByLabelAsync("fraud_detector_batch_stage_duration_seconds_count", "stage")).GetValueOrDefault(Parsed);
        await System.Processes.StopAsync("postgres");
        try
        {
            await System.ProduceAsync(transaction);
            // Parsing is the batch's first stage, before anything reaches Postgres: the detector holds the transaction.
            await FraudSystem.EventuallyAsync(async () => (await System.Detector.ReadByLabelAsync("fraud_detector_batch_stage_duration_seconds_count", "stage"))
                .GetValueOrDefault(Parsed) > parsedBefore ? "parsed" : null, "the detector to take the transaction into a batch");
            await System.Processes.KillAsync("detector");
        }
        finally
        {
            await System.Processes.StartAsync("postgres");
        }

        await System.Processes.StartAsync("detector");
        await FraudSystem.EventuallyAsync(async () => (await System.AlertRowCountsAsync([transaction.TxId])).ContainsKey(transaction.TxId) ? "stored" : null,
            "the restarted detector to store the alert of the batch the killed one held", Within);
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
        // Every alert is published after it is stored and before its batch is committed, so all are on alerts.v1 now.
        var published = PublishedAlerts(System.KafkaBootstrap, firstUser, lastUser);
        var figures = new FaultFigures(scenario, produced, progress.Committed() - start, offline.Count, stored.Count,
            published.Count - published.Select(alert => alert.TxId).Distinct().Count(),
            CountDeadLetters(System.KafkaBootstrap, firstUser, lastUser), recoverySeconds, note);
        ReliabilityReport.Record(figures, output);
        AssertSameAlerts(offline, stored);
        AssertPublishedAsStored(stored, published);
        return figures;
    }

    private static void AssertNothingLostOrRepeated(FaultFigures figures, long deadLetters = 0)
    {
        // Repeated copies on alerts.v1 (Duplicates) are allowed, at least once being the promise; that each copy is the
        // stored alert is asserted in RunAsync. Repeated rows cannot exist (tx_id is the table's key).
        Assert.Equal(figures.Produced, figures.Processed);
        Assert.Equal(figures.AlertsExpected, figures.AlertsStored);
        Assert.Equal(deadLetters, figures.DeadLettered);
    }

    /// <summary>
    /// Moves the detector group's commit <paramref name="messages"/> back on the (single) partition, as an operator's
    /// offset reset does: joins the group as its only member (once the killed member's session has timed out, the
    /// broker hands it the partition), commits the earlier offset and leaves. Returns the offset it moved back from.
    /// </summary>
    private long MoveCommitBack(int messages)
    {
        var config = new Confluent.Kafka.ConsumerConfig
        {
            BootstrapServers = System.KafkaBootstrap,
            GroupId = "fraud-detector",
            EnableAutoCommit = false,
            AutoOffsetReset = Confluent.Kafka.AutoOffsetReset.Earliest,
            PartitionAssignmentStrategy = Confluent.Kafka.PartitionAssignmentStrategy.CooperativeSticky, // the detector's
            SessionTimeoutMs = 6_000,
        };
        // A member joining while the killed one is still in the group waits for it to rejoin, which it never does (the
        // broker does not time it out during a rebalance): let its session (the detector's session.timeout.ms, 10 s) end
        // first, and when a loaded machine made the broker notice that late, leave and join again.
        Thread.Sleep(TimeSpan.FromSeconds(12));
        var joined = JoinAlone(config);
        for (int attempt = 2; joined is null && attempt <= 3; attempt++)
        {
            Thread.Sleep(TimeSpan.FromSeconds(12));
            joined = JoinAlone(config);
        }

        using var group = joined ?? throw new Xunit.Sdk.XunitException("the test's consumer was not given the partition of transactions.v1 in 3 tries of 20 s");

        var partition = Assert.Single(group.Assignment);
        long committed = group.Committed([partition], TimeSpan.FromSeconds(10)).Single().Offset.Value;
        Assert.True(committed >= messages, $"the group has committed {committed} messages, fewer than the {messages} to move back");
        group.Commit([new Confluent.Kafka.TopicPartitionOffset(partition, committed - messages)]);
        Assert.Equal(committed - messages, group.Committed([partition], TimeSpan.FromSeconds(10)).Single().Offset.Value);
        group.Close();
        return committed;
    }

    /// <summary>Joins the detector's group; the consumer once it owns the partition, or null (closed) after 20 s.</summary>
    private static Confluent.Kafka.IConsumer<string, byte[]>? JoinAlone(Confluent.Kafka.ConsumerConfig config)
    {
        var group = new Confluent.Kafka.ConsumerBuilder<string, byte[]>(config).Build();
        group.Subscribe("transactions.v1");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (group.Assignment.Count == 0)
        {
            if (DateTime.UtcNow >= deadline)
            {
                group.Close();
                group.Dispose();
                return null;
            }

            group.Consume(TimeSpan.FromMilliseconds(200)); // joins; what it fetches is never committed
        }

        return group;
    }
}
