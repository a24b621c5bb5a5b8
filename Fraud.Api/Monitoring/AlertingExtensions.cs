using Microsoft.Extensions.Options;

namespace Fraud.Api.Monitoring;

internal static class AlertingExtensions
{
    /// <summary>
    /// The anomaly-rate alarm (<see cref="AnomalyRateMonitor"/>) and its webhooks (<see cref="WebhookNotifier"/>), sent by
    /// one replica: the one that holds an advisory lock in the database <paramref name="connectionName"/> (<see cref="WebhookLeadership"/>).
    /// </summary>
    public static WebApplicationBuilder AddAnomalyAlerting(this WebApplicationBuilder builder, string connectionName)
    {
        builder.Services.AddOptions<AlertingOptions>()
            .Bind(builder.Configuration.GetSection(AlertingOptions.Section))
            .PostConfigure(AlertingOptions.MergeWebhookUrls)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<AlertingOptions>, AlertingOptionsValidation>();
        builder.Services.AddSingleton<AlertingMetrics>();
        // The notifier retries with its own backoff and counts every failure; the default resilience handler would
        // retry underneath it and hide attempts. (RemoveAllResilienceHandlers is marked experimental; it is the
        // documented way to opt one client out of ConfigureHttpClientDefaults' handler.)
#pragma warning disable EXTEXP0001
        builder.Services.AddHttpClient(WebhookNotifier.HttpClientName).RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        builder.Services.AddSingleton(sp => ActivatorUtilities.CreateInstance<WebhookLeadership>(sp, connectionName));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<WebhookLeadership>());
        builder.Services.AddSingleton<WebhookNotifier>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<WebhookNotifier>());
        builder.Services.AddHostedService<AnomalyRateMonitor>();
        return builder;
    }
}
