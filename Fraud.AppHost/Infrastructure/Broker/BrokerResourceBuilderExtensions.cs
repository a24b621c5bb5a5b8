using System.Reflection;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Fraud.AppHost.Infrastructure;

/// <summary>A topic the system needs, declared on the broker resource.</summary>
public sealed record KafkaTopicAnnotation(string Name, int Partitions) : IResourceAnnotation;

public static class BrokerExtensions
{
    /// <summary>
    /// The Kafka-protocol broker. Its connection string is the bootstrap address, the same in both modes:
    /// Redpanda in a container, or Fraud.LocalKafka (librdkafka's mock cluster) as a local process.
    /// It is healthy once it answers metadata for every declared topic with the declared partition count.
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddFraudBroker(
        this IDistributedApplicationBuilder builder, string name, InfraMode mode)
    {
        int? hostPort = builder.ExecutionContext.IsRunMode ? 9092 : null;
        IResourceBuilder<IResourceWithConnectionString> broker = mode == InfraMode.Containers
            ? builder.AddRedpanda(name, hostPort)
            : builder.AddLocalKafka(name, hostPort);

        var healthCheck = $"{name}_check";
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            healthCheck, _ => new KafkaReadinessCheck(broker.Resource), HealthStatus.Unhealthy, tags: null, timeout: TimeSpan.FromSeconds(10)));
        return broker.WithHealthCheck(healthCheck);
    }

    public static IResourceBuilder<IResourceWithConnectionString> WithTopic(
        this IResourceBuilder<IResourceWithConnectionString> broker, string name, int partitions = 1) =>
        broker.WithAnnotation(new KafkaTopicAnnotation(name, partitions));

    private static IResourceBuilder<RedpandaResource> AddRedpanda(this IDistributedApplicationBuilder builder, string name, int? hostPort)
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

    private static IResourceBuilder<LocalKafkaResource> AddLocalKafka(this IDistributedApplicationBuilder builder, string name, int? hostPort)
    {
        var localKafka = new LocalKafkaResource(name, LocalKafkaResource.LocateAssembly(), builder.GetLocalStateDirectory());
        return builder.AddResource(localKafka)
            .WithEndpoint(port: hostPort, name: LocalKafkaResource.EndpointName, scheme: "tcp")
            .WithArgs(context =>
            {
                var endpoint = localKafka.PrimaryEndpoint;
                context.Args.Add(localKafka.AssemblyPath);
                context.Args.Add("--port");
                context.Args.Add(endpoint.Property(EndpointProperty.TargetPort));
                // Clients bootstrap through the proxied port; the broker must advertise that same address.
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

/// <summary>
/// Fraud.LocalKafka (librdkafka's mock cluster behind a TCP port) as a local process, for machines with no
/// container runtime. Memory only; the topics are created at start from the resource's topic annotations.
/// </summary>
public sealed class LocalKafkaResource(string name, string assemblyPath, string workingDirectory)
    : ExecutableResource(name, "dotnet", workingDirectory), IResourceWithConnectionString
{
    internal const string EndpointName = "tcp";

    internal string AssemblyPath => assemblyPath;
    internal EndpointReference PrimaryEndpoint => new(this, EndpointName);

    // 127.0.0.1, not localhost: librdkafka tries IPv6 first and the proxy listens on IPv4 only.
    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"{PrimaryEndpoint.Property(EndpointProperty.IPV4Host)}:{PrimaryEndpoint.Property(EndpointProperty.Port)}");

    /// <summary>The AppHost builds Fraud.LocalKafka (a project reference) in its own configuration.</summary>
    internal static string LocateAssembly()
    {
        var configuration = typeof(LocalKafkaResource).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var projectDirectory = Path.GetDirectoryName(new Projects.Fraud_LocalKafka().ProjectPath)!;
        var assembly = Path.Combine(projectDirectory, "bin", configuration, "net10.0", "Fraud.LocalKafka.dll");
        return File.Exists(assembly)
            ? assembly
            : throw new DistributedApplicationException($"{assembly} is missing: build the AppHost first (dotnet build Fraud.AppHost).");
    }
}

/// <summary>
/// Ready = the broker answers metadata and every declared topic exists with its declared partition count.
/// Redpanda creates missing topics here (the local broker pre-creates them at start instead: the mock
/// cluster has no CreateTopics handler).
/// </summary>
internal sealed class KafkaReadinessCheck(IResourceWithConnectionString broker) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var bootstrap = await broker.ConnectionStringExpression.GetValueAsync(cancellationToken);
        if (string.IsNullOrEmpty(bootstrap))
        {
            return HealthCheckResult.Unhealthy("no bootstrap address yet");
        }
        var topics = broker.Annotations.OfType<KafkaTopicAnnotation>().ToList();
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap, SocketTimeoutMs = 3000 })
            .SetLogHandler((_, _) => { }) // a failure is this check's result; librdkafka would repeat it on stderr every retry
            .Build();
        try
        {
            var metadata = await Task.Run(() => admin.GetMetadata(TimeSpan.FromSeconds(3)), cancellationToken);
            var missing = topics.Where(t => !metadata.Topics.Any(m => m.Topic == t.Name && m.Error.Code == ErrorCode.NoError)).ToList();
            if (missing.Count > 0 && broker is RedpandaResource)
            {
                await CreateTopicsAsync(admin, missing);
                return HealthCheckResult.Unhealthy($"created topics {string.Join(", ", missing.Select(t => t.Name))}");
            }
            if (missing.Count > 0)
            {
                return HealthCheckResult.Unhealthy($"topics missing: {string.Join(", ", missing.Select(t => t.Name))}");
            }
            var wrong = topics.Where(t => metadata.Topics.Single(m => m.Topic == t.Name).Partitions.Count != t.Partitions).ToList();
            return wrong.Count == 0
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"partition count differs for {string.Join(", ", wrong.Select(t => t.Name))}");
        }
        catch (KafkaException ex)
        {
            return HealthCheckResult.Unhealthy($"broker {bootstrap} not answering: {ex.Error.Reason}");
        }
    }

    private static async Task CreateTopicsAsync(IAdminClient admin, IEnumerable<KafkaTopicAnnotation> topics)
    {
        try
        {
            await admin.CreateTopicsAsync(topics.Select(t => new TopicSpecification
            {
                Name = t.Name,
                NumPartitions = t.Partitions,
                ReplicationFactor = 1,
            }));
        }
        catch (CreateTopicsException ex) when (ex.Results.All(r => r.Error.Code is ErrorCode.NoError or ErrorCode.TopicAlreadyExists))
        {
            // Another check got there first.
        }
    }
}
