using Fraud.AppHost.Infrastructure.Postgres;

namespace Fraud.AppHost.Infrastructure;

/// <summary>
/// Declares the infrastructure the services use, in one form for the whole run: container images
/// (<see cref="ContainerInfrastructure"/>) or local processes (<see cref="LocalInfrastructure"/>), chosen once by
/// <see cref="InfraModeExtensions.ChooseInfrastructure"/>. The services cannot tell the difference: the connection
/// strings have the same shape.
/// </summary>
public interface IFraudInfrastructure
{
    IDistributedApplicationBuilder Builder { get; }

    /// <summary>The Kafka-protocol broker; its connection string is the bootstrap address. Healthy once every declared topic exists.</summary>
    IResourceBuilder<IResourceWithConnectionString> AddBroker(string name);

    /// <summary>A Postgres server <paramref name="server"/> with the database <paramref name="database"/>, as its owner.</summary>
    FraudDatabase AddDatabase(string server, string database);

    /// <summary>Redis, with a password.</summary>
    IResourceBuilder<IResourceWithConnectionString> AddRedis(string name);

    /// <summary>Prometheus scraping every instance of <paramref name="scraped"/>; null where none is declared.</summary>
    IResourceBuilder<IResourceWithEndpoints>? AddPrometheus(string name, params IResourceBuilder<ProjectResource>[] scraped);

    /// <summary>Grafana on <paramref name="prometheus"/>; null where none is declared.</summary>
    IResourceBuilder<ContainerResource>? AddGrafana(string name, IResourceBuilder<IResourceWithEndpoints>? prometheus);
}
