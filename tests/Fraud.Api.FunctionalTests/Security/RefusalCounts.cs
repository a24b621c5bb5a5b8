using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Fraud.Api.FunctionalTests.Security;

/// <summary>
/// What one API host refuses from now on, by reason: its own <c>fraud.api.requests.refused</c> counter
/// (<c>fraud_api_requests_refused_total</c> on <c>/metrics</c>), read from the host's meters. Not from <c>/metrics</c>:
/// OpenTelemetry subscribes to meters by name across the process, so API hosts in one test process mix their series
/// (a second host's <c>/metrics</c> was seen without the counter at all). Fraud.SystemTests' <c>RefusedRequestTests</c>
/// reads the counter on <c>/metrics</c> of a whole system.
/// </summary>
internal sealed class RefusalCounts(IServiceProvider services) : IDisposable
{
    private readonly MetricCollector<long> _refused = new(services.GetRequiredService<IMeterFactory>(), "Fraud.Api", "fraud.api.requests.refused");

    public long Of(string reason) => _refused.GetMeasurementSnapshot()
        .Where(measurement => measurement.Tags.TryGetValue("reason", out var value) && Equals(value, reason))
        .Sum(measurement => measurement.Value);

    public void Dispose() => _refused.Dispose();
}
