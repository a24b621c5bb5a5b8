using System.Text.Json.Nodes;
using Fraud.Api.Security;
using Fraud.Core;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace Fraud.Api.Documentation;

/// <summary>
/// The OpenAPI document (<c>/openapi/v1.json</c>) and Scalar's interactive reference (<c>/scalar</c>), served
/// from this process only: Scalar's CDN fonts, telemetry, AI features and hosted developer tools are switched off.
/// </summary>
internal static class ApiDocumentation
{
    private const string ApiKeyScheme = "ApiKey";

    public static WebApplicationBuilder AddApiDocumentation(this WebApplicationBuilder builder)
    {
        builder.Services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "Fraud API";
                document.Info.Description = "Alerts raised by the Fraud detector, analyst feedback, statistics and a live stream. "
                    + "Errors are problem+json (RFC 9457). Writes need the API key in X-Api-Key.";
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[ApiKeyScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.ApiKey,
                    In = ParameterLocation.Header,
                    Name = ApiKeyAuthenticationHandler.HeaderName,
                    Description = "Required for writes (verdicts: an analyst or admin key; rules, models and keys: an admin key) and for reads "
                        + "unless the API runs in Development or with Api:RequireKeyForReads=false.",
                };
                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                var metadata = context.Description.ActionDescriptor.EndpointMetadata;
                bool readsNeedKey = context.ApplicationServices.GetRequiredService<ReadAccess>().NeedsKey;
                bool anonymous = metadata.OfType<Microsoft.AspNetCore.Authorization.IAllowAnonymous>().Any();
                // More than reading: a role (ApiAccess.Analyst, .Admin) or a policy of its own (GET /me needs a key by nature).
                bool beyondReads = metadata.OfType<ApiAccess>().Any(access => access != ApiAccess.Read)
                    || metadata.OfType<Microsoft.AspNetCore.Authorization.IAuthorizeData>().Any(data => data.Policy is { } policy && policy != ApiRoles.PolicyOf(ApiAccess.Read));
                if (!anonymous && (readsNeedKey || beyondReads))
                {
                    operation.Security ??= [];
                    operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKeyScheme, context.Document)] = [] });
                }
                return Task.CompletedTask;
            });
            options.AddSchemaTransformer((schema, context, _) =>
            {
                if (context.JsonTypeInfo.Type == typeof(Alert))
                {
                    DescribeAlert(schema);
                }
                return Task.CompletedTask;
            });
        });
        return builder;
    }

    public static WebApplication MapApiDocumentation(this WebApplication app)
    {
        // The description of the API holds no data: it stays readable without a key, so Scalar can load it.
        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference(options => options
            .WithTitle("Fraud API")
            .DisableDefaultFonts()
            .DisableTelemetry()
            .DisableAgent()
            .DisableMcp()
            .HideDeveloperTools())
            .AllowAnonymous();
        return app;
    }

    /// <summary>Alerts are written by <see cref="AlertJsonConverter"/>, which the schema generator cannot see into.</summary>
    private static void DescribeAlert(OpenApiSchema schema)
    {
        static OpenApiSchema Of(JsonSchemaType type, string description, string? format = null) =>
            new() { Type = type, Description = description, Format = format };

        schema.Type = JsonSchemaType.Object;
        schema.Description = "An alert in the seed's shape, as on the alerts.v1 topic.";
        schema.Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["tx_id"] = Of(JsonSchemaType.String, "The flagged transaction."),
            ["user_id"] = Of(JsonSchemaType.Integer, "Its card holder.", "int64"),
            ["amount"] = Of(JsonSchemaType.String, "Its amount, a decimal with two places, as a string."),
            ["location"] = Of(JsonSchemaType.String, "ISO-3166 alpha-2 country."),
            ["ts"] = Of(JsonSchemaType.String, "When the transaction happened (UTC).", "date-time"),
            ["score"] = Of(JsonSchemaType.Number | JsonSchemaType.Null, "Isolation Forest score in [-1, 0], lower is more anomalous; null when no model scored it."),
            ["reason"] = Of(JsonSchemaType.String, "Human-readable explanation, parts separated by '; '."),
            ["created_at"] = Of(JsonSchemaType.String, "When the alert was raised (UTC, milliseconds).", "date-time"),
            ["risk"] = Of(JsonSchemaType.Number, "Combined decision in [0, 1], higher is riskier."),
            ["rules"] = new OpenApiSchema { Type = JsonSchemaType.Array, Items = Of(JsonSchemaType.String, "A rule name."), Description = "Rules that fired." },
            ["model_version"] = Of(JsonSchemaType.String, "Version of the model that scored it; the rule set's when no model did."),
            ["rules_version"] = Of(JsonSchemaType.String | JsonSchemaType.Null, "Version of the rule set that took part in the decision; null when no rules did."),
            ["classifier_version"] = Of(JsonSchemaType.String | JsonSchemaType.Null, "Version of the supervised classifier (trained on analyst and simulator labels) that took part in the decision; null when none was active."),
            ["status"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Description = "Analyst workflow state.",
                Enum = [.. Alerts.AlertStatus.All.Select(status => (JsonNode)status)],
            },
        };
        schema.Required = new HashSet<string>(schema.Properties.Keys);
        schema.Examples = [JsonNode.Parse("""
            {"tx_id":"tx_1539","user_id":4405,"amount":"1881.22","location":"ES","ts":"2025-09-13T07:46:41.31435Z",
             "score":-0.767,"reason":"iforest_score=-0.767; threshold=-0.657","created_at":"2025-09-13T07:46:41.400Z",
             "risk":0.91,"rules":["amount_vs_user_history"],"model_version":"if-2025-09-13-01","status":"open",
             "rules_version":"rules-2025-09-13","classifier_version":"gb-2025-09-13-06-1a2b3c4d"}
            """)!];
    }
}
