namespace Fraud.SystemTests.Integration;

/// <summary>
/// A private system whose detector runs as shipped: the default rule set (<c>Fraud.Detector/rules.json</c>, the
/// API's own <c>Training:RulesPath</c> default) and the bootstrap model the API trains at start-up with the default
/// size, not the test rules of every other system (<c>test-rules.json</c>, whose any-amount-from-1000 rule makes most
/// alerts there). The simulator runs slowly, with no backfill, so live traffic flows as in a real system. Tests here
/// may restart the broker or kill Postgres: each asserts the system is deciding again before it returns. Its Postgres runs
/// durably (fsync and synchronous commit on, as in production; the other systems' throwaway data skips both), so a crash
/// here keeps what Postgres acknowledged.
/// </summary>
public sealed class DefaultDetectorSystem : IAsyncLifetime
{
    public FraudSystem System { get; private set; } = null!;

    public async Task InitializeAsync() =>
        System = await FraudSystem.StartAsync(["--Training:RulesPath=rules.json", "--Training:BootstrapTransactions=50000",
            "--Producer:Rate=5", "--Producer:BackfillTransactions=0", "--Postgres:Durable=true"]);

    public async Task DisposeAsync()
    {
        if (System is not null)
        {
            await System.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class DefaultDetectorCollection : ICollectionFixture<DefaultDetectorSystem>
{
    public const string Name = "Default detector (private system, shipped rules and model)";
}
