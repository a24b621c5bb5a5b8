using Microsoft.Extensions.DependencyInjection;

namespace Fraud.AppHost.Infrastructure;

public static class PrometheusExtensions
{
    internal const string EndpointName = "http";
    private const string Image = "prom/prometheus";
    private const string Tag = "v2.53.4";
    private const int PrometheusPort = 9090;

    /// <summary>
    /// Prometheus scraping every instance of <paramref name="scraped"/> (job = resource name), with the recording and
    /// alert rules of <c>deploy/prometheus/rules/</c> loaded unchanged. Local mode runs Debian's <c>prometheus</c>;
    /// containers mode the official image. Ports are only known once the AppHost runs (tests randomise them), so the
    /// AppHost renders its own <c>prometheus.yml</c> into the state folder and keeps one file_sd target file per job
    /// up to date as instances start (see <see cref="PrometheusTargetsWriter"/>). Publishing mounts
    /// <c>deploy/prometheus</c> as written, for a deployment where services are reachable by name; publishing for
    /// Azure Container Apps declares no Prometheus (azd ignores bind mounts unless its alpha "azd operations" is on,
    /// and the services' ports are behind the apps' ingress there). Returns null when not declared.
    /// </summary>
    public static IResourceBuilder<IResourceWithEndpoints>? AddFraudPrometheus(
        this IDistributedApplicationBuilder builder, string name, InfraMode mode, params IResourceBuilder<ProjectResource>[] scraped)
    {
        var deploy = DeployDirectory(builder);
        var rules = Path.Combine(deploy, "rules");
        var jobs = scraped.Select(resource => resource.Resource.Name).ToArray();
        int? hostPort = builder.ExecutionContext.IsRunMode ? PrometheusPort : null;

        if (builder.PublishesFor(PublishTarget.AzureContainerApps))
        {
            return null;
        }

        if (builder.ExecutionContext.IsPublishMode)
        {
            return builder.AddContainer(name, Image, Tag)
                .WithBindMount(deploy, "/etc/prometheus", isReadOnly: true)
                .WithVolume($"{name}-data", "/prometheus")
                .WithHttpEndpoint(targetPort: PrometheusPort, name: EndpointName);
        }

        var folder = Path.Combine(builder.GetLocalStateDirectory(), "prometheus");
        var targets = Path.Combine(folder, "targets");
        Directory.CreateDirectory(targets);

        if (mode == InfraMode.Containers)
        {
            // The container sees the rendered folder and the rules at fixed paths; it reaches the services through
            // the AppHost's proxies on the host (one target per resource: replicas alternate behind a proxy).
            PrometheusConfig.Write(folder, jobs, "/etc/prometheus/rules/*.yml", "/etc/prometheus/fraud/targets");
            builder.Services.AddHostedService(sp => new PrometheusTargetsWriter(
                targets, jobs, PrometheusTargetsWriter.ThroughProxy("host.docker.internal", scraped), sp.GetRequiredService<ResourceNotificationService>()));
            return builder.AddContainer(name, Image, Tag)
                .WithBindMount(folder, "/etc/prometheus/fraud", isReadOnly: true)
                .WithBindMount(rules, "/etc/prometheus/rules", isReadOnly: true)
                .WithVolume($"{name}-data", "/prometheus")
                .WithContainerRuntimeArgs("--add-host=host.docker.internal:host-gateway")
                .WithArgs("--config.file=/etc/prometheus/fraud/prometheus.yml", "--storage.tsdb.path=/prometheus", "--log.level=warn")
                .WithHttpEndpoint(port: hostPort, targetPort: PrometheusPort, name: EndpointName)
                .WithHttpHealthCheck("/-/ready", endpointName: EndpointName);
        }

        PrometheusConfig.Write(folder, jobs, Path.Combine(rules, "*.yml"), targets);
        builder.Services.AddHostedService(sp => new PrometheusTargetsWriter(
            targets, jobs, PrometheusTargetsWriter.EachReplica, sp.GetRequiredService<ResourceNotificationService>()));
        var prometheus = new LocalPrometheusResource(name, LocalTools.Prometheus(), folder);
        return builder.AddResource(prometheus)
            .WithHttpEndpoint(port: hostPort, name: EndpointName)
            .WithArgs(context =>
            {
                context.Args.Add($"--config.file={Path.Combine(folder, PrometheusConfig.FileName)}");
                context.Args.Add($"--storage.tsdb.path={Path.Combine(folder, "data")}");
                context.Args.Add("--storage.tsdb.retention.time=7d");
                context.Args.Add(ReferenceExpression.Create(
                    $"--web.listen-address=127.0.0.1:{prometheus.PrimaryEndpoint.Property(EndpointProperty.TargetPort)}"));
                context.Args.Add("--log.level=warn"); // it logs to stderr, which the dashboard shows as errors
            })
            .WithHttpHealthCheck("/-/ready", endpointName: EndpointName);
    }

    /// <summary><c>deploy/prometheus</c> of this checkout (the AppHost's sibling folder <c>deploy</c>).</summary>
    internal static string DeployDirectory(IDistributedApplicationBuilder builder, string part = "prometheus") =>
        Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", "deploy", part));
}

/// <summary>Debian's prometheus as a plain process, listening on loopback only.</summary>
public sealed class LocalPrometheusResource(string name, string command, string workingDirectory)
    : ExecutableResource(name, command, workingDirectory)
{
    internal EndpointReference PrimaryEndpoint => new(this, PrometheusExtensions.EndpointName);
}
