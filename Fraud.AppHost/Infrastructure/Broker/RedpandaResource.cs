namespace Fraud.AppHost.Infrastructure.Broker;

/// <summary>Redpanda, the production broker, as a container with an internal and an external listener.</summary>
public sealed class RedpandaResource(string name) : ContainerResource(name), IResourceWithConnectionString
{
    internal const string Registry = "docker.redpanda.com";
    internal const string Image = "redpandadata/redpanda";
    internal const string Tag = "v23.3.10";
    internal const string KafkaEndpointName = "kafka";
    internal const string InternalEndpointName = "internal";
    internal const string AdminEndpointName = "admin";
    internal const int ExternalKafkaPort = 9092;
    internal const int InternalKafkaPort = 9093;
    internal const int AdminPort = 9644;

    internal EndpointReference KafkaEndpoint => new(this, KafkaEndpointName);

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"{KafkaEndpoint.Property(EndpointProperty.IPV4Host)}:{KafkaEndpoint.Property(EndpointProperty.Port)}");
}
