using Fraud.Messaging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Fraud.AppHost.Infrastructure.Broker;

/// <summary>
/// The Kafka-protocol broker in either form; its connection string is the bootstrap address, the same in both.
/// </summary>
public static class BrokerResourceBuilderExtensions
{
    /// <summary>The port host processes reach the broker on in run mode (the seed's).</summary>
    public const int HostPort = 9092;

    /// <summary>Declares <paramref name="topic"/>, with its own partition count unless <paramref name="partitions"/> says otherwise.</summary>
    public static IResourceBuilder<T> WithTopic<T>(this IResourceBuilder<T> broker, TopicDefinition topic, int? partitions = null)
        where T : IResourceWithConnectionString =>
        broker.WithAnnotation(new KafkaTopicAnnotation(topic.Name, partitions ?? topic.Partitions));

    /// <summary>Healthy once the broker answers metadata for every declared topic with the declared partition count.</summary>
    public static IResourceBuilder<T> WithKafkaReadinessCheck<T>(this IResourceBuilder<T> broker, bool createMissingTopics)
        where T : IResourceWithConnectionString
    {
        var healthCheck = $"{broker.Resource.Name}_check";
        broker.ApplicationBuilder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            healthCheck, _ => new KafkaReadinessCheck(broker.Resource, createMissingTopics), HealthStatus.Unhealthy, tags: null, timeout: TimeSpan.FromSeconds(10)));
        return broker.WithHealthCheck(healthCheck);
    }

    /// <summary>Redpanda in a container: its Kafka port is the connection string; host processes reach it on <paramref name="hostPort"/>.</summary>
    public static IResourceBuilder<RedpandaResource> AddRedpanda(this IDistributedApplicationBuilder builder, string name, int? hostPort)
    {
        var redpanda = new RedpandaResource(name);
        var container = builder.AddResource(redpanda)
            .WithImage(RedpandaResource.Image, RedpandaResource.Tag)
            .WithImageRegistry(RedpandaResource.Registry)
            .WithEndpoint(port: hostPort, targetPort: RedpandaResource.ExternalKafkaPort, name: RedpandaResource.KafkaEndpointName, scheme: "tcp")
            .WithEndpoint(targetPort: RedpandaResource.InternalKafkaPort, name: RedpandaResource.InternalEndpointName, scheme: "tcp");
        if (!builder.PublishesFor(PublishTarget.AzureContainerApps))
        {
            // An Azure container app has one ingress transport: an HTTP admin port would become the main (HTTP)
            // ingress of a Kafka broker. Nothing of ours uses it (readiness is a Kafka metadata request).
            container.WithHttpEndpoint(targetPort: RedpandaResource.AdminPort, name: RedpandaResource.AdminEndpointName);
        }
        return container
            .WithArgs(context =>
            {
                var kafka = redpanda.KafkaEndpoint;
                context.Args.Add("redpanda");
                context.Args.Add("start");
                context.Args.Add("--mode=dev-container");
                context.Args.Add("--smp=1");
                context.Args.Add($"--kafka-addr=internal://0.0.0.0:{RedpandaResource.InternalKafkaPort},external://0.0.0.0:{RedpandaResource.ExternalKafkaPort}");
                // Host processes reach the broker through the published port, so that is what it must advertise.
                context.Args.Add(ReferenceExpression.Create(
                    $"--advertise-kafka-addr=internal://{name}:{RedpandaResource.InternalKafkaPort.ToString()},external://{kafka.Property(EndpointProperty.IPV4Host)}:{kafka.Property(EndpointProperty.Port)}"));
            })
            .WithVolume($"{name}-data", "/var/lib/redpanda/data");
    }

    /// <summary>Fraud.LocalKafka as a local process, creating the declared topics at start.</summary>
    public static IResourceBuilder<LocalKafkaResource> AddLocalKafka(this IDistributedApplicationBuilder builder, string name, int? hostPort)
    {
        var localKafka = new LocalKafkaResource(name, LocalKafkaResource.LocateAssembly(), builder.GetLocalStateDirectory());
        return builder.AddResource(localKafka)
            .WithLocalTcpEndpoint(LocalKafkaResource.EndpointName, hostPort)
            .WithArgs(context =>
            {
                var endpoint = localKafka.PrimaryEndpoint;
                context.Args.Add(localKafka.AssemblyPath);
                context.Args.Add("--port");
                context.Args.Add(endpoint.Property(EndpointProperty.TargetPort));
                // Clients bootstrap at the endpoint's port (DCP's proxy in `run`); the broker must advertise that same address.
                context.Args.Add("--advertised-host");
                context.Args.Add("127.0.0.1");
                context.Args.Add("--advertised-port");
                context.Args.Add(endpoint.Property(EndpointProperty.Port));
                foreach (var topic in localKafka.Annotations.OfType<KafkaTopicAnnotation>())
                {
                    context.Args.Add("--topic");
                    context.Args.Add($"{topic.Name}:{topic.Partitions}");
                }
            });
    }
}
