using Fraud.Core.Detection;
using Fraud.Detector.Pipeline;
using Fraud.Detector.Sinks;

namespace Fraud.Detector;

internal static class DetectorExtensions
{
    public static IHostApplicationBuilder AddDetector(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DetectorOptions>()
            .Bind(builder.Configuration.GetSection(DetectorOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton(sp => new AmountThresholdDetector(
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<DetectorOptions>>().Value.AmountThreshold));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<DetectorMetrics>();
        builder.Services.AddSingleton(sp => sp.GetRequiredService<KafkaClientFactory>().CreateProducer<string?, byte[]>());
        builder.Services.AddSingleton<DeadLetterPublisher>();
        builder.Services.AddSingleton<PostgresAlertStore>();
        builder.Services.AddSingleton<RedisAlertCache>();
        builder.Services.AddSingleton<AlertSink>();
        builder.Services.AddHostedService<TransactionConsumer>();
        return builder;
    }
}
