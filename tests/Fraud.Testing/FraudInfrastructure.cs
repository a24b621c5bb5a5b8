using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

namespace Fraud.Testing;

/// <summary>
/// Only the infrastructure of the system — the broker, Postgres with the fraud database and its logins, Redis — started
/// through the AppHost in local mode as the product starts it, with throwaway state; the services (producer, detector,
/// api) and Prometheus are left out of the app model. For tests that host a service themselves (the API's functional
/// tests run it in process) on real dependencies.
/// </summary>
public sealed class FraudInfrastructure : IAsyncDisposable
{
    /// <summary>The resources kept: everything else but parameters and connection strings is removed before the start.</summary>
    public static readonly string[] Resources = ["kafka", "postgres", "fraud", "redis"];

    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    private FraudInfrastructure(DistributedApplication app) => App = app;

    public DistributedApplication App { get; }

    /// <summary>A service's connection strings, by the names the services read (<c>ConnectionStrings:{name}</c>), as the
    /// AppHost gives them to the API: <c>fraud</c> is the services' login, <c>fraud-owner</c> the database's owner.</summary>
    public IReadOnlyDictionary<string, string> ConnectionStrings { get; private set; } = new Dictionary<string, string>();

    /// <summary>The database as its owner (what a test writes rows with).</summary>
    public string PostgresConnectionString => ConnectionStrings["fraud-owner"];

    /// <summary>Starts the infrastructure; every resource is healthy when this returns.</summary>
    public static async Task<FraudInfrastructure> StartAsync(CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StartTimeout);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Fraud_AppHost>(
            ["--Infra:Mode=local", "--Infra:Ephemeral=true", $"--Parameters:api-key={FraudSystem.TestApiKey}"], timeout.Token);
        FraudSystem.KeepResourceLogsQuiet(builder);
        foreach (var resource in builder.Resources.Where(IsLeftOut).ToList())
        {
            builder.Resources.Remove(resource);
        }

        var infrastructure = new FraudInfrastructure(await builder.BuildAsync(timeout.Token));
        try
        {
            await infrastructure.StartCoreAsync(timeout.Token);
            return infrastructure;
        }
        catch
        {
            await infrastructure.DisposeAsync();
            throw;
        }
    }

    private static bool IsLeftOut(IResource resource) =>
        resource is not (ParameterResource or ConnectionStringResource) && !Resources.Contains(resource.Name);

    private async Task StartCoreAsync(CancellationToken cancellationToken)
    {
        await App.StartAsync(cancellationToken);
        foreach (var resource in Resources)
        {
            await App.ResourceNotifications.WaitForResourceHealthyAsync(resource, cancellationToken);
        }

        ConnectionStrings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["fraud"] = await ConnectionStringAsync("fraud-service", cancellationToken),
            ["fraud-owner"] = await ConnectionStringAsync("fraud", cancellationToken),
            ["redis"] = await ConnectionStringAsync("redis", cancellationToken),
            ["kafka"] = await ConnectionStringAsync("kafka", cancellationToken),
        };
    }

    private async Task<string> ConnectionStringAsync(string resource, CancellationToken cancellationToken) =>
        await App.GetConnectionStringAsync(resource, cancellationToken) ?? throw new InvalidOperationException($"no {resource} connection string");

    /// <summary>Stops the AppHost and with it every process; the ephemeral state is removed.</summary>
    public async ValueTask DisposeAsync() => await App.DisposeAsync();
}
