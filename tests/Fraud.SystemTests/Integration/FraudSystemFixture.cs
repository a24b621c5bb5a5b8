namespace Fraud.SystemTests.Integration;

/// <summary>One <see cref="FraudSystem"/> shared by every test class of <see cref="FraudSystemCollection"/>.</summary>
public sealed class FraudSystemFixture : FraudSystem, IAsyncLifetime
{
    public Task InitializeAsync() => StartCoreAsync([]);

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();
}

[CollectionDefinition(Name)]
public sealed class FraudSystemCollection : ICollectionFixture<FraudSystemFixture>
{
    public const string Name = "Fraud system (AppHost, local mode)";
}
