using System.Collections.Concurrent;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Fraud.Detector.Health;

/// <summary>
/// What the sinks last experienced: a sink whose latest write failed makes the detector degraded (it keeps
/// running: Postgres writes are retried with consumption paused, Redis is best effort) until a write succeeds.
/// </summary>
public sealed class SinkHealth : IHealthCheck
{
    private readonly ConcurrentDictionary<string, string> _failing = new(StringComparer.Ordinal);

    public void Failed(string sink, string reason) => _failing[sink] = reason;

    public void Succeeded(string sink) => _failing.TryRemove(sink, out _);

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_failing.IsEmpty
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Degraded(string.Join("; ", _failing.OrderBy(entry => entry.Key).Select(entry => $"{entry.Key}: {entry.Value}"))));
}
