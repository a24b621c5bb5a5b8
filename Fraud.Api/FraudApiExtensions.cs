using Fraud.Api.Alerts;
using Fraud.Api.Feedback;
using Fraud.Api.Rules;
using Fraud.Api.Stats;
using Fraud.Api.Streaming;

namespace Fraud.Api;

internal static class FraudApiExtensions
{
    /// <summary>The API's own services and its JSON: snake_case names, alerts in the seed's shape.</summary>
    public static WebApplicationBuilder AddFraudApi(this WebApplicationBuilder builder)
    {
        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower;
            json.SerializerOptions.Converters.Add(new AlertJsonConverter());
        });
        builder.Services.AddSingleton<AlertQueries>();
        builder.Services.AddSingleton<FeedbackStore>();
        builder.Services.AddSingleton<RuleSetStore>();
        builder.Services.AddSingleton<StatsQueries>();
        builder.Services.AddSingleton<AlertStream>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<AlertStream>());
        return builder;
    }
}
