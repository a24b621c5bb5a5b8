namespace Fraud.AppHost.Infrastructure.Prometheus;

/// <summary>Debian's prometheus as a plain process, listening on loopback only.</summary>
public sealed class LocalPrometheusResource(string name, string command, string workingDirectory)
    : ExecutableResource(name, command, workingDirectory)
{
    internal EndpointReference PrimaryEndpoint => new(this, PrometheusResourceBuilderExtensions.EndpointName);
}
