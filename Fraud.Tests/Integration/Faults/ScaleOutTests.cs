using Fraud.Tests.Core;
using Xunit.Abstractions;

namespace Fraud.Tests.Integration.Faults;

/// <summary>Detector replicas form one consumer group: they split the partitions, so each gets work.</summary>
[Collection(PrivateSystemsCollection.Name)]
public sealed class ScaleOutTests(ITestOutputHelper output)
{
    /// <summary>Two per partition on average: a replica holding 3 of the 6 misses all of a round once in ~4,000.</summary>
    private const int TransactionsPerRound = 12;

    [Fact]
    public async Task Two_detector_replicas_both_process_keyed_traffic()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await using var system = await FraudSystem.StartAsync(["--Detector:Replicas=2", "--Producer:Enabled=false"]);
        output.WriteLine($"system with two replicas healthy after {clock.Elapsed.TotalSeconds:F1} s");
        var replicas = await system.Processes.HttpEndpointsAsync("detector");
        Assert.Equal(2, replicas.Count);
        Assert.NotEqual(replicas[0].Uri, replicas[1].Uri);
        var clients = replicas.Select(replica => new HttpClient { BaseAddress = replica.Uri }).ToList();

        // Many users, so the keys hash onto every partition; keep producing until both replicas have counted some
        // (the first replica to join may hold every partition until the second one's join rebalances the group).
        var rounds = 0;
        var processed = await FraudSystem.EventuallyAsync(async () =>
        {
            rounds++;
            await Task.WhenAll(Enumerable.Range(0, TransactionsPerRound).Select(_ => system.ProduceAsync(TransactionMessages.ContractExampleTransaction with
            {
                TxId = $"tx_scale_{Guid.NewGuid():N}",
                UserId = Random.Shared.Next(1, 1_000_000),
                Amount = 20m,
            })));
            var counts = await Task.WhenAll(clients.Select(client => client.ReadCounterAsync("fraud_transactions_processed_total")));
            return counts.All(count => count > 0) ? counts : null;
        }, "both replicas to count processed transactions on their own /metrics");

        output.WriteLine($"both replicas counted after {rounds} round(s) of {TransactionsPerRound}, at {clock.Elapsed.TotalSeconds:F1} s: {string.Join(", ", processed)}");
        Assert.All(processed, count => Assert.True(count > 0));
        clients.ForEach(client => client.Dispose());
    }
}
