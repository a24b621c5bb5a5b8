namespace Fraud.AppHost.Infrastructure;

public static class GrafanaExtensions
{
    private const string Image = "grafana/grafana";
    private const string Tag = "11.6.0";
    private const int GrafanaPort = 3000;

    /// <summary>
    /// Grafana with the data source and dashboards of <c>deploy/grafana</c> provisioned (read-only, anonymous viewers).
    /// Containers mode and publishing only: Grafana has no Debian package, so local mode has no Grafana (Prometheus's
    /// own UI and the Aspire dashboard remain), and not without a Prometheus (published for Azure Container Apps).
    /// Returns null when not declared.
    /// </summary>
    public static IResourceBuilder<ContainerResource>? AddFraudGrafana(
        this IDistributedApplicationBuilder builder, string name, InfraMode mode, IResourceBuilder<IResourceWithEndpoints>? prometheus)
    {
        if (mode != InfraMode.Containers || prometheus is null)
        {
            return null;
        }

        var deploy = PrometheusExtensions.DeployDirectory(builder, "grafana");
        return builder.AddContainer(name, Image, Tag)
            .WithBindMount(Path.Combine(deploy, "provisioning"), "/etc/grafana/provisioning", isReadOnly: true)
            .WithBindMount(Path.Combine(deploy, "dashboards"), "/var/lib/grafana/dashboards", isReadOnly: true)
            .WithEnvironment("PROMETHEUS_URL", prometheus.GetEndpoint(PrometheusExtensions.EndpointName))
            .WithEnvironment("GF_AUTH_ANONYMOUS_ENABLED", "true")
            .WithEnvironment("GF_AUTH_ANONYMOUS_ORG_ROLE", "Viewer")
            .WithEnvironment("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH", "/var/lib/grafana/dashboards/fraud-overview.json")
            .WithHttpEndpoint(port: builder.ExecutionContext.IsRunMode ? GrafanaPort : null, targetPort: GrafanaPort)
            .WithHttpHealthCheck("/api/health")
            .WaitFor(prometheus);
    }
}
