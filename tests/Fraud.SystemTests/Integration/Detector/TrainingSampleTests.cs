using Fraud.Core;
using Fraud.Core.Features;
using Fraud.SystemTests.Integration.Faults;
using Npgsql;
using Xunit.Abstractions;
using static Fraud.SystemTests.Integration.Detector.DetectorStreams;

namespace Fraud.SystemTests.Integration.Detector;

/// <summary>The detector keeps a bounded sample of the feature vectors it computed, per event-time hour, in <c>training_samples</c>.</summary>
[Collection(PrivateSystemsCollection.Name)]
public sealed class TrainingSampleTests(ITestOutputHelper output)
{
    private const int PerHour = 50;
    private static readonly TimeSpan Retention = TimeSpan.FromHours(2);

    [Fact]
    public async Task The_training_sample_keeps_at_most_k_offline_feature_vectors_per_hour_and_only_the_retained_hours()
    {
        const long firstUser = 11_000_000;
        await using var system = await FraudSystem.StartAsync([
            "--Producer:Enabled=false",
            $"--Detector:TrainingSamplePerHour={PerHour}",
            "--Detector:TrainingSampleRetention=02:00:00",
            "--Detector:TrainingSampleCleanupInterval=00:00:01",
        ]);
        var stream = Simulate(seed: 31, count: 6_000, users: 5_000, firstUser);
        var offline = OfflineFeatures(stream);
        var perHour = stream.GroupBy(transaction => HourlyReservoir.HourOf(transaction.Ts)).ToDictionary(hour => hour.Key, hour => hour.Count());
        var newest = perHour.Keys.Max();
        output.WriteLine(string.Join(", ", perHour.OrderBy(hour => hour.Key).Select(hour => $"{hour.Key:HH}h: {hour.Value}")));
        Assert.True(perHour.Count(hour => hour.Key < newest - Retention) >= 2, "the stream should outlast the retention");

        // The last transaction comes a moment later, so that the hours past the retention are due for deletion.
        Produce(system.KafkaBootstrap, stream.Take(stream.Count - 1).ToList());
        await SettledMetricAsync(system.Detector, "fraud_transactions_processed_total", stream.Count - 1, TimeSpan.FromSeconds(60));
        Produce(system.KafkaBootstrap, [stream[^1]]);
        var expectedHours = perHour.Keys.Where(hour => hour >= newest - Retention).Order().ToList();
        var rows = await FraudSystem.EventuallyAsync(async () =>
        {
            var stored = await SamplesAsync(system.PostgresConnectionString);
            return stored.Select(row => row.Hour).Distinct().Order().SequenceEqual(expectedHours)
                && expectedHours.All(hour => stored.Count(row => row.Hour == hour) == Math.Min(PerHour, perHour[hour])) ? stored : null;
        }, "the retained hours' samples, and only them", TimeSpan.FromSeconds(30));

        Assert.Single(rows.Select(row => row.Source).Distinct());
        Assert.All(rows.GroupBy(row => (row.Hour, row.Source)), reservoir => Assert.InRange(reservoir.Count(), 1, PerHour));
        Assert.All(rows, row =>
        {
            Assert.Equal(string.Join(',', FeatureSchema.Names), row.Schema);
            Assert.Equal(HourlyReservoir.HourOf(row.Ts), row.Hour);
            Assert.Equal(FeatureSchema.Count, row.Features.Length);
            Assert.True(offline.TryGetValue(row.TxId, out var features), $"{row.TxId} is not in the stream");
            Assert.Equal(features, row.Features);
        });
        Assert.True(await system.Detector.ReadCounterAsync("fraud_detector_training_samples_written_total") >= rows.Count);
    }

    /// <summary>Every transaction's full feature vector as the offline feature state computes it over the same stream.</summary>
    private static Dictionary<string, float[]> OfflineFeatures(IReadOnlyList<Transaction> stream)
    {
        var state = new FeatureState();
        var vectors = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (var transaction in stream)
        {
            var features = new float[FeatureSchema.Count];
            state.Update(transaction, features);
            vectors.Add(transaction.TxId, features);
        }

        return vectors;
    }

    private sealed record Sample(DateTimeOffset Hour, string Source, int Slot, string Schema, float[] Features, string TxId, DateTimeOffset Ts);

    private static async Task<List<Sample>> SamplesAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT hour, source, slot, schema, features, tx_id, ts FROM training_samples", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var samples = new List<Sample>();
        while (await reader.ReadAsync())
        {
            samples.Add(new Sample(reader.GetFieldValue<DateTimeOffset>(0), reader.GetString(1), reader.GetInt32(2), reader.GetString(3),
                reader.GetFieldValue<float[]>(4), reader.GetString(5), reader.GetFieldValue<DateTimeOffset>(6)));
        }

        return samples;
    }
}
