using System.Globalization;
using Confluent.Kafka;
using Fraud.Core;
using Npgsql;
using Xunit.Abstractions;

namespace Fraud.SystemTests.Integration.Faults;

/// <summary>
/// Postgres crashes as in production: the postmaster killed with SIGKILL (no shutdown checkpoint, its backends cut
/// off mid-statement) while the detector writes a stream of alerts, on a server that runs durably (fsync and
/// synchronous commit on, <c>Postgres:Durable=true</c>; the other test systems run without, which a crash would
/// betray). Started again as the product does (the AppHost's Start, as the dashboard's), it recovers from its WAL;
/// every alert the detector was told is stored must be there, and the batches it was not told about are written again.
/// </summary>
[Collection(DefaultDetectorCollection.Name)]
public sealed class PostgresCrashTests(DefaultDetectorSystem fixture, ITestOutputHelper output)
{
    private const long FirstUser = 33_000_000;
    private const int Users = 400, PerUser = 5, PerSecond = 500;
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(90);
    private FraudSystem System => fixture.System;

    [Fact]
    public async Task Killing_durable_Postgres_mid_stream_loses_no_alert_and_stores_none_twice()
    {
        Assert.Equal("on/on", await QueryAsync("SELECT current_setting('fsync') || '/' || current_setting('synchronous_commit')"));
        // Each purchase is above the shipped review_limit (10,000), an alert alone, so every message is an alert to store.
        string run = Guid.NewGuid().ToString("N")[..8];
        var now = DateTimeOffset.UtcNow;
        var planted = Enumerable.Range(0, Users * PerUser).Select(i => SampleTransactions.Purchase with
        {
            TxId = $"tx_{run}_crash{i}",
            UserId = FirstUser + i % Users,
            Ts = now - TimeSpan.FromMinutes(PerUser - i / Users),
            Amount = 10_500m + i % 50,
            DeviceId = $"d_card_{(FirstUser + i % Users).ToString(CultureInfo.InvariantCulture)}",
        }).ToList();
        double sinkFailuresBefore = await PostgresSinkFailuresAsync();

        var producing = ProducePacedAsync(planted);
        string storedBefore = await FraudSystem.EventuallyAsync(async () => await StoredCountAsync() is >= 100 and var count ? $"{count}" : null,
            "the first planted alerts stored", Within);
        int pid = await System.Processes.KillAsync("postgres");
        output.WriteLine($"postmaster {pid} killed after {storedBefore} of the {planted.Count} planted alerts were stored");
        await System.Processes.StartAsync("postgres");
        var positions = await producing;

        // Resumed: the group commits past every planted message, which the detector does only once its batch is durable.
        using (var progress = new DetectorProgress(System.KafkaBootstrap))
        {
            foreach (var last in positions.GroupBy(p => p.Partition).Select(p => p.MaxBy(position => position.Offset.Value)!))
            {
                await progress.CommittedPastAsync(last, Within);
            }
        }

        var rows = await System.AlertRowCountsAsync(planted.Select(transaction => transaction.TxId));
        Assert.Empty(planted.Where(transaction => !rows.ContainsKey(transaction.TxId)).Select(transaction => transaction.TxId));
        Assert.All(rows, row => Assert.Equal(1, row.Value));   // held by the table's key: checked so that losing the key shows
        // The kill cut writes short: a batch met the dead server and was written again after the restart.
        Assert.True(await PostgresSinkFailuresAsync() > sinkFailuresBefore, "no Postgres access of the detector failed: the kill did not land mid-stream");
    }

    /// <summary>Sends the planted stream at about <see cref="PerSecond"/> a second; returns where each message went.</summary>
    private async Task<List<TopicPartitionOffset>> ProducePacedAsync(IReadOnlyList<Transaction> stream)
    {
        const int Chunk = 50;
        var positions = new List<TopicPartitionOffset>();
        var started = DateTime.UtcNow;
        for (int offset = 0; offset < stream.Count; offset += Chunk)
        {
            var sent = await Task.WhenAll(stream.Skip(offset).Take(Chunk).Select(System.ProduceAsync));
            positions.AddRange(sent.Select(result => result.TopicPartitionOffset));
            var due = started + TimeSpan.FromSeconds((offset + Chunk) / (double)PerSecond);
            if (due > DateTime.UtcNow)
            {
                await Task.Delay(due - DateTime.UtcNow);
            }
        }
        return positions;
    }

    private async Task<long> StoredCountAsync() =>
        long.Parse(await QueryAsync(
            $"SELECT count(*)::text FROM fraud_alerts WHERE user_id BETWEEN {FirstUser} AND {FirstUser + Users - 1}"), CultureInfo.InvariantCulture);

    private async Task<string> QueryAsync(string query)
    {
        await using var connection = new NpgsqlConnection($"{System.PostgresConnectionString};Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(query, connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Failed writes and reads of the detector's Postgres-backed sinks: whichever meets the dead server first
    /// (the alerts with the merchant counts, the merchant-risk load, the training sample) shows the kill landed mid-stream.</summary>
    private async Task<double> PostgresSinkFailuresAsync()
    {
        var failures = await System.Detector.ReadByLabelAsync("fraud_sink_failures_total", "sink");
        return new[] { "postgres", "merchant_risk", "training_samples" }.Sum(sink => failures.GetValueOrDefault(sink));
    }
}
