using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Confluent.Kafka;
using Fraud.Core;
using Fraud.Messaging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Fraud.Testing;

/// <summary>
/// The whole system, started the way the product starts it: the AppHost in local mode (Fraud.LocalKafka,
/// Debian's Postgres and Redis as processes) with throwaway state; the tests and the load tool both start it this way.
/// Most tests share one (Fraud.SystemTests' <c>FraudSystemFixture</c>); a test that breaks things (kills a process, stops Postgres) or needs other
/// settings starts a private one:
/// <code>await using var system = await FraudSystem.StartAsync(["--Detector:Replicas=2", "--Producer:Enabled=false"]);</code>
/// Any AppHost setting can be passed, and through it any service setting (<c>--Detector:BatchSize=10</c>).
/// </summary>
public class FraudSystem : IAsyncDisposable
{
    public static readonly string[] Resources = ["kafka", "postgres", "fraud", "redis", "producer", "detector", "api", "prometheus"];

    /// <summary>A test-only key: the AppHost's secret parameter <c>api-key</c>, as an operator would set it.</summary>
    public const string TestApiKey = "test-only-api-key-not-a-secret-12345";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    private IProducer<string, byte[]>? _producer;
    private bool _disposed;

    protected FraudSystem()
    {
    }

    public DistributedApplication App { get; private set; } = null!;
    public HttpClient Api { get; private set; } = null!;

    /// <summary>The detector's model and rule files: its bootstrap model lands there, tests score with and change them.</summary>
    public DetectorFiles Files { get; } = new();

    /// <summary>The detector's HTTP endpoint through the AppHost's proxy; with replicas it round-robins between
    /// them (use <see cref="SystemProcesses.HttpEndpointsAsync"/> to reach one replica).</summary>
    public HttpClient Detector { get; private set; } = null!;
    public string KafkaBootstrap { get; private set; } = "";
    public string PostgresConnectionString { get; private set; } = "";
    public string RedisConnectionString { get; private set; } = "";

    /// <summary>The API key the AppHost gave the api, read back from the app model.</summary>
    public string ApiKey { get; private set; } = "";

    /// <summary>When the start began: before it, no process of this system existed.</summary>
    public DateTimeOffset StartedAt { get; private set; }

    /// <summary>When every resource was healthy: the system is up.</summary>
    public DateTimeOffset ReadyAt { get; private set; }

    /// <summary>Kill, stop and start the processes behind the resources, and find each replica.</summary>
    public SystemProcesses Processes { get; private set; } = null!;

    /// <summary>Starts a private system; every resource (each replica) is healthy when this returns.</summary>
    /// <param name="appHostArgs">Extra AppHost arguments, after (so overriding) the test defaults.</param>
    /// <param name="configure">Changes to the app model before it is built (e.g. one resource's environment, a log provider).</param>
    /// <param name="shippedDetection">The rule set and bootstrap model a fresh installation gets (the API's defaults)
    /// instead of <see cref="Files"/>' test rules and smaller bootstrap.</param>
    /// <param name="cancellationToken">Gives the start up (it also gives up by itself after three minutes).</param>
    public static async Task<FraudSystem> StartAsync(IEnumerable<string>? appHostArgs = null,
        Action<IDistributedApplicationTestingBuilder>? configure = null, bool shippedDetection = false, CancellationToken cancellationToken = default)
    {
        var system = new FraudSystem();
        try
        {
            await system.StartCoreAsync(appHostArgs ?? [], configure, shippedDetection, cancellationToken);
            return system;
        }
        catch
        {
            await system.DisposeAsync();
            throw;
        }
    }

    protected async Task StartCoreAsync(IEnumerable<string> appHostArgs,
        Action<IDistributedApplicationTestingBuilder>? configure = null, bool shippedDetection = false, CancellationToken cancellationToken = default)
    {
        StartedAt = DateTimeOffset.UtcNow;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StartTimeout);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Fraud_AppHost>(
            ["--Infra:Mode=local", "--Infra:Ephemeral=true", $"--Parameters:api-key={TestApiKey}",
                .. shippedDetection ? [] : Files.AppHostArgs, .. appHostArgs], timeout.Token);
        KeepResourceLogsQuiet(builder);
        ExportNoTelemetry(builder);
        configure?.Invoke(builder);

        ApiKey = await builder.Resources.OfType<ParameterResource>().Single(resource => resource.Name == "api-key").GetValueAsync(timeout.Token)
            ?? throw new InvalidOperationException("the api-key parameter has no value");
        App = await builder.BuildAsync(timeout.Token);
        Processes = new SystemProcesses(App);
        await App.StartAsync(timeout.Token);
        foreach (var resource in Resources)
        {
            await Processes.WaitUntilHealthyAsync(resource, timeout.Token);
        }
        ReadyAt = DateTimeOffset.UtcNow;

        Api = App.CreateHttpClient("api");
        Detector = App.CreateHttpClient("detector");
        KafkaBootstrap = await App.GetConnectionStringAsync("kafka", timeout.Token) ?? throw new InvalidOperationException("no kafka connection string");
        PostgresConnectionString = await App.GetConnectionStringAsync("fraud", timeout.Token) ?? throw new InvalidOperationException("no fraud connection string");
        RedisConnectionString = await App.GetConnectionStringAsync("redis", timeout.Token) ?? throw new InvalidOperationException("no redis connection string");
        _producer = new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = KafkaBootstrap, Acks = Acks.All }).Build();
    }

    /// <summary>
    /// The testing builder runs without the dashboard, yet still points every service's OTLP exporter at it: each
    /// service then failed to export about 15 times a second (exceptions, retries of the held telemetry in memory)
    /// under the tests and the load tool. Without the endpoint the services export nothing, as ServiceDefaults intends.
    /// </summary>
    private static void ExportNoTelemetry(IDistributedApplicationTestingBuilder builder)
    {
        foreach (var project in builder.Resources.OfType<ProjectResource>())
        {
            project.Annotations.Add(new EnvironmentCallbackAnnotation(context => context.EnvironmentVariables.Remove("OTEL_EXPORTER_OTLP_ENDPOINT")));
        }
    }

    /// <summary>Resource logs are forwarded into the test output; keeps only what signals a problem.</summary>
    public static void KeepResourceLogsQuiet(IDistributedApplicationTestingBuilder builder) =>
        builder.Services.AddLogging(logging => logging
            .SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Fraud.AppHost.Resources", LogLevel.Warning)
            .AddFilter("Fraud.AppHost.Resources.postgres", LogLevel.None) // postgres logs everything to stderr
            .AddFilter("Aspire", LogLevel.Warning)
            .AddFilter("System.Net.Http", LogLevel.Warning)
            .AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.Critical));

    /// <summary>Produces raw bytes to a topic and waits for the broker's acknowledgement; returns where the message went.</summary>
    public Task<DeliveryResult<string, byte[]>> ProduceAsync(string topic, string key, byte[] value) =>
        _producer!.ProduceAsync(topic, new Message<string, byte[]> { Key = key, Value = value });

    public Task<DeliveryResult<string, byte[]>> ProduceAsync(Transaction transaction) =>
        ProduceAsync(Topics.Transactions.Name, transaction.UserId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            TransactionJson.SerializeToUtf8Bytes(transaction));

    /// <summary>Polls until <paramref name="probe"/> returns a value or the deadline passes.</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T?>> probe, string what, TimeSpan? within = null) where T : class
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for {what}.");
            }
            await Task.Delay(250);
        }
    }

    public async Task<IReadOnlyList<Alert>> GetAlertsAsync(int limit = 1000)
    {
        var response = await Api.GetAsync($"/alerts?limit={limit}");
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadAsByteArrayAsync();
        return ParseAlerts(body);
    }

    /// <summary>
    /// How many <c>fraud_alerts</c> rows each of <paramref name="txIds"/> has (a missing one has none), read
    /// straight from Postgres on a fresh connection: one that a Postgres restart broke is never reused.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, long>> AlertRowCountsAsync(IEnumerable<string> txIds)
    {
        var connectionString = new NpgsqlConnectionStringBuilder(PostgresConnectionString) { Pooling = false }.ConnectionString;
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT tx_id, count(*) FROM fraud_alerts WHERE tx_id = ANY($1) GROUP BY tx_id", connection)
        {
            Parameters = { new() { Value = txIds.ToArray() } },
        };
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var reader = await count.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            counts[reader.GetString(0)] = reader.GetInt64(1);
        }
        return counts;
    }

    public static IReadOnlyList<Alert> ParseAlerts(byte[] jsonArray)
    {
        using var document = System.Text.Json.JsonDocument.Parse(jsonArray);
        return document.RootElement.EnumerateArray()
            .Select(element => AlertJson.Deserialize(System.Text.Encoding.UTF8.GetBytes(element.GetRawText()))
                ?? throw new InvalidOperationException("alert did not parse"))
            .ToList();
    }

    /// <summary>Stops the AppHost and with it every process of the system; its ephemeral state is removed.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _producer?.Dispose();
        if (App is not null)
        {
            await App.DisposeAsync();
        }
        Files.Dispose();
        GC.SuppressFinalize(this);
    }
}
