using System.Globalization;
using System.Text.Json;
using Fraud.Core;
using Fraud.Core.Features;
using Fraud.Simulation;
using Fraud.SystemTests.Integration.Faults;
using Fraud.SystemTests.Offline;
using Npgsql;
using Xunit.Abstractions;
using static Fraud.SystemTests.Integration.Detector.DetectorStreams;

namespace Fraud.SystemTests.Integration.Detector;

/// <summary>
/// Merchant risk online: two detector replicas, each deciding only its own users, count every transaction at its
/// merchant in Postgres, read the frauds' merchants from the labels the API stores, and read back the same merchant
/// features as the offline <c>score --labels</c> over the same stream.
/// </summary>
[Collection(PrivateSystemsCollection.Name)]
public sealed class MerchantRiskReplicaTests(ITestOutputHelper output)
{
    private const long FirstUser = 8_000_000;
    private const int Users = 1_000;

    // The staleness the design allows: a transaction on day d reads whole days up to d − 8 (7-day label delay), so the
    // days it compares on must come after the history has been counted; the history's own days are not compared, nor
    // is the day after it, whose table each replica built ahead while the history (replayed here in seconds, not in a
    // week) was still being counted. A table built for day d reads the days before d − 14 by the day (merchant_days)
    // and the later ones by the hour: 15 days of history make the compared days read both.
    private const int HistoryDays = 15;
    private const int ComparedDays = 3;
    private const int FirstComparedDay = HistoryDays + 1;
    private const int LateTransactions = 600;

    [Fact]
    public async Task Two_replicas_read_the_merchant_risk_that_offline_score_computes_from_the_same_transactions_and_labels()
    {
        var start = new DateTimeOffset(2025, 9, 1, 0, 0, 0, TimeSpan.Zero);
        var simulator = new TransactionSimulator(new SimulationOptions { Seed = 31, Users = Users, Merchants = 1_000, FraudRate = 0.02, Start = start });
        var simulated = SimulateLabelled(simulator, 100_000, FirstUser);
        List<SimulatedTransaction> Days(int from, int until) =>
            simulated.Where(row => row.Transaction.Ts >= start.AddDays(from) && row.Transaction.Ts < start.AddDays(until)).ToList();
        var rows = Days(0, FirstComparedDay + ComparedDays);
        var compared = Days(FirstComparedDay, FirstComparedDay + ComparedDays).Select(row => row.Transaction).ToList();

        // Then transactions of a day the tables already hold, counted late (as a partition far behind the others would
        // be), and two more days: the tables built after them must count them (the second day's; the first day's table
        // was built ahead, before them). Not frauds, so that they need no labels.
        int lateDay = FirstComparedDay + ComparedDays;
        var late = Days(lateDay + 2, lateDay + 30).Where(row => !row.Label.IsFraud).Take(LateTransactions)
            .Select(row => row with { Transaction = row.Transaction with { Ts = row.Transaction.Ts.AddDays(2 - (row.Transaction.Ts - start).Days) } })
            .ToList();
        var (firstAfter, secondAfter) = (Days(lateDay, lateDay + 1), Days(lateDay + 1, lateDay + 2));
        var labelled = rows.Concat(firstAfter).Concat(secondAfter).ToList();
        var offline = await OfflineMerchantFeaturesAsync([.. rows, .. late, .. firstAfter, .. secondAfter], labelled.Select(row => row.Label));

        // Every transaction alerts (any risk above 1e-9; the forest's evidence is never 0), so that every decision's
        // features are stored with its alert.
        string decision = Path.Combine(Path.GetTempPath(), $"fraud-alert-everything-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(decision, """{"alert_threshold":1e-9}""");
        try
        {
            await using var system = await FraudSystem.StartAsync(["--Detector:Replicas=2", "--Producer:Enabled=false", $"--Detector:DecisionPath={decision}"]);
            var replicas = (await system.Processes.HttpEndpointsAsync("detector")).Select(replica => new HttpClient { BaseAddress = replica.Uri }).ToList();
            Assert.Equal(2, replicas.Count);

            // Labels first, as a chargeback feed would have delivered them long before the compared days.
            ProduceLabels(system.KafkaBootstrap, labelled.Select(row => row.Label));
            await FraudSystem.EventuallyAsync(
                async () => await ScalarAsync(system, "SELECT count(*) FROM labels WHERE ts IS NOT NULL") >= labelled.Count ? "stored" : null,
                "the API to store every label with its merchant and time", TimeSpan.FromSeconds(120));

            int withMerchant = 0;
            async Task<long> ProduceAndCountAsync(IReadOnlyList<SimulatedTransaction> part, string what)
            {
                Produce(system.KafkaBootstrap, [.. part.Select(row => row.Transaction)]);
                withMerchant += part.Count(row => row.Transaction.MerchantId is not null);
                return await CountedAsync(system, withMerchant, what);
            }

            await ProduceAndCountAsync(Days(0, HistoryDays), "the history");
            // The days after it one at a time, so that each replica builds each next day's table from the day before's.
            long counted = 0;
            for (int day = HistoryDays; day < FirstComparedDay + ComparedDays; day++)
            {
                counted = await ProduceAndCountAsync(Days(day, day + 1), $"day {day}");
            }

            var online = await OnlineMerchantFeaturesAsync(system, compared.Select(transaction => transaction.TxId).ToArray());
            output.WriteLine($"{rows.Count:N0} transactions ({compared.Count:N0} compared), {rows.Count(row => row.Label.IsFraud)} frauds; "
                + $"{counted:N0} counted at merchants");
            AssertSameAsOffline(compared, online, offline);

            // Not a comparison of zeros or of the prior alone: merchants differ, and some read a risk above the prior.
            var risks = online.Values.Select(features => features[4]).ToList();
            Assert.True(online.Values.Count(features => features[2] > 0) > online.Count / 2, "most compared merchants should have counted transactions");
            Assert.True(risks.Distinct().Count() > 10 && risks.Max() > 2 * risks.Min(), $"risks should vary: {risks.Min()} … {risks.Max()}");

            await ProduceAndCountAsync(late, "the late transactions");
            await ProduceAndCountAsync(firstAfter, "the day after them");
            await ProduceAndCountAsync(secondAfter, "the second day after them");
            var secondDay = secondAfter.Select(row => row.Transaction).ToList();
            var onlineAfter = await OnlineMerchantFeaturesAsync(system, secondDay.Select(transaction => transaction.TxId).ToArray());
            AssertSameAsOffline(secondDay, onlineAfter, offline);
            var lateMerchants = late.Select(row => row.Transaction.MerchantId).ToHashSet();
            Assert.True(secondDay.Count(transaction => lateMerchants.Contains(transaction.MerchantId)) > secondDay.Count / 4,
                "the late transactions' merchants should be read on the second day");

            // The compared days after the first read the day before's table plus one day of hours: the comparisons above held for those.
            foreach (var replica in replicas)
            {
                var loads = await replica.ReadByLabelAsync("fraud_detector_merchant_risk_loads_total", "kind");
                output.WriteLine($"merchant-risk tables of a replica: {string.Join(", ", loads.Select(load => $"{load.Value} {load.Key}"))}");
                Assert.True(loads.GetValueOrDefault("next_day") >= ComparedDays - 1, "each compared day after the first should extend the day before's table");
            }
        }
        finally
        {
            File.Delete(decision);   // after the system: the detectors watch it while they run
        }
    }

    private static void AssertSameAsOffline(IReadOnlyList<Transaction> transactions, Dictionary<string, float[]> online, Dictionary<string, float[]> offline)
    {
        Assert.Equal(transactions.Count, online.Count);
        foreach (var transaction in transactions)
        {
            var (txId, features) = (transaction.TxId, online[transaction.TxId]);
            Assert.True(offline[txId].SequenceEqual(features),
                $"{txId} at {transaction.Ts:u}, {transaction.MerchantId}: online [{string.Join(", ", features)}] offline [{string.Join(", ", offline[txId])}]");
        }
    }

    /// <summary>The stream and its labels through offline <c>score --labels --features</c>: tx_id → the six merchant features.</summary>
    private static async Task<Dictionary<string, float[]>> OfflineMerchantFeaturesAsync(IReadOnlyList<SimulatedTransaction> rows, IEnumerable<Label> knownLabels)
    {
        var folder = Directory.CreateTempSubdirectory("fraud-merchant-parity-");
        try
        {
            string input = Path.Combine(folder.FullName, "tx.jsonl"), labels = Path.Combine(folder.FullName, "labels.jsonl"), scores = Path.Combine(folder.FullName, "scores.jsonl");
            await File.WriteAllLinesAsync(input, rows.Select(row => TransactionJson.Serialize(row.Transaction)));
            await File.WriteAllLinesAsync(labels, knownLabels.Select(LabelJson.Serialize));
            string rules = DetectorFiles.TestRulesFile;
            var (exitCode, stdout, stderr) = await DetectorProcess.RunAsync("score", "--input", input, "--labels", labels, "--rules", rules, "--features", "--output", scores);
            Assert.True(exitCode == 0, $"score failed ({exitCode}): {stdout} {stderr}");
            var features = new Dictionary<string, float[]>(StringComparer.Ordinal);
            foreach (var line in File.ReadLines(scores))
            {
                using var score = JsonDocument.Parse(line);
                var vector = score.RootElement.GetProperty("features");
                features[score.RootElement.GetProperty("tx_id").GetString()!] = FeatureSchema.MerchantNames.Select(name => vector.GetProperty(name).GetSingle()).ToArray();
            }

            return features;
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>What the replicas stored with the transactions' alerts: their merchant features.</summary>
    private static async Task<Dictionary<string, float[]>> OnlineMerchantFeaturesAsync(FraudSystem system, string[] txIds)
    {
        await using var dataSource = NpgsqlDataSource.Create(system.PostgresConnectionString);
        await using var command = dataSource.CreateCommand("""
            SELECT tx_id, features FROM fraud_alerts WHERE tx_id = ANY($1) AND features IS NOT NULL
            """);
        command.Parameters.Add(new() { Value = txIds });
        await using var reader = await command.ExecuteReaderAsync();
        var online = new Dictionary<string, float[]>(StringComparer.Ordinal);
        while (await reader.ReadAsync())
        {
            var vector = reader.GetFieldValue<float[]>(1);
            online[reader.GetString(0)] = vector[FeatureSchema.MerchantCount1dLog..(FeatureSchema.MerchantRisk30d + 1)];
        }

        return online;
    }

    /// <summary>Waits until the replicas have counted <paramref name="expected"/> transactions at their merchants, and checks none twice.</summary>
    private static async Task<long> CountedAsync(FraudSystem system, int expected, string what)
    {
        long counted = 0;
        await FraudSystem.EventuallyAsync(async () =>
        {
            counted = await ScalarAsync(system, "SELECT coalesce(sum(transactions), 0) FROM merchant_hours");
            return counted >= expected ? "counted" : null;
        }, $"the replicas to count {what} ({expected:N0}) at its merchants", TimeSpan.FromSeconds(180));
        Assert.Equal(expected, counted);
        return counted;
    }

    private static async Task<long> ScalarAsync(FraudSystem system, string sql)
    {
        await using var dataSource = NpgsqlDataSource.Create(system.PostgresConnectionString);
        await using var command = dataSource.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }
}
