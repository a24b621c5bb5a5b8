using System.Globalization;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Fraud.LoadTest;

/// <summary>
/// The whole system, started through the AppHost in local mode (Fraud.LocalKafka, Postgres and Redis as processes)
/// with throwaway state, the way the integration tests start it; the live simulator is switched off so that every
/// transaction the detector sees comes from the load tool.
/// </summary>
internal sealed class FraudSystem : IAsyncDisposable
{
    /// <summary>Every resource of the AppHost, in the order the CPU table lists them.</summary>
    public static readonly string[] Resources = ["detector", "kafka", "postgres", "redis", "api", "producer", "prometheus"];

    /// <summary>The detector's consumer group (its <c>Detector:GroupId</c> default).</summary>
    public const string DetectorGroup = "fraud-detector";

    private readonly DistributedApplication _app;
    private readonly string? _stateDirectory;

    private FraudSystem(DistributedApplication app, string? stateDirectory, string bootstrap, HttpClient detector, IReadOnlyList<(string, int)> processes)
    {
        _app = app;
        _stateDirectory = stateDirectory;
        KafkaBootstrap = bootstrap;
        Detector = detector;
        Processes = processes;
    }

    public string KafkaBootstrap { get; }

    /// <summary>The detector's HTTP endpoint (<c>/metrics</c>, <c>/health</c>).</summary>
    public HttpClient Detector { get; }

    /// <summary>Each resource's process id, for <see cref="ProcessSampler"/>.</summary>
    public IReadOnlyList<(string Name, int Pid)> Processes { get; }

    /// <summary>
    /// Starts the AppHost and waits until every resource is healthy. From <paramref name="settings"/>:
    /// <list type="bullet">
    /// <item><c>PostgresDurable</c>: true puts Postgres in a fresh state folder with its normal durability (fsync,
    /// synchronous commit), so "alert durable" means what it means in production; the folder is removed on dispose.
    /// False uses the tests' ephemeral mode, whose Postgres runs with fsync and synchronous commit off.</item>
    /// <item><c>DetectorFetchWaitMs</c>: the detector consumer's <c>fetch.wait.max.ms</c> (null: its own setting, the
    /// client's 500 ms). The local broker (librdkafka's mock cluster) answers a fetch that found no data only after
    /// this wait, even when messages arrive meanwhile; a real broker answers as soon as data arrives. Left at 500 ms,
    /// that wait — not the detector — sets the latency of a lightly loaded system.</item>
    /// <item><c>DetectorSettings</c>: <c>key=value</c> configuration for the detector, as environment variables.</item>
    /// <item><c>SystemSettings</c>: <c>key=value</c> configuration for the AppHost, as arguments after the tool's own.</item>
    /// </list>
    /// </summary>
    public static async Task<FraudSystem> StartAsync(RunSettings settings, ResourceLogs logs, CancellationToken cancellationToken)
    {
        bool durablePostgres = settings.PostgresDurable;
        string? stateDirectory = durablePostgres
            ? Path.Combine(Path.GetTempPath(), $"fraud-loadtest-{Environment.ProcessId}-{Guid.NewGuid():N}")
            : null;
        string[] args =
        [
            "--Infra:Mode=local",
            durablePostgres ? $"--Infra:StateDir={stateDirectory}" : "--Infra:Ephemeral=true",
            // A key for this run only: nothing writes to the API during a load test.
            $"--Parameters:api-key=load-test-{Guid.NewGuid():N}",
            // The live simulator would add its own ~50 tx/s to every count.
            "--Producer:Enabled=false",
            .. settings.SystemSettings.Select(setting => $"--{setting}"),
        ];
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Fraud_AppHost>(args, cancellationToken);
        // Until the AppHost forwards Producer:Enabled to the producer itself, say it to the producer directly.
        builder.CreateResourceBuilder<ProjectResource>("producer").WithEnvironment("Producer__Enabled", "false");
        var detector = builder.CreateResourceBuilder<ProjectResource>("detector");
        if (settings.DetectorFetchWaitMs is { } fetchWait)
        {
            // Kafka:Consumer:<librdkafka setting> overrides the detector's consumer configuration (ServiceDefaults).
            detector.WithEnvironment("Kafka__Consumer__fetch.wait.max.ms", fetchWait.ToString(CultureInfo.InvariantCulture));
        }

        foreach (string setting in settings.DetectorSettings)
        {
            int equals = setting.IndexOf('=', StringComparison.Ordinal);
            detector.WithEnvironment(setting[..equals].Replace(":", "__", StringComparison.Ordinal), setting[(equals + 1)..]);
        }

        builder.Services.AddLogging(logging => logging
            .ClearProviders()
            .SetMinimumLevel(LogLevel.Information)
            .AddFilter("Aspire", LogLevel.Warning)
            .AddFilter("System.Net.Http", LogLevel.Warning)
            .AddFilter("Microsoft", LogLevel.Warning)
            .AddFilter("Polly", LogLevel.Warning)
            .AddProvider(logs));

        DistributedApplication? app = null;
        try
        {
            app = await builder.BuildAsync(cancellationToken);
            await app.StartAsync(cancellationToken);
            foreach (var resource in Resources)
            {
                await app.ResourceNotifications.WaitForResourceHealthyAsync(resource, cancellationToken);
            }

            string bootstrap = await app.GetConnectionStringAsync("kafka", cancellationToken)
                ?? throw new InvalidOperationException("the kafka resource has no connection string");
            var processes = Resources.Select(name => (name, ProcessId(app, name))).Where(process => process.Item2 > 0).ToList();
            return new FraudSystem(app, stateDirectory, bootstrap, app.CreateHttpClient("detector"), processes);
        }
        catch
        {
            if (app is not null)
            {
                await app.DisposeAsync();
            }

            DeleteState(stateDirectory);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Detector.Dispose();
        await _app.DisposeAsync();
        DeleteState(_stateDirectory);
    }

    private static int ProcessId(DistributedApplication app, string resource) =>
        app.ResourceNotifications.TryGetCurrentState(resource, out var state)
        && state.Snapshot.Properties.FirstOrDefault(property => property.Name == "executable.pid")?.Value is { } value
        && int.TryParse(Convert.ToString(value, CultureInfo.InvariantCulture), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
            ? pid
            : 0;

    private static void DeleteState(string? directory)
    {
        if (directory is null || !Directory.Exists(directory))
        {
            return;
        }

        // Postgres may still be writing its shutdown checkpoint for a moment after the AppHost has stopped.
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                Directory.Delete(directory, recursive: true);
                return;
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                if (attempt == 5)
                {
                    Console.Error.WriteLine($"Could not remove the run's state folder {directory}: {exception.Message}");
                    return;
                }

                Thread.Sleep(TimeSpan.FromSeconds(1));
            }
        }
    }
}
