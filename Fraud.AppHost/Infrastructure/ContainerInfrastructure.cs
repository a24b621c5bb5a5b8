using Fraud.AppHost.Infrastructure.Broker;
using Fraud.AppHost.Infrastructure.Grafana;
using Fraud.AppHost.Infrastructure.Postgres;
using Fraud.AppHost.Infrastructure.Prometheus;

namespace Fraud.AppHost.Infrastructure;

/// <summary>
/// Redpanda, Postgres, Redis, Prometheus and Grafana images: where a container runtime is healthy, and what publishing
/// describes. For Azure Container Apps no Prometheus (nor Grafana) is published: azd ignores bind-mounted folders
/// unless its alpha "azd operations" is on, and the services' ports are behind the apps' ingress there (docs/deploy.md).
/// </summary>
public sealed class ContainerInfrastructure(IDistributedApplicationBuilder builder) : IFraudInfrastructure
{
    public IDistributedApplicationBuilder Builder => builder;

    public IResourceBuilder<IResourceWithConnectionString> AddBroker(string name) =>
        builder.AddRedpanda(name, builder.ExecutionContext.IsRunMode ? BrokerResourceBuilderExtensions.HostPort : null)
            .WithKafkaReadinessCheck(createMissingTopics: true);

    public FraudDatabase AddDatabase(string server, string database) => builder.AddPostgresContainerDatabase(server, database);

    /// <summary>The official image with its data on a volume: the detectors' per-user state survives a restart.</summary>
    public IResourceBuilder<IResourceWithConnectionString> AddRedis(string name) => builder.AddRedis(name).WithDataVolume();

    public IResourceBuilder<IResourceWithEndpoints>? AddPrometheus(string name, params IResourceBuilder<ProjectResource>[] scraped) =>
        builder.PublishesFor(PublishTarget.AzureContainerApps) ? null : builder.AddPrometheusContainer(name, scraped);

    public IResourceBuilder<ContainerResource>? AddGrafana(string name, IResourceBuilder<IResourceWithEndpoints>? prometheus) =>
        prometheus is null ? null : builder.AddGrafana(name, prometheus);
}
