using System.Net;
using System.Text.Json;
using Fraud.Core;
using Fraud.Core.Features;
using Fraud.Simulation;
using Fraud.SystemTests.Integration.Faults;
using Npgsql;
using Xunit.Abstractions;
using static Fraud.SystemTests.Integration.Detector.DetectorStreams;

namespace Fraud.SystemTests.Integration.Detector;

/// <summary>
/// The supervised classifier, end to end: the simulator's labels reach <c>labels</c> through the API, the API trains
/// the classifier on labelled alerts and samples, and every detector decides with it without a restart. Each test has
/// a private system (no live simulator; labels known at once: <c>Training:LabelDelay=0</c>), since the classifier it
/// trains would change every other test's decisions.
/// </summary>
[Collection(PrivateSystemsCollection.Name)]
public sealed class ClassifierTests(ITestOutputHelper output)
{
    private const string Processed = "fraud_transactions_processed_total";
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(180);

    // The streams span days of event time and reach the detector in per-partition chunks, so a partition can be days
    // behind another: keep every hour's reservoir open, or the sample (and the holdout's frauds) depends on the timing.
    private static readonly string[] Settings =
    [
        "--Producer:Enabled=false", "--Training:Every=00:00:00", "--Training:LabelDelay=00:00:00", "--Training:MinFraudLabels=30",
        "--Detector:TrainingSampleOpenHours=168",
    ];

    [Fact]
    public async Task A_classifier_trained_through_the_api_on_labels_is_activated_and_decides_the_next_alerts_without_a_restart()
    {
        const long firstUser = 12_000_000;
        await using var system = await FraudSystem.StartAsync(Settings);
        var simulator = new TransactionSimulator(new SimulationOptions { Seed = 41, Users = 400, FraudRate = 0.05, Start = DateTimeOffset.UtcNow.AddDays(-6) });
        var history = SimulateLabelled(simulator, 6_000, firstUser);
        string forest = (await ActiveAsync(system, "isolation_forest"))!;
        await FeedAsync(system, history);

        var (status, body) = await TrainClassifierAsync(system);

        Assert.True(status == HttpStatusCode.Created, body);
        using var result = JsonDocument.Parse(body);
        string version = result.RootElement.GetProperty("version").GetString()!;
        Assert.StartsWith("gb-", version, StringComparison.Ordinal);
        Assert.Equal("classifier", result.RootElement.GetProperty("kind").GetString());
        Assert.True(result.RootElement.GetProperty("activated").GetBoolean(), body);
        Assert.True(result.RootElement.GetProperty("validation").GetProperty("roc_auc").GetDouble() >= 0.7, body);
        await DetectorUsesAsync(system, version);

        // The next transactions are decided with it: their alerts record its version, and keep their feature vector.
        var next = SimulateLabelled(simulator, 1_500, firstUser);
        await FeedAsync(system, next);
        var alerts = await AlertsAsync(system, next.Select(item => item.Transaction.TxId));
        Assert.NotEmpty(alerts);
        var classifier = await ClassifierAsync(system, version);
        Assert.All(alerts, alert =>
        {
            Assert.Equal(version, alert.ClassifierVersion);
            Assert.Equal(FeatureSchema.Count, alert.Features.Length);
            // Not only the label: the fraud probability the decision used is this classifier's on the alert's features.
            Assert.Equal(FraudProbability(classifier, alert.Features), alert.FraudProbability, 3);
        });
        using var served = JsonDocument.Parse(await system.Api.GetStringAsync($"/alerts/{alerts[0].TxId}"));
        Assert.Equal(version, served.RootElement.GetProperty("alert").GetProperty("classifier_version").GetString());

        // The classifier has a kind of its own: the forest that was active stays active.
        Assert.Equal(forest, await ActiveAsync(system, "isolation_forest"));
        Assert.Equal(version, await ActiveAsync(system, "classifier"));
    }

    [Fact]
    public async Task Activating_and_rolling_back_a_classifier_leaves_the_active_forest_alone()
    {
        const long firstUser = 13_000_000;
        await using var system = await FraudSystem.StartAsync(Settings);
        var simulator = new TransactionSimulator(new SimulationOptions { Seed = 43, Users = 400, FraudRate = 0.05, Start = DateTimeOffset.UtcNow.AddDays(-6) });
        string forest = (await ActiveAsync(system, "isolation_forest"))!;
        await FeedAsync(system, SimulateLabelled(simulator, 5_000, firstUser));
        string first = await TrainedVersionAsync(system);
        await FeedAsync(system, SimulateLabelled(simulator, 1_500, firstUser));
        string second = await TrainedVersionAsync(system);
        Assert.NotEqual(first, second);
        await ActivateAsync(system, second); // whether or not it validated, it can be activated by hand
        await DetectorUsesAsync(system, second); // so the rollback below is a swap the detector makes, not a poll that missed one

        using var rollback = await ActivateAsync(system, first);
        output.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} rolled back to {first} from {second}");

        Assert.Equal("classifier", rollback.RootElement.GetProperty("kind").GetString());
        Assert.True(rollback.RootElement.GetProperty("changed").GetBoolean());
        Assert.Equal(first, await ActiveAsync(system, "classifier"));
        Assert.Equal(forest, await ActiveAsync(system, "isolation_forest"));
        await DetectorUsesAsync(system, first);
        Assert.Contains($"model_version=\"{forest}\"", await system.Detector.GetStringAsync("/metrics"), StringComparison.Ordinal);

        // Not only the label: the transactions decided after the rollback get the first classifier's fraud probability,
        // on alerts where the second would have given another.
        var after = SimulateLabelled(simulator, 1_000, firstUser);
        double processed = await StableMetricAsync(system.Detector, Processed);
        Produce(system.KafkaBootstrap, after.Select(item => item.Transaction).ToList());
        await SettledMetricAsync(system.Detector, Processed, processed + after.Count, Within);
        var alerts = await AlertsAsync(system, after.Select(item => item.Transaction.TxId));
        output.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {after.Count} transactions decided from {processed}; alerts by classifier: "
            + string.Join(", ", alerts.GroupBy(alert => alert.ClassifierVersion).Select(group => $"{group.Key} {group.Count()}")));
        var firstClassifier = await ClassifierAsync(system, first);
        var secondClassifier = await ClassifierAsync(system, second);
        Assert.Contains(alerts, alert => Math.Abs(FraudProbability(firstClassifier, alert.Features) - FraudProbability(secondClassifier, alert.Features)) >= 0.001);
        Assert.All(alerts, alert =>
        {
            Assert.Equal(first, alert.ClassifierVersion);
            Assert.Equal(FraudProbability(firstClassifier, alert.Features), alert.FraudProbability, 3);
        });
    }

    private static async Task<Fraud.Core.Detection.Supervised.GradientBoostedClassifier> ClassifierAsync(FraudSystem system, string version) =>
        Fraud.Core.Detection.Supervised.GradientBoostedClassifier.Deserialize(
            await ScalarAsync<byte[]>(system, "SELECT model FROM models WHERE version = $1 AND kind = 'classifier'", version));

    /// <summary>The classifier's fraud probability on a stored feature vector (all features; it reads its own columns), rounded as the reason writes it.</summary>
    private static double FraudProbability(Fraud.Core.Detection.Supervised.GradientBoostedClassifier classifier, float[] features)
    {
        var columns = FeatureSchema.IndicesOf(classifier.FeatureNames);
        return Math.Round(classifier.Probability(columns.Select(column => features[column]).ToArray()), 3);
    }

    [Fact]
    public async Task Training_a_classifier_with_too_few_fraud_labels_is_a_422_and_stores_nothing()
    {
        const long firstUser = 14_000_000;
        await using var system = await FraudSystem.StartAsync(["--Producer:Enabled=false", "--Training:Every=00:00:00", "--Training:LabelDelay=00:00:00"]);
        var stream = SimulateLabelled(new TransactionSimulator(new SimulationOptions { Seed = 47, Users = 200, FraudRate = 0.02 }), 300, firstUser);
        Assert.True(stream.Count(item => item.Label.IsFraud) < 50, "the stream should hold fewer frauds than Training:MinFraudLabels");
        await FeedAsync(system, stream);
        await StoreVectorsOfAnOlderBuildAsync(system, stream[0].Transaction.Ts);

        var (status, body) = await TrainClassifierAsync(system);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        using var problem = JsonDocument.Parse(body);
        string detail = problem.RootElement.GetProperty("detail").GetString()!;
        Assert.Contains("at least 50 are needed to train the classifier", detail, StringComparison.Ordinal);
        Assert.Contains("2 stored feature vectors of another feature schema were skipped", detail, StringComparison.Ordinal);
        Assert.Null(await ActiveAsync(system, "classifier"));
        using var models = JsonDocument.Parse(await system.Api.GetStringAsync("/models"));
        Assert.DoesNotContain(models.RootElement.EnumerateArray(), model => model.GetProperty("kind").GetString() == "classifier");
    }

    /// <summary>
    /// A reviewed fraud alert and a sample whose vectors hold only the first 20 features, as a build before the day
    /// windows stored them: read as today's vectors, their columns would be misread.
    /// </summary>
    private static async Task StoreVectorsOfAnOlderBuildAsync(FraudSystem system, DateTimeOffset ts)
    {
        var oldVector = new float[20];
        string oldSchema = string.Join(',', FeatureSchema.Names.Take(20));
        await using var connection = new NpgsqlConnection(system.PostgresConnectionString);
        await connection.OpenAsync();
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new("""
                    INSERT INTO fraud_alerts (tx_id, user_id, amount, location, ts, reason, risk, model_version, status, features)
                    VALUES ('tx_older_build_alert', 1, 10, 'ES', $1, 'old', 0.9, 'if-old', 'confirmed_fraud', $2)
                    """)
                {
                    Parameters = { new() { Value = ts }, new() { Value = oldVector } },
                },
                new("""
                    INSERT INTO training_samples (hour, source, slot, schema, features, tx_id, ts)
                    VALUES (date_trunc('hour', $1), 'older-build', 0, $2, $3, 'tx_older_build_sample', $1)
                    """)
                {
                    Parameters = { new() { Value = ts }, new() { Value = oldSchema }, new() { Value = oldVector } },
                },
            },
        };
        await batch.ExecuteNonQueryAsync();
    }

    /// <summary>Produces the transactions and their labels, and waits until the detector has decided and sampled them all and the API has stored every label.</summary>
    private async Task FeedAsync(FraudSystem system, IReadOnlyList<SimulatedTransaction> stream)
    {
        output.WriteLine($"{stream.Count} transactions, {stream.Count(item => item.Label.IsFraud)} frauds, {stream[0].Transaction.Ts:u} – {stream[^1].Transaction.Ts:u}");
        double before = await StableMetricAsync(system.Detector, Processed);
        Produce(system.KafkaBootstrap, stream.Select(item => item.Transaction).ToList());
        ProduceLabels(system.KafkaBootstrap, stream.Select(item => item.Label));
        await SettledMetricAsync(system.Detector, Processed, before + stream.Count, Within);
        string last = stream[^1].Transaction.TxId;
        string[] txIds = stream.Select(item => item.Transaction.TxId).ToArray();
        await FraudSystem.EventuallyAsync(async () => await ScalarAsync<long>(system,
                "SELECT (SELECT count(*) FROM labels WHERE tx_id = ANY($1)) + (SELECT count(*) FROM training_samples WHERE tx_id = $2)", txIds, last) == txIds.Length + 1
                ? "stored" : null,
            "every label stored and the last transaction sampled", Within);
    }

    private static async Task<(HttpStatusCode Status, string Body)> TrainClassifierAsync(FraudSystem system)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/models/train?kind=classifier");
        request.Headers.Add("X-Api-Key", system.ApiKey);
        using var response = await system.Api.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task<string> TrainedVersionAsync(FraudSystem system)
    {
        var (status, body) = await TrainClassifierAsync(system);
        Assert.True(status == HttpStatusCode.Created, body);
        using var result = JsonDocument.Parse(body);
        return result.RootElement.GetProperty("version").GetString()!;
    }

    private static async Task<JsonDocument> ActivateAsync(FraudSystem system, string version)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/models/{version}/activate");
        request.Headers.Add("X-Api-Key", system.ApiKey);
        using var response = await system.Api.SendAsync(request);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonDocument.Parse(body);
    }

    /// <summary>The active version of a kind, as <c>GET /models</c> lists it; null when none is active.</summary>
    private static async Task<string?> ActiveAsync(FraudSystem system, string kind)
    {
        using var models = JsonDocument.Parse(await system.Api.GetStringAsync("/models"));
        return models.RootElement.EnumerateArray()
            .Where(model => model.GetProperty("kind").GetString() == kind && model.GetProperty("active").GetBoolean())
            .Select(model => model.GetProperty("version").GetString())
            .SingleOrDefault();
    }

    private async Task DetectorUsesAsync(FraudSystem system, string classifier)
    {
        string seen = await FraudSystem.EventuallyAsync(async () => (await system.Detector.GetStringAsync("/metrics")).Split('\n')
                .FirstOrDefault(line => line.StartsWith("fraud_detector_model_info{", StringComparison.Ordinal)
                    && line.Contains($"classifier_version=\"{classifier}\"", StringComparison.Ordinal)),
            $"the detector to decide with classifier {classifier}");
        // A timeline in the output, for a failure to be read from (the rollback test failed once in CI, not reproduced).
        output.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} the detector reports {seen}");
    }

    /// <param name="FraudProbability">The classifier's probability the decision used, read from the reason (<c>fraud_probability=0.123</c>); NaN without one.</param>
    private sealed record StoredAlert(string TxId, string? ClassifierVersion, float[] Features, double FraudProbability);

    private static async Task<List<StoredAlert>> AlertsAsync(FraudSystem system, IEnumerable<string> txIds)
    {
        await using var connection = new NpgsqlConnection(system.PostgresConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT tx_id, classifier_version, coalesce(features, '{}'), reason FROM fraud_alerts WHERE tx_id = ANY($1) ORDER BY tx_id", connection)
        {
            Parameters = { new() { Value = txIds.ToArray() } },
        };
        await using var reader = await command.ExecuteReaderAsync();
        var alerts = new List<StoredAlert>();
        while (await reader.ReadAsync())
        {
            var probability = System.Text.RegularExpressions.Regex.Match(reader.GetString(3), @"fraud_probability=([0-9.]+)");
            alerts.Add(new StoredAlert(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetFieldValue<float[]>(2),
                probability.Success ? double.Parse(probability.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : double.NaN));
        }

        return alerts;
    }

    private static async Task<T> ScalarAsync<T>(FraudSystem system, string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(system.PostgresConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new() { Value = parameter });
        }

        return (T)(await command.ExecuteScalarAsync())!;
    }
}
