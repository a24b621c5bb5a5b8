using Fraud.Api.Alerts;
using Fraud.Api.Feedback;
using Fraud.Api.Labels;
using Fraud.Api.Models;
using Fraud.Api.Rules;
using Fraud.Api.Stats;
using Fraud.Api.Streaming;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Fraud.Api;

internal static class FraudApiExtensions
{
    /// <summary>
    /// The API's own services and its JSON: snake_case names, alerts in the seed's shape. The API alone writes the
    /// <c>models</c> and <c>rule_sets</c> of the database <paramref name="connectionName"/>; one replica, holding an advisory
    /// lock there (<see cref="TrainingLeadership"/>), trains on the schedule and stores the model and rules files.
    /// </summary>
    public static WebApplicationBuilder AddFraudApi(this WebApplicationBuilder builder, string connectionName)
    {
        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower;
            json.SerializerOptions.Converters.Add(new AlertJsonConverter());
        });
        builder.Services.AddSingleton<AlertQueries>();
        builder.Services.AddSingleton<FeedbackStore>();
        builder.Services.AddSingleton<FeedbackMetrics>();
        builder.Services.AddSingleton<AlertHotCopy>();
        builder.Services.AddSingleton<RuleSetStore>();
        builder.Services.AddSingleton<ModelStore>();
        builder.Services.AddOptions<TrainingOptions>()
            .Bind(builder.Configuration.GetSection(TrainingOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ModelTrainer>();
        builder.Services.AddSingleton<TrainingMetrics>();
        builder.Services.AddSingleton(sp => ActivatorUtilities.CreateInstance<TrainingLeadership>(sp, connectionName));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<TrainingLeadership>());
        builder.Services.AddHostedService<DetectionFileImport>();
        builder.Services.AddSingleton<LabelStore>();
        builder.Services.AddSingleton<LabelsMetrics>();
        builder.Services.AddSingleton<ClassifierTrainer>();
        builder.Services.AddHostedService<LabelsConsumer>();
        builder.Services.AddHostedService<ScheduledTraining>();
        builder.Services.AddSingleton<StatsQueries>();
        builder.Services.AddSingleton<AlertStream>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<AlertStream>());
        return builder;
    }
}
