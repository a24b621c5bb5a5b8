using System.Globalization;
using System.Net;
using Fraud.Core;
using Fraud.Core.Features;
using Fraud.Messaging;
using Npgsql;
using Xunit.Abstractions;
using static Fraud.SystemTests.Integration.Detector.DetectorStreams;

namespace Fraud.SystemTests.Integration.Faults;

/// <summary>
/// The local broker (Fraud.LocalKafka, librdkafka's mock cluster, memory only) killed and started again on its port
/// while the simulator, the detector and the API run: it comes back empty, with the AppHost's topics and no committed
/// offset. What is expected (<c>docs/reliability.md</c>): every client reconnects by itself; what the broker held is
/// gone (alerts.v1's history, messages not decided yet), what Postgres holds stays; new transactions are decided and
/// alert, also those of card holders the detector knew before, although their checkpoints name positions in the old log.
/// </summary>
[Collection(DefaultDetectorCollection.Name)]
public sealed class BrokerRestartTests(DefaultDetectorSystem fixture, ITestOutputHelper output)
{
    private const string Skipped = "fraud_detector_replays_skipped_total";
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);
    private FraudSystem System => fixture.System;

    [Fact]
    public async Task Restarting_the_local_broker_empties_it_and_the_running_system_decides_and_alerts_again()
    {
        const long known = 31_000_000, fresh = 31_000_001;
        string run = Guid.NewGuid().ToString("N")[..8];
        var now = DateTimeOffset.UtcNow;
        // A card holder with 120 purchases over the last five days, then one above the shipped review_limit (10,000: an
        // alert alone): the user's checkpoint then names a position past 120 in its partition, further than the new log
        // gets while the test runs.
        var history = Enumerable.Range(0, 120).Select(i => Purchase(known, $"tx_{run}_history{i}", now - TimeSpan.FromHours(120 - i), 20m + i % 7)).ToList();
        Produce(System.KafkaBootstrap, history);
        var before = (await System.ProduceAsync(Purchase(known, $"tx_{run}_before", now - TimeSpan.FromMinutes(5), 12_000m))).TopicPartitionOffset;
        await FraudSystem.EventuallyAsync(async () => (await StoredAlertsAsync(System.PostgresConnectionString, known, known)).ContainsKey($"tx_{run}_before") ? "" : null,
            "the alert before the restart", Within);
        // Committed only once the whole batch is durable, the user's Redis checkpoint included: what the broker's restart
        // cannot take back. (A batch still in flight when the partitions are lost is given up, its checkpoint with it.)
        await FraudSystem.EventuallyAsync(() => Task.FromResult(CommittedOffset(before.TopicPartition) > before.Offset.Value ? "" : null),
            "the detector to commit past the history", Within);

        var killed = DateTime.UtcNow;
        double releasedBefore = await ReleasedAsync();
        double skippedBefore = await System.Detector.ReadCounterAsync(Skipped);
        double restoredBefore = await RestoredAsync();
        await System.Processes.KillAsync("kafka");
        var gone = DateTime.UtcNow;   // nothing sent from here on can be in the old broker's log
        await System.Processes.StartAsync("kafka");   // as the dashboard's Start does, or a supervisor: same port, same topics
        // The new broker does not know the detector's group: the member's session ends and its partitions are lost (it
        // forgets their users), it joins again and reads the new log from its start. The known holder's next
        // transaction then brings its history back from the checkpoint.
        await FraudSystem.EventuallyAsync(async () => await ReleasedAsync() > releasedBefore ? "" : null,
            "the detector to lose its partitions to the new broker", TimeSpan.FromSeconds(120)); // one session timeout, 10-60 s seen

        output.WriteLine($"the detector gave its partitions up {(DateTime.UtcNow - killed).TotalSeconds:0.0} s after the kill");
        var after = new[] { Purchase(known, $"tx_{run}_after", DateTimeOffset.UtcNow, 12_500m), Purchase(fresh, $"tx_{run}_fresh", DateTimeOffset.UtcNow, 13_000m) };
        var positions = new List<string>();
        foreach (var transaction in after)
        {
            positions.Add($"{transaction.TxId} at {(await System.ProduceAsync(transaction)).TopicPartitionOffset}");
        }
        output.WriteLine($"sent after the restart: {string.Join(", ", positions)} (the history ended at {before})");

        var stored = await FraudSystem.EventuallyAsync(async () =>
            await StoredAlertsAsync(System.PostgresConnectionString, known, fresh) is { Count: 3 } alerts ? alerts : null,
            "both alerts after the restart", Within);
        Assert.Equal([$"tx_{run}_after", $"tx_{run}_before", $"tx_{run}_fresh"], stored.Keys.Order(StringComparer.Ordinal));
        // No new transaction taken for a replay. The live simulator's batch in flight at the kill may have been stored by
        // the old broker without an answer; its producer then sends it again, and the new log holds copies of messages
        // the detector already decided: those, and only those, are replays to skip (sent before the broker was gone).
        double skipped = await System.Detector.ReadCounterAsync(Skipped) - skippedBefore;
        int resent = ReadTopic(System.KafkaBootstrap, Topics.Transactions.Name).Count(message => message.Timestamp.UtcDateTime < gone);
        output.WriteLine($"skipped as replays: {skipped}; messages in the new log sent before the kill: {resent}");
        Assert.True(skipped <= resent, $"{skipped} messages skipped as replays, but only {resent} in the new log were sent before the kill");
        // The known holder's history came back from its checkpoint: its alert counts the purchases before.
        Assert.True(await RestoredAsync() > restoredBefore, "no user was restored from a checkpoint after the partitions came back");
        Assert.Equal(history.Count + 1, await FeatureOfAsync($"tx_{run}_after", FeatureSchema.Count7d));
        Assert.Equal(0, await FeatureOfAsync($"tx_{run}_fresh", FeatureSchema.Count7d));
        // alerts.v1 starts empty: the alert of before is gone from it (Postgres and the API keep it), the new ones are on it.
        Assert.Equal([$"tx_{run}_after", $"tx_{run}_fresh"], PublishedAlerts(System.KafkaBootstrap, known, fresh).Select(alert => alert.TxId).Order(StringComparer.Ordinal));
        Assert.Equal(HttpStatusCode.OK, (await System.Api.GetAsync($"/alerts/tx_{run}_before")).StatusCode);
        await FraudSystem.EventuallyAsync(async () => (await System.Detector.GetStringAsync("/health")).Contains("\"status\":\"ok\"", StringComparison.Ordinal) ? "" : null,
            "the detector to report healthy", Within);
    }

    /// <summary>The detector group's committed offset of <paramref name="partition"/> (read without joining the group).</summary>
    private long CommittedOffset(Confluent.Kafka.TopicPartition partition)
    {
        using var group = new Confluent.Kafka.ConsumerBuilder<Confluent.Kafka.Ignore, Confluent.Kafka.Ignore>(
            new Confluent.Kafka.ConsumerConfig { BootstrapServers = System.KafkaBootstrap, GroupId = "fraud-detector" }).Build();
        return group.Committed([partition], TimeSpan.FromSeconds(10)).Single().Offset.Value;
    }

    private async Task<double> ReleasedAsync() =>
        (await System.Detector.ReadByLabelAsync("fraud_detector_partitions_released_total", "how")).Values.Sum();

    /// <summary>One feature of a stored alert, as the detector computed it.</summary>
    private async Task<double> FeatureOfAsync(string txId, int feature)
    {
        await using var connection = new NpgsqlConnection(System.PostgresConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT features[$2] FROM fraud_alerts WHERE tx_id = $1", connection)
        {
            Parameters = { new() { Value = txId }, new() { Value = feature + 1 } },   // Postgres arrays count from 1
        };
        return Convert.ToDouble(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    private async Task<double> RestoredAsync() =>
        (await System.Detector.ReadByLabelAsync("fraud_detector_state_restores_total", "outcome")).GetValueOrDefault("restored");

    private static Transaction Purchase(long user, string txId, DateTimeOffset ts, decimal amount) =>
        SampleTransactions.Purchase with { TxId = txId, UserId = user, Ts = ts, Amount = amount, DeviceId = $"d_card_{user.ToString(CultureInfo.InvariantCulture)}" };
}
