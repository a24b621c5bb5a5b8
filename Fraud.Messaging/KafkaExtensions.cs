using Confluent.Kafka;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Fraud.Messaging;

/// <summary>
/// Kafka client wiring from a connection string that holds the bootstrap servers (as the AppHost's broker
/// resource provides it). librdkafka settings can be overridden per service under <c>Kafka:Producer</c> and
/// <c>Kafka:Consumer</c>, using librdkafka's own names (e.g. <c>Kafka:Consumer:session.timeout.ms</c>).
/// </summary>
public static class KafkaExtensions
{
    public static IHostApplicationBuilder AddKafkaClients(this IHostApplicationBuilder builder, string connectionName)
    {
        var bootstrapServers = builder.Configuration.GetConnectionString(connectionName)
            ?? throw new InvalidOperationException(
                $"Connection string '{connectionName}' is missing: set ConnectionStrings__{connectionName} to the broker's bootstrap servers.");

        builder.Services.AddSingleton(sp => new KafkaClientFactory(
            bootstrapServers,
            builder.Configuration.GetSection("Kafka"),
            sp.GetRequiredService<ILoggerFactory>()));
        // One long-lived check (and admin client); a registration factory would build one per probe.
        builder.Services.AddSingleton<KafkaHealthCheck>();
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            connectionName,
            sp => sp.GetRequiredService<KafkaHealthCheck>(),
            HealthStatus.Unhealthy,
            tags: ["kafka"],
            timeout: TimeSpan.FromSeconds(5)));
        return builder;
    }
}

/// <summary>Builds producers, consumers and admin clients that share one bootstrap address and logging.</summary>
public sealed class KafkaClientFactory(string bootstrapServers, IConfigurationSection settings, ILoggerFactory loggerFactory)
{
    private readonly ILogger _logger = loggerFactory.CreateLogger("Confluent.Kafka");

    public string BootstrapServers => bootstrapServers;

    /// <summary>Idempotent, acknowledged by all in-sync replicas, lightly batched.</summary>
    public IProducer<TKey, TValue> CreateProducer<TKey, TValue>(Action<ProducerConfig>? configure = null)
    {
        var config = new ProducerConfig
        {
            BootstrapServers = bootstrapServers,
            Acks = Acks.All,
            EnableIdempotence = true,
            LingerMs = 5,
            CompressionType = CompressionType.Lz4,
        };
        configure?.Invoke(config);
        ApplyOverrides(config, "Producer");
        return new ProducerBuilder<TKey, TValue>(config)
            .SetLogHandler((_, message) => Log(message))
            .SetErrorHandler((_, error) => LogError(error))
            .Build();
    }

    /// <summary>Manual commits, start from the earliest offset for a new group, cooperative rebalancing.</summary>
    public ConsumerBuilder<TKey, TValue> CreateConsumerBuilder<TKey, TValue>(string groupId, Action<ConsumerConfig>? configure = null) =>
        CreateConsumerBuilder<TKey, TValue>(CreateConsumerConfig(groupId, configure));

    public ConsumerBuilder<TKey, TValue> CreateConsumerBuilder<TKey, TValue>(ConsumerConfig config) =>
        new ConsumerBuilder<TKey, TValue>(config)
            .SetLogHandler((_, message) => Log(message))
            .SetErrorHandler((_, error) => LogError(error));

    /// <summary>The settings <see cref="CreateConsumerBuilder{TKey,TValue}(string,Action{ConsumerConfig}?)"/> uses, overrides applied.</summary>
    public ConsumerConfig CreateConsumerConfig(string groupId, Action<ConsumerConfig>? configure = null)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = groupId,
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky,
        };
        configure?.Invoke(config);
        ApplyOverrides(config, "Consumer");
        return config;
    }

    public IAdminClient CreateAdminClient() =>
        new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrapServers })
            .SetLogHandler((_, message) => Log(message))
            .Build();

    private void ApplyOverrides(ClientConfig config, string section)
    {
        foreach (var setting in settings.GetSection(section).AsEnumerable(makePathsRelative: true))
        {
            if (setting.Value is not null)
            {
                config.Set(setting.Key, setting.Value);
            }
        }
    }

    private void Log(LogMessage message)
    {
        var level = message.Level switch
        {
            SyslogLevel.Emergency or SyslogLevel.Alert or SyslogLevel.Critical or SyslogLevel.Error => LogLevel.Error,
            SyslogLevel.Warning => LogLevel.Warning,
            SyslogLevel.Notice or SyslogLevel.Info => LogLevel.Information,
            _ => LogLevel.Debug,
        };
        _logger.Log(level, "librdkafka {Facility} {Client}: {Message}", message.Facility, message.Name, message.Message);
    }

    // Most client errors are transient (the client reconnects by itself); fatal ones end the client.
    private void LogError(Error error) =>
        _logger.Log(error.IsFatal ? LogLevel.Critical : LogLevel.Warning,
            "Kafka client error {Code}: {Reason}", error.Code, error.Reason);
}

/// <summary>Healthy when the broker answers a metadata request.</summary>
internal sealed class KafkaHealthCheck(KafkaClientFactory factory) : IHealthCheck, IDisposable
{
    private readonly Lazy<IAdminClient> _admin = new(factory.CreateAdminClient);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            // GetMetadata blocks; keep it off the request thread.
            var metadata = await Task.Run(() => _admin.Value.GetMetadata(TimeSpan.FromSeconds(3)), cancellationToken);
            return metadata.Brokers.Count > 0
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("the broker reported no brokers");
        }
        catch (KafkaException ex)
        {
            return HealthCheckResult.Unhealthy($"broker {factory.BootstrapServers} unreachable: {ex.Error.Reason}");
        }
    }

    public void Dispose()
    {
        if (_admin.IsValueCreated)
        {
            _admin.Value.Dispose();
        }
    }
}
