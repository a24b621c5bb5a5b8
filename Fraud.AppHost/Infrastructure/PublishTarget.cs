namespace Fraud.AppHost.Infrastructure;

/// <summary>
/// Where a published manifest is deployed. azd (azure.yaml) runs the publisher with no arguments, so Azure Container
/// Apps is the default; deploy/Fraud.Deploy asks for <c>--Publish:Target=kubernetes</c>. The two differ where Azure
/// Container Apps cannot do what a cluster can (docs/deploy.md): its volumes are Azure Files shares (SMB), its ingress
/// has one transport per app and maps plain HTTP to port 80, and azd uploads bind-mounted folders only behind an
/// alpha feature.
/// </summary>
public enum PublishTarget
{
    AzureContainerApps,
    Kubernetes,
}

public static class PublishTargetExtensions
{
    /// <summary>True only while publishing a manifest for <paramref name="target"/> (never in run mode).</summary>
    public static bool PublishesFor(this IDistributedApplicationBuilder builder, PublishTarget target) =>
        builder.ExecutionContext.IsPublishMode && builder.ResolvePublishTarget() == target;

    /// <summary>
    /// Publishing for Azure with <c>Postgres:Managed=true</c>: the services use a database the operator provides
    /// (Azure Database for PostgreSQL), whose connection string azd asks for as the secret parameter <c>fraud</c>,
    /// instead of a Postgres container.
    /// </summary>
    public static bool PublishesManagedPostgres(this IDistributedApplicationBuilder builder) =>
        builder.PublishesFor(PublishTarget.AzureContainerApps)
        && bool.TryParse(builder.Configuration["Postgres:Managed"], out bool managed) && managed;

    /// <summary>
    /// The HTTP endpoint of a service. Run mode: the seed's fixed local port (proxied). Azure: the port the container
    /// listens on; azd maps the app's ingress (80/443) to it and refuses any other public port for HTTP. Kubernetes:
    /// the Service's port, as in run mode.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithServiceHttpPort(this IResourceBuilder<ProjectResource> service, int port) =>
        service.ApplicationBuilder.PublishesFor(PublishTarget.AzureContainerApps)
            ? service.WithHttpEndpoint(targetPort: port)
            : service.WithHttpEndpoint(port: port);

    private static PublishTarget ResolvePublishTarget(this IDistributedApplicationBuilder builder)
    {
        var configured = builder.Configuration["Publish:Target"] ?? "azure";
        return configured.Trim().ToLowerInvariant() switch
        {
            "azure" => PublishTarget.AzureContainerApps,
            "kubernetes" => PublishTarget.Kubernetes,
            _ => throw new DistributedApplicationException($"Publish:Target must be 'azure' or 'kubernetes', not '{configured}'."),
        };
    }
}
