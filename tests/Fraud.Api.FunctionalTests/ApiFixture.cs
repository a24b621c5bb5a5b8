using Fraud.Core;
using Microsoft.Extensions.Hosting;

namespace Fraud.Api.FunctionalTests;

/// <summary>
/// The infrastructure, started once for the whole project, and the API over it with the settings the AppHost gives the
/// api resource in a local run (Development, the test key, the test rules and a bootstrap model in a folder of their
/// own). A test that needs other settings starts an API of its own on the same infrastructure with <see cref="StartApi"/>.
/// </summary>
public sealed class ApiFixture : IAsyncLifetime
{
    private FraudInfrastructure? _infrastructure;
    private FraudApiFactory? _api;

    public HttpClient Api { get; private set; } = null!;

    public string ApiKey => FraudSystem.TestApiKey;

    /// <summary>The rules and model files the API stores as its first active versions (as a detector would read them).</summary>
    public DetectorFiles Files { get; } = new();

    /// <summary>The database as its owner, for rows a test writes or locks.</summary>
    public string PostgresConnectionString => _infrastructure!.PostgresConnectionString;

    /// <summary>Writes alerts straight into <c>fraud_alerts</c> (<see cref="TestAlerts"/>): there is no detector.</summary>
    public Task InsertAsync(params Alert[] alerts) => TestAlerts.InsertAsync(PostgresConnectionString, alerts);

    public async Task InitializeAsync()
    {
        _infrastructure = await FraudInfrastructure.StartAsync();
        _api = StartApi();
        Api = _api.CreateClient();
        // As a detector would, wait for the first versions the API stores from the files (the bootstrap model trains first).
        await FraudSystem.EventuallyAsync(async () => (await Api.GetAsync("/rules")).IsSuccessStatusCode ? "stored" : null, "the first rule set");
        await FraudSystem.EventuallyAsync(async () => (await Api.GetStringAsync("/models")).Contains("\"active\":true", StringComparison.Ordinal) ? "stored" : null,
            "the first model", TimeSpan.FromMinutes(2));
    }

    /// <summary>Another API (a host of its own in this process) on the same infrastructure, with <paramref name="settings"/> over the defaults
    /// (e.g. <c>("Api:RequireKeyForReads", "true")</c>); it has started when this returns.</summary>
    public FraudApiFactory StartApi(params (string Key, string Value)[] settings)
    {
        var api = new FraudApiFactory(Settings(_infrastructure!.ConnectionStrings, Files)
            .Concat(settings.Select(setting => KeyValuePair.Create(setting.Key, (string?)setting.Value))));
        api.StartServer();
        return api;
    }

    /// <summary>What the AppHost passes to the api resource in a local run: its environment, connection strings,
    /// <c>Api__Key</c> from the <c>api-key</c> parameter and the <c>Training:*</c> settings of the test system's files.</summary>
    public static IEnumerable<KeyValuePair<string, string?>> Settings(IReadOnlyDictionary<string, string> connectionStrings, DetectorFiles? files)
    {
        yield return new(HostDefaults.EnvironmentKey, Environments.Development);
        yield return new("Api:Key", FraudSystem.TestApiKey);
        foreach (var (name, connectionString) in connectionStrings)
        {
            yield return new($"ConnectionStrings:{name}", connectionString);
        }

        foreach (var (name, value) in files?.ApiSettings ?? new Dictionary<string, string>())
        {
            yield return new(name, value);
        }
    }

    public async Task DisposeAsync()
    {
        Api?.Dispose();
        if (_api is not null)
        {
            await _api.DisposeAsync();
        }

        if (_infrastructure is not null)
        {
            await _infrastructure.DisposeAsync();
        }

        Files.Dispose();
    }
}

/// <summary>Every test class of the project shares one <see cref="ApiFixture"/>: the infrastructure starts once.</summary>
[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<ApiFixture>
{
    public const string Name = "API over the infrastructure (AppHost, local mode)";
}
