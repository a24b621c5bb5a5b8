namespace Fraud.Deploy;

/// <summary>
/// Requests and limits per service, from what the services use in the load tests (docs/benchmarks.md): the detector
/// is the CPU-bound one (about one core at 60k transactions/s), the API and the producer are light. Overlays scale
/// them; these are the base.
/// </summary>
internal sealed record ServiceSizing(string CpuRequest, string MemoryRequest, string CpuLimit, string MemoryLimit)
{
    public static ServiceSizing For(string service) => service switch
    {
        "detector" => new("500m", "512Mi", "2", "1Gi"),
        "api" => new("200m", "256Mi", "1", "512Mi"),
        _ => new("100m", "128Mi", "500m", "256Mi"),
    };

    /// <summary>In-cluster infrastructure of the dev overlay: enough for a laptop cluster.</summary>
    public static ServiceSizing Infrastructure { get; } = new("250m", "256Mi", "1", "1Gi");
}
