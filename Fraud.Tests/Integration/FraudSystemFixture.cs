using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Confluent.Kafka;
using Fraud.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Fraud.Tests.Integration;

/// <summary>
/// The whole system, started the way the product starts it: the AppHost in local mode (Fraud.LocalKafka,
/// Debian's Postgres and Redis as processes) with throwaway state. One instance per test collection.
/// </summary>
public sealed class FraudSystemFixture : IAsyncLifetime
{
    public static readonly string[] Resources = ["kafka", "postgres", "fraud", "redis", "producer", "detector", "api"];
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    private IProducer<string, byte[]>? _producer;

    public DistributedApplication App { get; private set; } = null!;
    public HttpClient Api { get; private set; } = null!;
    public HttpClient Detector { get; private set; } = null!;
    public string KafkaBootstrap { get; private set; } = "";
    public string PostgresConnectionString { get; private set; } = "";
    public string RedisConnectionString { get; private set; } = "";

    /// <summary>The API key the AppHost gave the api, read back from the app model.</summary>
    public string ApiKey { get; private set; } = "";

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Fraud_AppHost>(
            // A test-only key: the AppHost's secret parameter, as an operator would set it.
            ["--Infra:Mode=local", "--Infra:Ephemeral=true", "--Parameters:api-key=test-only-api-key"], timeout.Token);
        // Resource logs are forwarded into the test output; keep only what signals a problem.
        builder.Services.AddLogging(logging => logging
            .SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Fraud.AppHost.Resources", LogLevel.Warning)
            .AddFilter("Fraud.AppHost.Resources.postgres", LogLevel.None) // postgres logs everything to stderr
            .AddFilter("Aspire", LogLevel.Warning)
            .AddFilter("System.Net.Http", LogLevel.Warning)
            .AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.Critical));

        ApiKey = await builder.Resources.OfType<ParameterResource>().Single(resource => resource.Name == "api-key").GetValueAsync(timeout.Token)
            ?? throw new InvalidOperationException("the api-key parameter has no value");
        App = await builder.BuildAsync(timeout.Token);
        await App.StartAsync(timeout.Token);
        foreach (var resource in Resources)
        {
            await App.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
        }

        Api = App.CreateHttpClient("api");
        Detector = App.CreateHttpClient("detector");
        KafkaBootstrap = await App.GetConnectionStringAsync("kafka", timeout.Token) ?? throw new InvalidOperationException("no kafka connection string");
        PostgresConnectionString = await App.GetConnectionStringAsync("fraud", timeout.Token) ?? throw new InvalidOperationException("no fraud connection string");
        RedisConnectionString = await App.GetConnectionStringAsync("redis", timeout.Token) ?? throw new InvalidOperationException("no redis connection string");
        _producer = new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = KafkaBootstrap, Acks = Acks.All }).Build();
    }

    /// <summary>Produces raw bytes to a topic and waits for the broker's acknowledgement.</summary>
    public Task ProduceAsync(string topic, string key, byte[] value) =>
        _producer!.ProduceAsync(topic, new Message<string, byte[]> { Key = key, Value = value });

    public Task ProduceAsync(Transaction transaction) =>
        ProduceAsync("transactions.v1", transaction.UserId.ToString(System.Globalization.CultureInfo.InvariantCulture),
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

    public static IReadOnlyList<Alert> ParseAlerts(byte[] jsonArray)
    {
        using var document = System.Text.Json.JsonDocument.Parse(jsonArray);
        return document.RootElement.EnumerateArray()
            .Select(element => AlertJson.Deserialize(System.Text.Encoding.UTF8.GetBytes(element.GetRawText()))
                ?? throw new InvalidOperationException("alert did not parse"))
            .ToList();
    }

    public async Task DisposeAsync()
    {
        _producer?.Dispose();
        if (App is not null)
        {
            await App.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class FraudSystemCollection : ICollectionFixture<FraudSystemFixture>
{
    public const string Name = "Fraud system (AppHost, local mode)";
}
