using Microsoft.Extensions.Hosting;

namespace Fraud.AppHost.Infrastructure.Prometheus;

/// <summary>
/// Keeps Prometheus's target files in step with the running instances: one target per replica, read from the
/// <c>ASPNETCORE_URLS</c> the AppHost gave it (behind the proxy a port alternates between replicas, so each is
/// scraped on its own port). A stopped or crashed instance stays a target, so Prometheus reports it down.
/// </summary>
internal sealed class PrometheusTargetsWriter(
    string folder, IReadOnlyCollection<string> jobs, Func<ResourceEvent, ScrapeTarget?> targetOf, ResourceNotificationService notifications)
    : BackgroundService
{
    // Per job: replica label → address.
    private readonly Dictionary<string, SortedDictionary<string, string>> _targets =
        jobs.ToDictionary(job => job, _ => new SortedDictionary<string, string>(StringComparer.Ordinal));

    /// <summary>Local mode: each replica's own port on the loopback, labelled with the replica's resource id.</summary>
    public static ScrapeTarget? EachReplica(ResourceEvent resourceEvent)
    {
        var urls = resourceEvent.Snapshot.EnvironmentVariables.FirstOrDefault(v => v.Name == "ASPNETCORE_URLS")?.Value;
        var first = urls?.Split(';', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        return Uri.TryCreate(first, UriKind.Absolute, out var uri) ? new ScrapeTarget($"127.0.0.1:{uri.Port}", resourceEvent.ResourceId) : null;
    }

    /// <summary>Containers mode: Prometheus runs in a container and reaches each resource through its proxy on the host
    /// (one target per resource, labelled with its name: behind the proxy replicas alternate).</summary>
    public static Func<ResourceEvent, ScrapeTarget?> ThroughProxy(string host, IEnumerable<IResourceBuilder<ProjectResource>> scraped)
    {
        var endpoints = scraped.ToDictionary(s => s.Resource.Name, s => s.GetEndpoint("http"));
        return resourceEvent => endpoints.TryGetValue(resourceEvent.Resource.Name, out var endpoint) && endpoint.IsAllocated
            ? new ScrapeTarget($"{host}:{endpoint.Port}", resourceEvent.Resource.Name)
            : null;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        foreach (var job in jobs)
        {
            Write(job); // no stale targets of an earlier run
        }
        try
        {
            await foreach (var resourceEvent in notifications.WatchAsync(stoppingToken))
            {
                if (!_targets.TryGetValue(resourceEvent.Resource.Name, out var targets) || targetOf(resourceEvent) is not { } target)
                {
                    continue;
                }
                if (!targets.TryGetValue(target.Replica, out var known) || known != target.Address)
                {
                    targets[target.Replica] = target.Address;
                    Write(resourceEvent.Resource.Name);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private void Write(string job) =>
        PrometheusConfig.WriteTargets(Path.Combine(folder, job + ".json"), _targets[job].Select(t => (t.Value, t.Key)));
}
