using Fraud.AppHost.Infrastructure.Prometheus;

namespace Fraud.AppHost.Infrastructure.Grafana;

public static class GrafanaResourceBuilderExtensions
{
    private const string Image = "grafana/grafana";
    private const string Tag = "11.6.0";
    private const int GrafanaPort = 3000;

    /// <summary>
    /// Grafana (the official image) with the data source and dashboards of <c>deploy/grafana</c> provisioned (read-only,
    /// anonymous viewers), reading <paramref name="prometheus"/>.
    /// </summary>
    public static IResourceBuilder<ContainerResource> AddGrafana(
        this IDistributedApplicationBuilder builder, string name, IResourceBuilder<IResourceWithEndpoints> prometheus)
    {
        var deploy = PrometheusResourceBuilderExtensions.DeployDirectory(builder, "grafana");
        return builder.AddContainer(name, Image, Tag)
            .WithBindMount(Path.Combine(deploy, "provisioning"), "/etc/grafana/provisioning", isReadOnly: true)
            .WithBindMount(Path.Combine(deploy, "dashboards"), "/var/lib/grafana/dashboards", isReadOnly: true)
            .WithEnvironment("PROMETHEUS_URL", prometheus.GetEndpoint(PrometheusResourceBuilderExtensions.EndpointName))
            .WithEnvironment("GF_AUTH_ANONYMOUS_ENABLED", "true")
            .WithEnvironment("GF_AUTH_ANONYMOUS_ORG_ROLE", "Viewer")
            .WithEnvironment("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH", "/var/lib/grafana/dashboards/fraud-overview.json")
            .WithHttpEndpoint(port: builder.ExecutionContext.IsRunMode ? GrafanaPort : null, targetPort: GrafanaPort)
            .WithHttpHealthCheck("/api/health")
            .WaitFor(prometheus);
    }
}
