using System.Net;
using Fraud.Core;
using Fraud.SystemTests.Integration.Faults;

namespace Fraud.SystemTests.Integration.RunModes;

/// <summary>
/// Containers mode (Redpanda, the postgres and redis images, Prometheus's image) runs the same system: where a container
/// engine answers, the AppHost starts it in that mode and an alert flows from the broker to the API. Skipped, with the
/// reason shown, where no engine answers (as on the machine these tests were written on).
/// </summary>
[Collection(PrivateSystemsCollection.Name)]
public sealed class ContainersModeTests
{
    [ContainerEngineFact]
    public async Task In_containers_mode_the_api_is_healthy_and_an_alert_flows_from_the_broker_to_the_api()
    {
        await using var system = await FraudSystem.StartAsync(["--Infra:Mode=containers", "--Producer:Enabled=false"]);
        Assert.Contains("\"status\":\"ok\"", await system.Api.GetStringAsync("/health"), StringComparison.Ordinal);

        // Above the test rules' amount threshold (test-rules.json): an alert alone.
        var transaction = new Transaction($"tx_containers_{Guid.NewGuid():N}", 41_000_001, 5_000m, "EUR", "ES", DateTimeOffset.UtcNow);
        await system.ProduceAsync(transaction);

        var alert = await FraudSystem.EventuallyAsync(async () =>
            await system.Api.GetAsync($"/alerts/{transaction.TxId}") is { StatusCode: HttpStatusCode.OK } found ? await found.Content.ReadAsStringAsync() : null,
            "the alert through the API", TimeSpan.FromSeconds(120));
        Assert.Contains(transaction.TxId, alert, StringComparison.Ordinal);
    }
}
