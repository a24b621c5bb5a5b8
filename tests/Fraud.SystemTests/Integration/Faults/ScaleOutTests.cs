using Fraud.Core;
using Xunit.Abstractions;
using static Fraud.SystemTests.Integration.Detector.DetectorStreams;

namespace Fraud.SystemTests.Integration.Faults;

/// <summary>Detector replicas form one consumer group: they split the partitions, so each gets work.</summary>
[Collection(PrivateSystemsCollection.Name)]
public sealed class ScaleOutTests(ITestOutputHelper output)
{
    private const int Partitions = 6;
    private const int Chunk = 100;

    [Fact]
    public async Task Two_detector_replicas_split_six_partitions_and_when_one_is_killed_mid_stream_the_other_alerts_exactly_as_offline_score()
    {
        const long firstUser = 7_000_000;
        await using var system = await FraudSystem.StartAsync(["--Detector:Replicas=2", "--Producer:Enabled=false"]);
        var replicas = await system.Processes.HttpEndpointsAsync("detector");
        Assert.Equal(2, replicas.Count);
        var clients = replicas.Select(replica => new HttpClient { BaseAddress = replica.Uri }).ToList();
        var stream = Simulate(seed: 21, count: 20_000, users: 3_000, firstUser);
        var offline = await OfflineAlertsAsync(stream, system.Files.ModelPath, system.Files.RulesPath);
        using var progress = new DetectorProgress(system.KafkaBootstrap);

        // Traffic flows while the group forms, so a replica's joining rebalances it mid-stream; once each replica owns
        // partitions, half the rest follows and the first replica is killed (kill -9) while it decides its share: the
        // other takes its partitions over when its session ends and replays what it had not committed.
        var (beforeSettled, owned) = await ProduceUntilSettledAsync(system.KafkaBootstrap, stream, clients);
        int beforeKill = beforeSettled + ((stream.Count - beforeSettled) / 2);
        Produce(system.KafkaBootstrap, stream.Take(beforeKill).Skip(beforeSettled).ToList());
        double decidedByKilled = await clients[0].ReadCounterAsync("fraud_transactions_processed_total");
        await system.Processes.KillAsync(replicas[0].ResourceId);
        Produce(system.KafkaBootstrap, stream.Skip(beforeKill).ToList());

        // Users keep their own features whichever replica decides them (checkpoints in Redis), so neither the split nor
        // the takeover changes a decision. A replayed batch may publish an alert again; the rows stay one per alert.
        var online = await FraudSystem.EventuallyAsync(async () =>
        {
            var stored = await StoredAlertsAsync(system.PostgresConnectionString, firstUser, firstUser + 3_000);
            return stored.Count >= offline.Count ? stored : null;
        }, "every expected alert to be stored", TimeSpan.FromSeconds(120));
        AssertSameAlerts(offline, online);
        await FraudSystem.EventuallyAsync(async () =>
            await clients[1].ReadCounterAsync("fraud_detector_partitions_assigned") == Partitions ? "" : null,
            "the surviving replica to own every partition", TimeSpan.FromSeconds(60));
        // The group ends up having committed the whole stream, through the survivor, although the killed replica's
        // uncommitted batches died with it.
        long committed = await progress.CommittedEventuallyAsync(stream.Count, TimeSpan.FromSeconds(90));
        double decidedBySurvivor = await clients[1].ReadCounterAsync("fraud_transactions_processed_total");
        var published = PublishedAlerts(system.KafkaBootstrap, firstUser, firstUser + 3_000);
        ReliabilityReport.Record(new FaultFigures("two detector replicas, six partitions, one killed (kill -9) mid-stream", stream.Count,
            progress.Committed(), offline.Count, online.Count, published.Count - published.Select(alert => alert.TxId).Distinct().Count(),
            CountDeadLetters(system.KafkaBootstrap, firstUser, firstUser + 3_000), null,
            $"decided: {decidedByKilled:N0} by the killed replica before the kill, {decidedBySurvivor:N0} by the survivor, which then owned all {Partitions} partitions; partitions owned before: {string.Join(" + ", owned)}; {beforeSettled:N0} sent before the group settled"), output);
        AssertPublishedAsStored(online, published);
        Assert.True(decidedByKilled > 0 && decidedBySurvivor > 0, $"decided {decidedByKilled} by the killed replica, {decidedBySurvivor} by the survivor");
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
