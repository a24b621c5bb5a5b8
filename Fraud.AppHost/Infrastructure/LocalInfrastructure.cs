using Fraud.AppHost.Infrastructure.Broker;
using Fraud.AppHost.Infrastructure.Postgres;
using Fraud.AppHost.Infrastructure.Prometheus;
using Fraud.AppHost.Infrastructure.Redis;

namespace Fraud.AppHost.Infrastructure;

/// <summary>
/// Plain local processes for a machine with no container runtime: Fraud.LocalKafka as the broker, Debian's postgres,
/// redis-server and prometheus, their state in the AppHost's state folder (<see cref="LocalState"/>). No Grafana: it has
/// no Debian package (Prometheus's own UI and the Aspire dashboard remain).
/// </summary>
public sealed class LocalInfrastructure(IDistributedApplicationBuilder builder) : IFraudInfrastructure
{
    public IDistributedApplicationBuilder Builder => builder;

    public IResourceBuilder<IResourceWithConnectionString> AddBroker(string name) =>
        builder.AddLocalKafka(name, builder.ExecutionContext.IsRunMode ? BrokerResourceBuilderExtensions.HostPort : null)
            .WithKafkaReadinessCheck(createMissingTopics: false);

    public FraudDatabase AddDatabase(string server, string database) => builder.AddLocalPostgresDatabase(server, database);

    public IResourceBuilder<IResourceWithConnectionString> AddRedis(string name) => builder.AddLocalRedis(name);

    public IResourceBuilder<IResourceWithEndpoints>? AddPrometheus(string name, params IResourceBuilder<ProjectResource>[] scraped) =>
        builder.AddLocalPrometheus(name, scraped);

    public IResourceBuilder<ContainerResource>? AddGrafana(string name, IResourceBuilder<IResourceWithEndpoints>? prometheus) => null;
}
