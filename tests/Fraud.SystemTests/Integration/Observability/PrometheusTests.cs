using System.Text.Json;
using Aspire.Hosting.Testing;

namespace Fraud.SystemTests.Integration.Observability;

/// <summary>The AppHost's Prometheus (local mode: Debian's prometheus as a process) watches the running system.</summary>
[Collection(FraudSystemCollection.Name)]
public sealed class PrometheusTests(FraudSystemFixture system)
{
    private static readonly string[] Jobs = ["producer", "detector", "api"];

    [Fact]
    public async Task Prometheus_scrapes_every_service_and_reports_each_target_up()
    {
        using var prometheus = system.App.CreateHttpClient("prometheus");

        var targets = await FraudSystem.EventuallyAsync(async () =>
        {
            var active = await ActiveTargetsAsync(prometheus);
            return Jobs.All(job => active.Any(t => t.Job == job)) && active.All(t => t.Health == "up") ? active : null;
        }, "every target scraped and up", TimeSpan.FromSeconds(90));

        Assert.Equal(Jobs.Order(), targets.Select(t => t.Job).Distinct().Order());
        // One target per replica, each on its own port (not the round-robin proxy).
        var detectorReplicas = await system.Processes.ReplicasAsync("detector");
        Assert.Equal(detectorReplicas.Count, targets.Count(t => t.Job == "detector"));
    }

    [Fact]
    public async Task Prometheus_loads_every_recording_and_alert_rule_and_evaluates_them_without_error()
    {
        using var prometheus = system.App.CreateHttpClient("prometheus");

        var rules = await FraudSystem.EventuallyAsync(async () =>
        {
            var loaded = await RulesAsync(prometheus);
            return loaded.Count > 0 && loaded.All(rule => rule.Health == "ok") ? loaded : null;
        }, "every rule evaluated", TimeSpan.FromSeconds(90));

        Assert.Contains(rules, rule => rule.Name == "fraud:anomaly_rate:ratio5m" && rule.Type == "recording");
        foreach (var alert in new[] { "FraudAnomalyRateHigh", "FraudConsumerLagHigh", "FraudDeadLetters", "FraudServiceDown", "FraudEndToEndLatencyHigh" })
        {
            Assert.Contains(rules, rule => rule.Name == alert && rule.Type == "alerting");
        }
        Assert.All(rules, rule => Assert.Null(rule.Error));
    }

    private sealed record Target(string Job, string Health, string Replica);

    private sealed record Rule(string Name, string Type, string Health, string? Error);

    private static async Task<List<Target>> ActiveTargetsAsync(HttpClient prometheus)
    {
        using var document = JsonDocument.Parse(await prometheus.GetStringAsync("/api/v1/targets?state=active"));
        return document.RootElement.GetProperty("data").GetProperty("activeTargets").EnumerateArray()
            .Select(t => new Target(
                t.GetProperty("labels").GetProperty("job").GetString()!,
                t.GetProperty("health").GetString()!,
                t.GetProperty("labels").TryGetProperty("replica", out var replica) ? replica.GetString()! : ""))
            .ToList();
    }

    private static async Task<List<Rule>> RulesAsync(HttpClient prometheus)
    {
        using var document = JsonDocument.Parse(await prometheus.GetStringAsync("/api/v1/rules"));
        return document.RootElement.GetProperty("data").GetProperty("groups").EnumerateArray()
            .SelectMany(group => group.GetProperty("rules").EnumerateArray())
            .Select(r => new Rule(
                r.GetProperty("name").GetString()!,
                r.GetProperty("type").GetString()!,
                r.GetProperty("health").GetString()!,
                r.TryGetProperty("lastError", out var error) && error.GetString() is { Length: > 0 } text ? text : null))
            .ToList();
    }
}
