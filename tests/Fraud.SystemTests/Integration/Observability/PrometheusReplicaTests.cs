using System.Text.Json;
using Aspire.Hosting.Testing;
using Fraud.SystemTests.Integration.Faults;

namespace Fraud.SystemTests.Integration.Observability;

/// <summary>With detector replicas, Prometheus scrapes each one on its own port (the proxy would alternate between them).</summary>
[Collection(PrivateSystemsCollection.Name)]
public sealed class PrometheusReplicaTests
{
    [Fact]
    public async Task Each_detector_replica_is_a_target_of_its_own_and_up()
    {
        await using var system = await FraudSystem.StartAsync(["--Detector:Replicas=2", "--Producer:Enabled=false"]);
        using var prometheus = system.App.CreateHttpClient("prometheus");
        var replicas = await system.Processes.HttpEndpointsAsync("detector");

        var targets = await FraudSystem.EventuallyAsync(async () =>
        {
            using var document = JsonDocument.Parse(await prometheus.GetStringAsync("/api/v1/targets?state=active"));
            var detector = document.RootElement.GetProperty("data").GetProperty("activeTargets").EnumerateArray()
                .Where(t => t.GetProperty("labels").GetProperty("job").GetString() == "detector")
                .Select(t => (Instance: t.GetProperty("labels").GetProperty("instance").GetString()!,
                    Replica: t.GetProperty("labels").GetProperty("replica").GetString()!,
                    Health: t.GetProperty("health").GetString()!))
                .ToList();
            return detector.Count == replicas.Count && detector.All(t => t.Health == "up") ? detector : null;
        }, "both detector replicas scraped and up", TimeSpan.FromSeconds(90));

        Assert.Equal(replicas.Select(r => r.ResourceId).Order(), targets.Select(t => t.Replica).Order());
        Assert.Equal(replicas.Select(r => $"127.0.0.1:{r.Uri.Port}").Order(), targets.Select(t => t.Instance).Order());
    }
}
