using Fraud.Detector.Detection;
using Fraud.Detector.Health;
using Fraud.Detector.Merchants;
using Fraud.Detector.Pipeline;
using Fraud.Detector.Sampling;
using Fraud.Detector.Sinks;
using Fraud.Detector.State;
using Fraud.Messaging;

namespace Fraud.Detector;

internal static class DetectorExtensions
{
    public static IHostApplicationBuilder AddDetector(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DetectorOptions>()
            .Bind(builder.Configuration.GetSection(DetectorOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<DetectorMetrics>();
        builder.Services.AddSingleton<SinkHealth>();
        builder.Services.AddSingleton<RuleSetTable>();
        builder.Services.AddSingleton<ModelTable>();
        builder.Services.AddSingleton<DetectionProfileSource>();
        builder.Services.AddHealthChecks()
            .AddCheck<DetectionProfileSource>("detection-files")
            .AddCheck<SinkHealth>("sinks");

        // The detector awaits every alert and dead letter before it commits, so a linger would only delay the commit;
        // messages queued together still travel together.
        builder.Services.AddSingleton(sp => sp.GetRequiredService<KafkaClientFactory>().CreateProducer<string?, byte[]>(config => config.LingerMs = 0));
        builder.Services.AddSingleton<Retry>();
        builder.Services.AddSingleton<DeadLetterPublisher>();
        builder.Services.AddSingleton<PostgresAlertStore>();
        builder.Services.AddSingleton<RedisAlertCache>();
        builder.Services.AddSingleton<AlertSink>();
        builder.Services.AddSingleton<UserStateCheckpoint>();
        builder.Services.AddSingleton<TrainingSampleStore>();
        builder.Services.AddSingleton<TrainingSampler>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<TrainingSampler>());
        builder.Services.AddSingleton<MerchantCountStore>();
        builder.Services.AddSingleton<MerchantRiskSource>();
        builder.Services.AddSingleton<BatchProcessor>();

        // Hosted services start in order: the profile (and a bootstrap model) is loaded before consumption begins.
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DetectionProfileSource>());
        builder.Services.AddHostedService<TransactionConsumer>();
        return builder;
    }
}
