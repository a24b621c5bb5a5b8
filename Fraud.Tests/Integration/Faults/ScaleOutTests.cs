using Fraud.Core;
using Xunit.Abstractions;
using static Fraud.Tests.Integration.Detector.DetectorStreams;

namespace Fraud.Tests.Integration.Faults;

/// <summary>Detector replicas form one consumer group: they split the partitions, so each gets work.</summary>
[Collection(PrivateSystemsCollection.Name)]
public sealed class ScaleOutTests(ITestOutputHelper output)
{
    private const int Partitions = 6;
    private const int Chunk = 100;

    [Fact]
    public async Task Two_detector_replicas_split_six_partitions_and_alert_exactly_as_offline_score()
    {
        const long firstUser = 7_000_000;
        await using var system = await FraudSystem.StartAsync(["--Detector:Replicas=2", "--Producer:Enabled=false"]);
        var replicas = await system.Processes.HttpEndpointsAsync("detector");
        Assert.Equal(2, replicas.Count);
        var clients = replicas.Select(replica => new HttpClient { BaseAddress = replica.Uri }).ToList();
        var stream = Simulate(seed: 21, count: 20_000, users: 3_000, firstUser);
        var offline = await OfflineAlertsAsync(stream, system.Files.ModelPath, system.Files.RulesPath);
        using var progress = new DetectorProgress(system.KafkaBootstrap);

        // Traffic flows while the group forms, so a replica's joining rebalances it mid-stream; the rest follows once
        // each replica owns partitions, so both decide some however long the joining takes on this machine.
        var (beforeSettled, owned) = await ProduceUntilSettledAsync(system.KafkaBootstrap, stream, clients);
        Produce(system.KafkaBootstrap, stream.Skip(beforeSettled).ToList());

        // Users keep their own features whichever replica decides them, so the split changes no decision. A
        // rebalance (a replica joining) may replay a batch: the counts can exceed the stream, the rows not.
        var online = await FraudSystem.EventuallyAsync(async () =>
        {
            var stored = await StoredAlertsAsync(system.PostgresConnectionString, firstUser, firstUser + 3_000);
            return stored.Count >= offline.Count ? stored : null;
        }, "every expected alert to be stored", TimeSpan.FromSeconds(120));
        AssertSameAlerts(offline, online);
        // The last alert can be stored before the stream's tail (transactions that raise none) is decided: wait for
        // the replicas to have decided every transaction between them.
        var processed = await FraudSystem.EventuallyAsync(async () =>
        {
            var counts = await Task.WhenAll(clients.Select(client => client.ReadCounterAsync("fraud_transactions_processed_total")));
            return counts.Sum() >= stream.Count ? counts : null;
        }, "the replicas to decide every transaction", TimeSpan.FromSeconds(120));
        // A commit that fails during the rebalance is retried while the replica is idle, so the group ends up
        // having committed the whole stream even though no new message arrives to carry the commit.
        long committed = await progress.CommittedEventuallyAsync(stream.Count, TimeSpan.FromSeconds(60));
        var published = PublishedAlerts(system.KafkaBootstrap, firstUser, firstUser + 3_000);
        ReliabilityReport.Record(new FaultFigures("two detector replicas, six partitions (a rebalance as the second joins)", stream.Count,
            progress.Committed(), offline.Count, online.Count, published.Count - published.Select(alert => alert.TxId).Distinct().Count(),
            CountDeadLetters(system.KafkaBootstrap, firstUser, firstUser + 3_000), null,
            $"decided per replica: {string.Join(" + ", processed)}, partitions owned: {string.Join(" + ", owned)}; {beforeSettled:N0} sent before the group settled (a rebalance may replay a batch: the rows stay one per alert, alerts.v1 may carry a copy again)"), output);
        AssertPublishedAsStored(online, published);
        Assert.All(processed, count => Assert.True(count > 0, "a replica decided nothing"));
        Assert.True(processed.Sum() >= stream.Count);
        Assert.Equal(stream.Count, committed);
        clients.ForEach(client => client.Dispose());
    }

    /// <summary>
    /// Produces the stream a chunk every 100 ms until each replica owns partitions, six in all; returns how many were
    /// sent and each replica's partitions.
    /// </summary>
    private static async Task<(int Sent, double[] Owned)> ProduceUntilSettledAsync(string bootstrap, IReadOnlyList<Transaction> stream, List<HttpClient> replicas)
    {
        for (int sent = 0; sent < stream.Count; sent += Chunk)
        {
            var owned = await Task.WhenAll(replicas.Select(replica => replica.ReadCounterAsync("fraud_detector_partitions_assigned")));
            if (owned.All(count => count > 0) && owned.Sum() == Partitions)
            {
                return (sent, owned);
            }

            Produce(bootstrap, stream.Skip(sent).Take(Chunk).ToList());
            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }

        throw new Xunit.Sdk.XunitException($"The group did not settle (each replica owning partitions) while {stream.Count:N0} transactions were sent.");
    }
}
