namespace Fraud.SystemTests.Integration.Faults;

/// <summary>
/// Tests that break a system of their own (kill a process, stop Postgres, run replicas). They run one at a time,
/// next to the shared <see cref="FraudSystemCollection"/>: an AppHost costs this 2-core machine ~15-20 s to start.
/// </summary>
[CollectionDefinition(Name)]
public sealed class PrivateSystemsCollection
{
    public const string Name = "Private systems (fault tests)";
}
