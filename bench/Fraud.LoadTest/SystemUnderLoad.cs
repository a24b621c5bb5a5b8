using System.Globalization;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Fraud.Messaging;
using Fraud.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Fraud.LoadTest;

/// <summary>
/// The whole system as the tests start it (<see cref="FraudSystem"/>), but detecting as shipped (the default rules and
/// bootstrap model) and with the live simulator off, so that every transaction the detector sees comes from the load
/// tool; its resources' logs go to <see cref="ResourceLogs"/>.
/// </summary>
internal static class SystemUnderLoad
{
    /// <summary>Every resource of the AppHost, in the order the CPU table lists them.</summary>
    public static readonly string[] Resources = ["detector", "kafka", "postgres", "redis", "api", "producer", "prometheus"];

    /// <summary>The detector's consumer group (its <c>Detector:GroupId</c> default).</summary>
    public const string DetectorGroup = "fraud-detector";

    /// <summary>
    /// How many of the tool's transactions one partition of the local broker is trusted to keep. librdkafka's mock
    /// cluster keeps at most 5 MiB of record batches per partition (and at most 100,000 batches), dropping the oldest
    /// past that, with no setting to change it (rdkafka_mock.c, <c>rd_kafka_mock_partition_init</c>). The tool's
    /// transactions, lz4-compressed in the throughput producer's batches, take about 78 bytes each there (~67,000 per
    /// partition, measured); two thirds of that leaves room for keys that spread unevenly and for smaller batches.
    /// </summary>
    public const int TransactionsPerPartition = 45_000;

    /// <summary>The partitions of <c>transactions.v1</c> that keep <paramref name="transactions"/> messages; null when the AppHost's own do.</summary>
    public static int? PartitionsToKeep(long transactions) =>
        (int)Math.Ceiling(transactions / (double)TransactionsPerPartition) is var needed && needed > Topics.Transactions.Partitions ? needed : null;

    /// <summary>
    /// Starts the system from <paramref name="settings"/>:
    /// <list type="bullet">
    /// <item><c>PostgresDurable</c>: Postgres with its normal durability (fsync, synchronous commit), so "alert durable"
    /// means what it means in production; false keeps the tests' throwaway mode (both off).</item>
    /// <item><c>DetectorFetchWaitMs</c>: the detector consumer's <c>fetch.wait.max.ms</c> (null: its own setting). The
    /// local broker (librdkafka's mock cluster) answers a fetch that found no data only after this wait, even when
    /// messages arrive meanwhile; a real broker answers as soon as data arrives. Left at the client's 500 ms, that
    /// wait, not the detector, sets the latency of a lightly loaded system.</item>
    /// <item><c>TrainingSamplePerHour</c>: the detector's <c>Detector:TrainingSamplePerHour</c>, scaled to the tool's
    /// compressed event time (see <c>--training-sample-per-hour</c>).</item>
    /// <item><c>DetectorSettings</c>: <c>key=value</c> configuration for the detector, as environment variables.</item>
    /// <item><c>SystemSettings</c>: <c>key=value</c> configuration for the AppHost, as arguments after the tool's own.</item>
    /// </list>
    /// <paramref name="transactionsPartitions"/>: the partitions of <c>transactions.v1</c> (null: the AppHost's default).
    /// </summary>
    public static async Task<(FraudSystem System, IReadOnlyList<(string Name, int Pid)> Processes)> StartAsync(
        RunSettings settings, int? transactionsPartitions, ResourceLogs logs, CancellationToken cancellationToken)
    {
        string[] args =
        [
            "--Producer:Enabled=false",   // the live simulator would add its own ~50 tx/s to every count
            .. settings.PostgresDurable ? ["--Postgres:Durable=true"] : Array.Empty<string>(),
            .. transactionsPartitions is { } partitions ? [$"--Kafka:TransactionsPartitions={partitions}"] : Array.Empty<string>(),
            .. settings.SystemSettings.Select(setting => $"--{setting}"),
        ];
        var system = await FraudSystem.StartAsync(args, builder =>
        {
            var detector = builder.CreateResourceBuilder<ProjectResource>("detector");
            if (settings.DetectorFetchWaitMs is { } fetchWait)
            {
                // Kafka:Consumer:<librdkafka setting> overrides the detector's consumer configuration (Fraud.Messaging).
                detector.WithEnvironment("Kafka__Consumer__fetch.wait.max.ms", fetchWait.ToString(CultureInfo.InvariantCulture));
            }

            detector.WithEnvironment("Detector__TrainingSamplePerHour", settings.TrainingSamplePerHour.ToString(CultureInfo.InvariantCulture));
            foreach (string setting in settings.DetectorSettings)   // after the tool's own, so that they win
            {
                int equals = setting.IndexOf('=', StringComparison.Ordinal);
                detector.WithEnvironment(setting[..equals].Replace(":", "__", StringComparison.Ordinal), setting[(equals + 1)..]);
            }

            builder.Services.AddLogging(logging => logging
                .ClearProviders()   // the resources' logs go to the run's log file, not to the tool's console
                .SetMinimumLevel(LogLevel.Information)
                .AddFilter("Fraud.AppHost.Resources", LogLevel.Information)
                .AddFilter("Microsoft", LogLevel.Warning)
                .AddFilter("Polly", LogLevel.Warning)
                .AddProvider(logs));
        }, shippedDetection: true, cancellationToken);

        return (system, [.. Resources.Select(name => (name, system.Processes.ProcessId(name)))]);
    }
}
