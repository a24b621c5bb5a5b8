using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Fraud.Core;
using Npgsql;
using static Fraud.SystemTests.Integration.Detector.DetectorStreams;

namespace Fraud.SystemTests.Integration.Detector;

/// <summary>
/// A private system for the online detector's evidence and its fault tests (<c>Integration/Faults</c>): no live
/// simulator (the tests own all traffic) and a one-partition transactions topic, so the online order is exactly
/// the file's.
/// </summary>
public sealed class OnlineDetectorSystem : IAsyncLifetime
{
    public FraudSystem System { get; private set; } = null!;

    public DetectorFiles Files => System.Files;

    /// <summary>The offline verdict on <paramref name="stream"/> with the active model and rule set.</summary>
    public async Task<IReadOnlyDictionary<string, double>> OfflineAlertsAsync(IReadOnlyList<Transaction> stream) =>
        await DetectorStreams.OfflineAlertsAsync(stream, await ActiveModelPathAsync(), await ActiveRulesPathAsync());

    /// <summary>The active model (another test may have trained or swapped one), saved from Postgres for <c>score</c>.</summary>
    public async Task<string> ActiveModelPathAsync()
    {
        string path = Files.ModelPath + ".active.model";
        await using var connection = new NpgsqlConnection(System.PostgresConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT model FROM models WHERE active", connection);
        await File.WriteAllBytesAsync(path, (byte[])(await command.ExecuteScalarAsync())!);
        return path;
    }

    /// <summary>The active rule set (another test may have replaced the seed through the API), saved for <c>score</c>.</summary>
    public async Task<string> ActiveRulesPathAsync()
    {
        string path = Files.ModelPath + ".active-rules.json";
        await File.WriteAllTextAsync(path, await System.Api.GetStringAsync("/rules"));
        return path;
    }

    /// <summary>The detector's health document, whatever its status code (503 while a dependency is down).</summary>
    public async Task<string> DetectorHealthAsync()
    {
        using var response = await System.Detector.GetAsync("/health");
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>Produces the stream (and its poison) in chunks at about <paramref name="perSecond"/> messages a second.</summary>
    public void ProducePaced(IReadOnlyList<Transaction> stream, int perSecond, IReadOnlyDictionary<int, byte[]>? poison = null)
    {
        const int chunk = 200;
        var started = DateTime.UtcNow;
        for (int offset = 0; offset < stream.Count; offset += chunk)
        {
            var chunkPoison = poison?.Where(p => p.Key >= offset && p.Key < offset + chunk).ToDictionary(p => p.Key - offset, p => p.Value);
            Produce(System.KafkaBootstrap, stream.Skip(offset).Take(chunk).ToList(), chunkPoison);
            var due = started + TimeSpan.FromSeconds((offset + chunk) / (double)perSecond);
            if (due > DateTime.UtcNow)
            {
                Thread.Sleep(due - DateTime.UtcNow);
            }
        }
    }

    public async Task InitializeAsync() =>
        System = await FraudSystem.StartAsync(["--Producer:Enabled=false", "--Kafka:TransactionsPartitions=1", "--Training:MinSamples=500", "--Training:Every=00:00:00",
            // A short anomaly-rate window evaluated every second, so a test can read what the API's monitor counted.
            "--Alerting:Window=00:00:10", "--Alerting:EvaluationInterval=00:00:01", "--Alerting:SettleDelay=00:00:01", "--Alerting:MinTransactions=1"]);

    public async Task DisposeAsync()
    {
        if (System is not null)
        {
            await System.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class OnlineDetectorCollection : ICollectionFixture<OnlineDetectorSystem>
{
    public const string Name = "Online detector (private system, one partition)";
}

/// <summary>
/// The online detector decides exactly as the offline <c>score</c> does, processes every transaction once, and
/// switches model and rules without dropping or repeating a decision (its behaviour under faults:
/// <see cref="Faults.DetectorFaultTests"/>). Each test
/// has users of its own (an id range), so their histories never mix.
/// </summary>
[Collection(OnlineDetectorCollection.Name)]
public sealed class OnlineDetectorTests(OnlineDetectorSystem fixture)
{
    private const string Processed = "fraud_transactions_processed_total";
    private const string ProbeRule = """
        "rules": [ { "name": "reload_probe", "kind": "amount_above", "weight": 1.0, "parameters": { "min_amount": 77777 } },
        """;
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(120);
    private FraudSystem System => fixture.System;

    [Fact]
    public async Task A_simulated_stream_is_processed_once_and_alerts_exactly_as_offline_score()
    {
        const long firstUser = 1_000_000;
        var stream = Simulate(seed: 11, count: 20_000, users: 1_500, firstUser);
        var offline = await fixture.OfflineAlertsAsync(stream);
        double before = await StableMetricAsync(System.Detector, Processed);

        Produce(System.KafkaBootstrap, stream);

        Assert.Equal(before + stream.Count, await SettledMetricAsync(System.Detector, Processed, before + stream.Count, Within));
        var online = await StoredAlertsAsync(System.PostgresConnectionString, firstUser, firstUser + 1_500);
        AssertSameAlerts(offline, online);
        Assert.Equal(online.Count, await DedupKeysAsync(System.RedisConnectionString, online.Keys));
    }

    [Fact]
    public async Task Metrics_count_the_transactions_decided_and_the_messages_dead_lettered_exactly()
    {
        // On this system only the tests produce, one at a time, so the counters move by this test's messages alone (on
        // the shared system the live producer moves them whatever the detector does with a test's transaction).
        var transaction = new Transaction($"tx_counted_{Guid.NewGuid():N}", 16_500_001, 12.50m, "EUR", "ES", DateTimeOffset.UtcNow);
        double processed = await StableMetricAsync(System.Detector, Processed);
        double deadLettered = await StableMetricAsync(System.Detector, "fraud_dlq_messages_total");

        await System.ProduceAsync("transactions.v1", "16500001", Utf8("not a transaction"));
        await System.ProduceAsync(transaction);

        Assert.Equal(processed + 1, await SettledMetricAsync(System.Detector, Processed, processed + 1, Within));
        Assert.Equal(deadLettered + 1, await MetricAsync(System.Detector, "fraud_dlq_messages_total"));
    }

    [Fact]
    public async Task Every_batch_flush_and_commit_is_timed_through_each_of_its_stages()
    {
        const long firstUser = 15_000_000;
        string[] perBatch = ["fill", "parse", "merchant_risk", "restore", "decide"];
        string[] perFlush = ["dead_letters", "alerts"];
        string[] perCommit = ["capture", "merchant_counts", "checkpoint", "commit"];
        var stream = Simulate(seed: 19, count: 3_000, users: 300, firstUser);
        double before = await StableMetricAsync(System.Detector, Processed);
        var countsBefore = await System.Detector.ReadByLabelAsync("fraud_detector_batch_stage_duration_seconds_count", "stage");

        Produce(System.KafkaBootstrap, stream);

        await SettledMetricAsync(System.Detector, Processed, before + stream.Count, Within);
        // The commit after the last flush comes within the checkpoint interval; its stage is recorded once it returns.
        var counts = await FraudSystem.EventuallyAsync(async () =>
        {
            var counts = await System.Detector.ReadByLabelAsync("fraud_detector_batch_stage_duration_seconds_count", "stage");
            return counts.GetValueOrDefault("checkpoint") == counts.GetValueOrDefault("commit") ? counts : null;
        }, "the last commit to be timed");
        double Gained(string stage) => counts[stage] - countsBefore.GetValueOrDefault(stage);

        // The merchant risk is rebuilt only at a new event-time day or on its schedule, so not at every batch.
        Assert.Equal(perBatch.Concat(perFlush).Concat(perCommit).Append("merchant_risk_load").Order(), counts.Keys.Order());
        double batches = Gained("decide"), flushes = Gained("alerts"), commits = Gained("commit");
        Assert.All(perBatch, stage => Assert.Equal(batches, Gained(stage)));
        Assert.All(perFlush, stage => Assert.Equal(flushes, Gained(stage)));
        Assert.All(perCommit, stage => Assert.Equal(commits, Gained(stage)));
        // A flush takes every batch decided while the one before it wrote; a commit, every batch flushed in its interval.
        Assert.InRange(batches, 1, stream.Count);
        Assert.InRange(flushes, 1, batches);
        Assert.InRange(commits, 1, flushes);
    }

    [Fact]
    public async Task A_new_model_file_is_used_without_a_restart_and_alerts_record_its_version()
    {
        // An operator trains a model offline and swaps it in: written aside, then renamed over the watched file.
        string previous = fixture.Files.ModelPath + ".previous";
        File.Copy(await fixture.ActiveModelPathAsync(), previous, overwrite: true);
        string candidate = fixture.Files.ModelPath + ".candidate";
        string input = fixture.Files.ModelPath + ".training.jsonl";
        await File.WriteAllLinesAsync(input, Simulate(seed: 17, count: 5_000, users: 500, firstUserId: 9_000_000)
            .Select(TransactionJson.Serialize));
        var train = await Fraud.SystemTests.Offline.DetectorProcess.RunAsync("train", "--input", input, "--output", candidate, "--estimators", "20", "--seed", "3");
        Assert.True(train.ExitCode == 0, train.Error);
        string version = Fraud.Core.Detection.Forest.IsolationForest.Deserialize(await File.ReadAllBytesAsync(candidate)).Version;
        string swapped = fixture.Files.ModelPath + ".swapped";
        File.Copy(candidate, swapped, overwrite: true);
        File.Move(candidate, fixture.Files.ModelPath, overwrite: true);
        File.Delete(input);

        await FraudSystem.EventuallyAsync(async () => (await System.Detector.GetStringAsync("/metrics")).Contains($"model_version=\"{version}\"", StringComparison.Ordinal) ? "loaded" : null,
            "the detector to report the new model");
        var probe = new Transaction($"tx_model_{Guid.NewGuid():N}", 9_000_999, 5_000m, "EUR", "ES", DateTimeOffset.UtcNow);
        await System.ProduceAsync(probe);

        var alert = await FraudSystem.EventuallyAsync(() => AlertVersionsAsync(probe.TxId), "the probe's alert");
        Assert.Equal(version, alert.ModelVersion);
        // Not only the label: the probe (a card holder with no history, so the same features offline) got the new
        // model's score, which differs from the previous model's.
        double before = await OfflineScoreAsync(probe, previous);
        double after = await OfflineScoreAsync(probe, swapped);
        Assert.True(Math.Abs(after - before) > 0.001, $"both models score the probe {after}: the test needs a probe they disagree on");
        Assert.True(alert.Score is { } score && Math.Abs(score - after) <= 0.0001,
            $"the probe's alert has score {alert.Score}; the swapped-in model gives {after}, the previous one {before}");
        File.Delete(previous);
        File.Delete(swapped);
    }

    /// <summary>The isolation-forest score the offline <c>score</c> verb gives <paramref name="transaction"/> alone (no history) with <paramref name="modelPath"/>.</summary>
    private static async Task<double> OfflineScoreAsync(Transaction transaction, string modelPath)
    {
        string input = modelPath + ".probe.jsonl";
        string output = modelPath + ".probe-scores.jsonl";
        await File.WriteAllTextAsync(input, TransactionJson.Serialize(transaction) + "\n");
        var score = await Fraud.SystemTests.Offline.DetectorProcess.RunAsync("score", "--input", input, "--output", output, "--model", modelPath);
        Assert.True(score.ExitCode == 0, score.Error);
        using var line = JsonDocument.Parse(File.ReadLines(output).Single());
        File.Delete(input);
        File.Delete(output);
        return line.RootElement.GetProperty("score").GetDouble();
    }

    [Fact]
    public async Task A_rule_set_put_through_the_api_applies_without_a_restart_and_alerts_record_its_version()
    {
        const long firstUser = 5_000_000;
        var stream = Simulate(seed: 15, count: 6_000, users: 500, firstUser);
        double before = await StableMetricAsync(System.Detector, Processed);
        string version = $"rules-test-reloaded-{Guid.NewGuid():N}";
        var active = await System.Api.GetAsync("/rules");
        string activeVersion = active.Headers.GetValues("X-Rules-Version").Single();
        string rules = (await active.Content.ReadAsStringAsync())
            .Replace($"\"{activeVersion}\"", $"\"{version}\"", StringComparison.Ordinal)
            .Replace("\"rules\": [", ProbeRule, StringComparison.Ordinal);

        var producing = Task.Run(() => fixture.ProducePaced(stream, perSecond: 2_000));
        await Task.Delay(TimeSpan.FromSeconds(1));
        using (var put = new HttpRequestMessage(HttpMethod.Put, "/rules") { Content = new StringContent(rules, Encoding.UTF8, "application/json") })
        {
            put.Headers.Add("X-Api-Key", System.ApiKey);
            put.Headers.Add("X-Author", "online-detector-test");
            using var response = await System.Api.SendAsync(put);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await FraudSystem.EventuallyAsync(async () => (await System.Detector.GetStringAsync("/metrics")).Contains(version, StringComparison.Ordinal) ? "loaded" : null,
            "the detector to report the new rule set");
        await producing;
        var probe = new Transaction($"tx_probe_{Guid.NewGuid():N}", firstUser + 999, 80_000m, "EUR", "ES", DateTimeOffset.UtcNow);
        await System.ProduceAsync(probe);

        // Nothing dropped or decided twice across the switch.
        Assert.Equal(before + stream.Count + 1, await SettledMetricAsync(System.Detector, Processed, before + stream.Count + 1, Within));
        var alert = await FraudSystem.EventuallyAsync(() => AlertVersionsAsync(probe.TxId), "the probe's alert");
        Assert.Contains("reload_probe", alert.Rules);
        Assert.Equal(version, alert.RulesVersion);
    }

    [Fact]
    public async Task A_model_trained_through_the_api_on_sampled_traffic_is_activated_and_used_without_a_restart()
    {
        // Recent traffic of its own users (the trainer's window ends at the newest sampled hour, today's) feeds the
        // detector's training sample; the trainer fits on it through the API.
        const long firstUser = 10_000_000;
        string previous = fixture.Files.ModelPath + ".before-training";
        File.Copy(await fixture.ActiveModelPathAsync(), previous, overwrite: true);
        var stream = Simulate(seed: 18, count: 5_000, users: 500, firstUser, start: DateTimeOffset.UtcNow.Date.AddDays(-4));
        double before = await StableMetricAsync(System.Detector, Processed);
        Produce(System.KafkaBootstrap, stream);
        await SettledMetricAsync(System.Detector, Processed, before + stream.Count, Within);

        using var train = new HttpRequestMessage(HttpMethod.Post, "/models/train");
        train.Headers.Add("X-Api-Key", System.ApiKey);
        using var response = await System.Api.SendAsync(train);
        string body = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        using var result = JsonDocument.Parse(body);
        string version = result.RootElement.GetProperty("version").GetString()!;
        Assert.True(result.RootElement.GetProperty("activated").GetBoolean(), body);
        Assert.True(result.RootElement.GetProperty("validation").GetProperty("holdout_rows").GetInt32() >= 100, body);
        await FraudSystem.EventuallyAsync(async () => (await System.Detector.GetStringAsync("/metrics")).Contains($"model_version=\"{version}\"", StringComparison.Ordinal) ? "switched" : null,
            "the detector to switch to the trained model");
        var probe = new Transaction($"tx_trained_{Guid.NewGuid():N}", firstUser + 999, 5_000m, "EUR", "ES", DateTimeOffset.UtcNow);
        await System.ProduceAsync(probe);
        var alert = await FraudSystem.EventuallyAsync(() => AlertVersionsAsync(probe.TxId), "the probe's alert");
        Assert.Equal(version, alert.ModelVersion);
        double previousScore = await OfflineScoreAsync(probe, previous);
        double trainedScore = await OfflineScoreAsync(probe, await fixture.ActiveModelPathAsync());
        Assert.True(Math.Abs(trainedScore - previousScore) > 0.001, $"both models score the probe {trainedScore}: the test needs a probe they disagree on");
        Assert.True(alert.Score is { } score && Math.Abs(score - trainedScore) <= 0.0001,
            $"the probe's alert has score {alert.Score}; the trained model gives {trainedScore}, the previous one {previousScore}");
        File.Delete(previous);
        using var models = JsonDocument.Parse(await System.Api.GetStringAsync("/models"));
        var stored = Assert.Single(models.RootElement.EnumerateArray(), model => model.GetProperty("version").GetString() == version);
        Assert.Equal("trainer", stored.GetProperty("source").GetString());
        Assert.True(stored.GetProperty("active").GetBoolean());
        Assert.Equal("admin", stored.GetProperty("activated_by").GetString());   // the name of the key that asked for the training
    }

    [Fact]
    public async Task An_alert_carries_the_trace_of_its_transaction()
    {
        string traceId = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        var transaction = new Transaction($"tx_traced_{Guid.NewGuid():N}", 6_000_001, 5_000m, "EUR", "ES", DateTimeOffset.UtcNow);
        using (var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = System.KafkaBootstrap }).Build())
        {
            await producer.ProduceAsync("transactions.v1", new Message<string, byte[]>
            {
                Key = "6000001",
                Value = TransactionJson.SerializeToUtf8Bytes(transaction),
                Headers = new Headers { { "traceparent", Encoding.ASCII.GetBytes($"00-{traceId}-00f067aa0ba902b7-01") } },
            });
        }

        var traceparent = ConsumeAlertTraceParent(transaction.TxId);

        Assert.Equal(traceId, traceparent.Split('-')[1]);
    }

    private string ConsumeAlertTraceParent(string txId)
    {
        using var consumer = NewConsumer(System.KafkaBootstrap, "alerts.v1");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(500)) is { IsPartitionEOF: false } result
                && AlertJson.Deserialize(result.Message.Value) is { } alert && alert.TxId == txId)
            {
                return result.Message.Headers.TryGetLastBytes("traceparent", out var value)
                    ? Encoding.ASCII.GetString(value)
                    : throw new Xunit.Sdk.XunitException("the alert has no traceparent header");
            }
        }

        throw new TimeoutException($"no alert for {txId} on alerts.v1");
    }

    private sealed record StoredVersions(string[] Rules, string? RulesVersion, string ModelVersion, double? Score);

    private async Task<StoredVersions?> AlertVersionsAsync(string txId)
    {
        await using var connection = new NpgsqlConnection(System.PostgresConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT rules, rules_version, model_version, score FROM fraud_alerts WHERE tx_id = $1", connection)
        {
            Parameters = { new() { Value = txId } },
        };
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync()
            ? new StoredVersions(reader.GetFieldValue<string[]>(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetDouble(3))
            : null;
    }
}
