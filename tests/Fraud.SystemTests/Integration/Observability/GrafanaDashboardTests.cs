using System.Text.Json;
using System.Text.RegularExpressions;

namespace Fraud.SystemTests.Integration.Observability;

/// <summary>
/// The dashboards of <c>deploy/grafana/dashboards</c> only query what exists: every metric name in every panel's
/// PromQL is on a service's <c>/metrics</c> (or is a recording rule of <c>deploy/prometheus/rules</c>, or Prometheus's
/// own <c>up</c>). Grafana itself needs a container runtime, so the JSON is checked rather than rendered.
/// </summary>
[Collection(FraudSystemCollection.Name)]
public sealed partial class GrafanaDashboardTests(FraudSystemFixture system)
{
    private static readonly string Deploy = Path.Combine(ChildProcess.RepositoryRoot(), "deploy");

    // PromQL words that are not metric names.
    private static readonly HashSet<string> Keywords =
        ["by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset", "inf", "nan"];

    [Fact]
    public async Task Every_metric_a_dashboard_queries_exists_on_the_services_metrics_endpoints()
    {
        var queried = Dashboards().SelectMany(d => d.Queries).SelectMany(q => MetricNames(q.Expr).Select(name => (q.Where, name))).ToList();
        Assert.NotEmpty(queried);
        var recorded = RecordingRules();

        // Some series appear only once something happened: a dead letter, an alert, a decided batch.
        await system.ProduceAsync("transactions.v1", "1", "not json"u8.ToArray());
        await system.ProduceAsync(TransactionMessages.ContractExampleTransaction with { TxId = $"tx_dash_{Guid.NewGuid():N}", UserId = 8_900_000_001, Amount = 5000m });

        // Polled: the detector reports the batch's metrics once it is durable.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        List<string> absent;
        while (true)
        {
            var exposed = await ExposedMetricNamesAsync();
            absent = queried.Where(q => !exposed.Contains(q.name) && !recorded.Contains(q.name) && q.name != "up")
                .Select(q => $"{q.name} ({q.Where})").Distinct().ToList();
            if (absent.Count == 0 || DateTime.UtcNow > deadline)
            {
                break;
            }
            await Task.Delay(500);
        }

        Assert.True(absent.Count == 0, "Not on any service's /metrics: " + string.Join(", ", absent));
    }

    [Fact]
    public void Every_dashboard_parses_and_queries_the_provisioned_prometheus_data_source()
    {
        var dashboards = Dashboards();
        Assert.NotEmpty(dashboards);
        var datasource = File.ReadAllText(Path.Combine(Deploy, "grafana", "provisioning", "datasources", "prometheus.yml"));
        var uid = UidPattern().Match(datasource).Groups[1].Value;

        foreach (var dashboard in dashboards)
        {
            Assert.NotEmpty(dashboard.Queries);
            Assert.All(dashboard.Queries, query => Assert.Equal(uid, query.DatasourceUid));
            Assert.All(dashboard.Queries, query => Assert.False(string.IsNullOrWhiteSpace(query.Expr), query.Where));
        }
    }

    [Fact]
    public void The_names_are_read_from_promql_as_metric_names_only()
    {
        Assert.Equal(["fraud_detector_e2e_latency_seconds_bucket"],
            MetricNames("histogram_quantile(0.99, sum by (le) (rate(fraud_detector_e2e_latency_seconds_bucket[5m])))"));
        Assert.Equal(["fraud_api_feedback_total", "fraud_api_feedback_total"],
            MetricNames("sum(increase(fraud_api_feedback_total{label=\"fraud\"}[24h])) / sum(increase(fraud_api_feedback_total[24h]))"));
        Assert.Equal(["up"], MetricNames("up{job=~\"detector|api\"} == 0"));
        Assert.Equal(["fraud:anomaly_rate:ratio5m"], MetricNames("fraud:anomaly_rate:ratio5m > 0.05"));
    }

    private sealed record Query(string Where, string Expr, string? DatasourceUid);

    private sealed record Dashboard(string File, IReadOnlyList<Query> Queries);

    private static List<Dashboard> Dashboards() =>
        Directory.GetFiles(Path.Combine(Deploy, "grafana", "dashboards"), "*.json").Select(file =>
        {
            using var json = JsonDocument.Parse(File.ReadAllText(file));
            var queries = new List<Query>();
            foreach (var panel in Panels(json.RootElement.GetProperty("panels")))
            {
                if (!panel.TryGetProperty("targets", out var targets))
                {
                    continue;
                }
                foreach (var target in targets.EnumerateArray())
                {
                    var uid = target.TryGetProperty("datasource", out var ds) && ds.TryGetProperty("uid", out var u) ? u.GetString() : null;
                    queries.Add(new Query($"{Path.GetFileName(file)}: {panel.GetProperty("title").GetString()}",
                        target.GetProperty("expr").GetString() ?? "", uid));
                }
            }
            return new Dashboard(file, queries);
        }).ToList();

    // Rows may hold their panels (collapsed) or not.
    private static IEnumerable<JsonElement> Panels(JsonElement panels) =>
        panels.EnumerateArray().SelectMany(panel =>
            panel.TryGetProperty("panels", out var inner) ? [panel, .. Panels(inner)] : new[] { panel });

    /// <summary>The metric names of a PromQL expression: identifiers that are not functions, keywords, labels or durations.</summary>
    private static List<string> MetricNames(string promql)
    {
        var text = StringLiteral().Replace(promql, "");
        text = LabelMatchers().Replace(text, "");
        text = Grouping().Replace(text, "");
        text = RangeOrOffset().Replace(text, "");
        return Identifier().Matches(text)
            .Where(m => !text[(m.Index + m.Length)..].TrimStart().StartsWith('('))
            .Select(m => m.Value)
            .Where(name => !Keywords.Contains(name))
            .ToList();
    }

    private static HashSet<string> RecordingRules() =>
        Directory.GetFiles(Path.Combine(Deploy, "prometheus", "rules"), "*.yml")
            .SelectMany(file => RecordLine().Matches(File.ReadAllText(file)).Select(m => m.Groups[1].Value))
            .ToHashSet(StringComparer.Ordinal);

    private async Task<HashSet<string>> ExposedMetricNamesAsync()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var service in new[] { "producer", "detector", "api" })
        {
            foreach (var endpoint in await system.Processes.HttpEndpointsAsync(service))
            {
                using var client = new HttpClient { BaseAddress = endpoint.Uri };
                foreach (var line in (await client.GetStringAsync("/metrics")).Split('\n'))
                {
                    if (line.Length > 0 && line[0] != '#')
                    {
                        names.Add(line[..line.IndexOfAny(['{', ' '])]);
                    }
                }
            }
        }
        return names;
    }

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"")]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex LabelMatchers();

    [GeneratedRegex(@"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex Grouping();

    [GeneratedRegex(@"\[[^\]]*\]|\boffset\s+\w+")]
    private static partial Regex RangeOrOffset();

    [GeneratedRegex(@"(?<![\w:.])[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex Identifier();

    [GeneratedRegex(@"^\s*-\s*record:\s*(\S+)", RegexOptions.Multiline)]
    private static partial Regex RecordLine();

    [GeneratedRegex(@"uid:\s*(\S+)")]
    private static partial Regex UidPattern();
}
