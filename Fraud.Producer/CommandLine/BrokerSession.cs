using Confluent.Kafka;
using Fraud.Messaging;
using Fraud.Producer.Publishing;

namespace Fraud.Producer.CommandLine;

/// <summary>
/// A verb's connection to the broker: a <see cref="KafkaPublisher"/> over <c>KafkaClientFactory</c>'s producer
/// (idempotent, lz4), tuned for throughput, with the client's warnings on standard error.
/// </summary>
internal sealed class BrokerSession : IDisposable
{
    /// <summary>Where a broker is when neither <c>--bootstrap</c> nor <c>ConnectionStrings__kafka</c> says: <c>./run.sh</c>'s.</summary>
    public const string DefaultBootstrap = "127.0.0.1:9092";

    private readonly ILoggerFactory _loggers;
    private readonly KafkaClientFactory _factory;

    private BrokerSession(string bootstrapServers, IConfiguration configuration)
    {
        _loggers = LoggerFactory.Create(logging => logging
            .SetMinimumLevel(LogLevel.Warning)
            .AddSimpleConsole(console => console.SingleLine = true)
            .AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace));
        _factory = new KafkaClientFactory(bootstrapServers, configuration.GetSection("Kafka"), _loggers);
        Publisher = new KafkaPublisher(_factory.CreateProducer<string, byte[]>(config =>
        {
            // Bigger, fuller batches than a service's default: a verb is about throughput, not latency.
            config.LingerMs = 50;
            config.BatchSize = 1_000_000;
            config.BatchNumMessages = 100_000;
            config.QueueBufferingMaxMessages = 1_000_000;
            // Give up on a message after 30 s rather than librdkafka's 5 minutes: a verb should end.
            config.MessageTimeoutMs = 30_000;
            // Delivery reports only count successes and failures: copying key, value and headers back is wasted work.
            config.DeliveryReportFields = "none";
        }));
    }

    public string BootstrapServers => _factory.BootstrapServers;

    public KafkaPublisher Publisher { get; }

    /// <summary>Connects, or explains on standard error why not.</summary>
    /// <param name="bootstrap">The <c>--bootstrap</c> value, if given.</param>
    /// <returns>The session, or null when no broker answers at the address.</returns>
    public static BrokerSession? Open(string? bootstrap)
    {
        // The same sources a service reads: ConnectionStrings__kafka, and Kafka__Producer__<setting> overrides.
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
        string bootstrapServers = bootstrap ?? configuration.GetConnectionString("kafka") ?? DefaultBootstrap;
        if (Unreachable(bootstrapServers) is { } reason)
        {
            Console.Error.WriteLine(
                $"No broker answers at {bootstrapServers} ({reason}). Start the system (./run.sh) or pass --bootstrap / set ConnectionStrings__kafka.");
            return null;
        }

        return new BrokerSession(bootstrapServers, configuration);
    }

    /// <summary>Why a metadata request fails, or null when the broker answers. The probe's own retries are not logged: the reason says it.</summary>
    private static string? Unreachable(string bootstrapServers)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrapServers })
            .SetLogHandler((_, _) => { })
            .SetErrorHandler((_, _) => { })
            .Build();
        try
        {
            admin.GetMetadata(TimeSpan.FromSeconds(5));
            return null;
        }
        catch (KafkaException exception)
        {
            return exception.Error.Reason;
        }
    }

    public void Dispose()
    {
        Publisher.Dispose();
        _loggers.Dispose();
    }
}
