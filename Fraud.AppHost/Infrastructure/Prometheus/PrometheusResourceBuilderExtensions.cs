using Microsoft.Extensions.DependencyInjection;

namespace Fraud.AppHost.Infrastructure.Prometheus;

/// <summary>
/// Prometheus scraping every instance of the given services (job = resource name), with the recording and alert rules
/// of <c>deploy/prometheus/rules/</c> loaded unchanged. Ports are only known once the AppHost runs (tests randomise
/// them), so in run mode the AppHost renders its own <c>prometheus.yml</c> into the state folder and keeps one file_sd
/// target file per job up to date as instances start (<see cref="PrometheusTargetsWriter"/>).
/// </summary>
public static class PrometheusResourceBuilderExtensions
{
    internal const string EndpointName = "http";
    private const string Image = "prom/prometheus";
    private const string Tag = "v2.53.4";
    private const int PrometheusPort = 9090;

    /// <summary>
    /// The official image. Run mode: it reaches the services through the AppHost's proxies on the host (one target per
    /// resource: replicas alternate behind a proxy). Publishing mounts <c>deploy/prometheus</c> as written, for a
    /// deployment where services are reachable by name.
    /// </summary>
    public static IResourceBuilder<ContainerResource> AddPrometheusContainer(
        this IDistributedApplicationBuilder builder, string name, params IResourceBuilder<ProjectResource>[] scraped)
    {
        var deploy = DeployDirectory(builder);
        if (builder.ExecutionContext.IsPublishMode)
        {
            return builder.AddContainer(name, Image, Tag)
                .WithBindMount(deploy, "/etc/prometheus", isReadOnly: true)
                .WithVolume($"{name}-data", "/prometheus")
                .WithHttpEndpoint(targetPort: PrometheusPort, name: EndpointName);
        }

        var folder = RenderedFolder(builder);
        // The container sees the rendered folder and the rules at fixed paths.
        PrometheusConfig.Write(folder, Jobs(scraped), "/etc/prometheus/rules/*.yml", "/etc/prometheus/fraud/targets");
        builder.Services.AddHostedService(sp => new PrometheusTargetsWriter(Path.Combine(folder, "targets"), Jobs(scraped),
            PrometheusTargetsWriter.ThroughProxy("host.docker.internal", scraped), sp.GetRequiredService<ResourceNotificationService>()));
        return builder.AddContainer(name, Image, Tag)
            .WithBindMount(folder, "/etc/prometheus/fraud", isReadOnly: true)
            .WithBindMount(Path.Combine(deploy, "rules"), "/etc/prometheus/rules", isReadOnly: true)
            .WithVolume($"{name}-data", "/prometheus")
            .WithContainerRuntimeArgs("--add-host=host.docker.internal:host-gateway")
            .WithArgs("--config.file=/etc/prometheus/fraud/prometheus.yml", "--storage.tsdb.path=/prometheus", "--log.level=warn")
            .WithHttpEndpoint(port: PrometheusPort, targetPort: PrometheusPort, name: EndpointName)
            .WithHttpHealthCheck("/-/ready", endpointName: EndpointName);
    }

    /// <summary>Debian's <c>prometheus</c> as a local process, scraping each replica on its own port.</summary>
    public static IResourceBuilder<LocalPrometheusResource> AddLocalPrometheus(
        this IDistributedApplicationBuilder builder, string name, params IResourceBuilder<ProjectResource>[] scraped)
    {
        var folder = RenderedFolder(builder);
        PrometheusConfig.Write(folder, Jobs(scraped), Path.Combine(DeployDirectory(builder), "rules", "*.yml"), Path.Combine(folder, "targets"));
        builder.Services.AddHostedService(sp => new PrometheusTargetsWriter(Path.Combine(folder, "targets"), Jobs(scraped),
            PrometheusTargetsWriter.EachReplica, sp.GetRequiredService<ResourceNotificationService>()));
        var prometheus = new LocalPrometheusResource(name, LocalTools.Prometheus(), folder);
        return builder.AddResource(prometheus)
            .WithHttpEndpoint(port: builder.ExecutionContext.IsRunMode ? PrometheusPort : null, name: EndpointName)
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

    /// <summary>A folder of this checkout's <c>deploy/</c> (the AppHost's sibling folder), <c>deploy/prometheus</c> by default.</summary>
    internal static string DeployDirectory(IDistributedApplicationBuilder builder, string part = "prometheus") =>
        Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", "deploy", part));

    private static string[] Jobs(IResourceBuilder<ProjectResource>[] scraped) => [.. scraped.Select(resource => resource.Resource.Name)];

    /// <summary>Where the rendered <c>prometheus.yml</c> and the target files live: the state folder.</summary>
    private static string RenderedFolder(IDistributedApplicationBuilder builder)
    {
        var folder = Path.Combine(builder.GetLocalStateDirectory(), "prometheus");
        Directory.CreateDirectory(Path.Combine(folder, "targets"));
        return folder;
    }
}
