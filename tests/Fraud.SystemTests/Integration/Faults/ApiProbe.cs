using System.Collections.Concurrent;
using System.Net;

namespace Fraud.SystemTests.Integration.Faults;

/// <summary>
/// Reads the API's database-backed endpoints through a fault and keeps every answer by phase ("outage", "after"),
/// noting any answer that breaks the promise: never a 5xx other than a 503 problem+json with Retry-After.
/// </summary>
internal sealed class ApiProbe(HttpClient api)
{
    private static readonly string[] Reads = ["/alerts?limit=5", "/stats", "/rules", "/rules/versions", "/models"];
    private readonly ConcurrentQueue<(string Phase, string Path, HttpStatusCode Status, TimeSpan Took)> _answers = new();

    /// <summary>Answers that broke the promise, described.</summary>
    public ConcurrentQueue<string> Problems { get; } = new();

    /// <summary>Many reads at once, so the API's connection pool holds many connections for the fault to break.</summary>
    public async Task FillConnectionPoolAsync() =>
        await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => ReadAllAsync("before")));

    /// <summary>Reads in turn, several at a time, until <paramref name="stop"/> (the reads under way finish).</summary>
    public async Task ReadUntilAsync(string during, CancellationToken stop) =>
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            while (!stop.IsCancellationRequested)
            {
                await ReadAllAsync(during);
            }
        }));

    /// <summary>Each read once, in turn.</summary>
    public async Task ReadAllAsync(string during)
    {
        foreach (var path in Reads)
        {
            var started = System.Diagnostics.Stopwatch.StartNew();
            using var response = await api.GetAsync(path);
            _answers.Enqueue((during, path, response.StatusCode, started.Elapsed));
            if ((int)response.StatusCode < 500)
            {
                continue;
            }

            if (response.StatusCode != HttpStatusCode.ServiceUnavailable)
            {
                Problems.Enqueue($"{during}: GET {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }
            else if (response.Headers.RetryAfter is null || response.Content.Headers.ContentType?.MediaType != "application/problem+json")
            {
                Problems.Enqueue($"{during}: GET {path} answered 503 without Retry-After or problem+json");
            }
        }
    }

    public int Count(string phase, Func<HttpStatusCode, bool> which) =>
        _answers.Count(answer => answer.Phase == phase && which(answer.Status));

    /// <summary>e.g. "API during the outage: 100 reads, 503 ×100; right after: 40 reads, 200 ×40".</summary>
    public string Summary() => Count("outage", _ => true) == 0
        ? $"API right after the restart: {Describe("after")}"
        : $"API during the outage: {Describe("outage")}; right after the restart: {Describe("after")}";

    private string Describe(string phase)
    {
        var statuses = _answers.Where(answer => answer.Phase == phase).GroupBy(answer => (int)answer.Status).OrderBy(group => group.Key);
        return $"{Count(phase, _ => true)} reads, " + string.Join(", ", statuses.Select(group =>
            $"{group.Key} ×{group.Count()} (slowest {group.Max(answer => answer.Took.TotalSeconds).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)} s)"));
    }
}
