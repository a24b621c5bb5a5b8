using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Fraud.Api.Security;

/// <summary>
/// Who may do what: API keys (<see cref="ApiKeyAuthenticationHandler"/>), one authorization policy per
/// <see cref="ApiAccess"/>, and reads guarded by default: the fallback policy is the read policy, so an endpoint that
/// declares nothing (the alerts, the stream, <c>/metrics</c>, one added tomorrow) follows it, and only the probes and
/// the API's own description opt out. Also CORS (closed unless origins are configured) and the request size limit.
/// </summary>
internal static class ApiSecurityExtensions
{
    private const string CorsPolicy = "configured-origins";

    /// <summary>Query parameters that look like a key: refused, since URLs end up in logs, histories and referrers.</summary>
    private static readonly string[] KeyLikeQueryParameters = ["api_key", "apikey", "api-key", "x-api-key", "key", "access_token", "token"];

    public static WebApplicationBuilder AddApiSecurity(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ApiOptions>()
            .Bind(builder.Configuration.GetSection(ApiOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        var reads = ReadAccess.From(builder.Configuration, builder.Environment);
        builder.Services.AddSingleton(reads);
        builder.Services.AddSingleton(PublicHosts.From(builder.Configuration, builder.Environment));
        builder.Services.AddSingleton<RefusalMetrics>();
        builder.Services.AddSingleton<ApiKeyStore>();
        builder.Services.AddSingleton<ApiKeyResolver>();
        builder.Services.AddSingleton<IValidateOptions<ApiOptions>, ApiOptionsValidation>();
        builder.Services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(ApiRoles.PolicyOf(ApiAccess.Read), ReadPolicy(reads))
            .AddPolicy(ApiRoles.PolicyOf(ApiAccess.Analyst), policy => policy.RequireRole(ApiRoles.Granting(ApiAccess.Analyst)))
            .AddPolicy(ApiRoles.PolicyOf(ApiAccess.Admin), policy => policy.RequireRole(ApiRoles.Granting(ApiAccess.Admin)))
            .AddPolicy(ApiKeyEndpoints.IdentifiedPolicy, policy => policy.RequireAuthenticatedUser())
            .SetFallbackPolicy(ReadPolicy(reads));

        builder.Services.Configure<KestrelServerOptions>(kestrel => kestrel.Limits.MaxRequestBodySize = ApiOptions.MaxRequestBodyBytes);
        builder.Services.AddCors();
        builder.Services.AddOptions<CorsOptions>().Configure<IOptions<ApiOptions>>((cors, api) => cors.AddPolicy(CorsPolicy, policy => policy
            .WithOrigins(api.Value.CorsOrigins)
            .WithMethods(HttpMethods.Get, HttpMethods.Post)
            .WithHeaders(ApiKeyAuthenticationHandler.HeaderName, "Content-Type")
            .WithExposedHeaders("Link")));
        return builder;
    }

    /// <summary>Open reads (a local run) still pass through the policy: an assertion that always holds.</summary>
    private static AuthorizationPolicy ReadPolicy(ReadAccess reads) => reads.NeedsKey
        ? new AuthorizationPolicyBuilder().RequireRole(ApiRoles.Granting(ApiAccess.Read)).Build()
        : new AuthorizationPolicyBuilder().RequireAssertion(_ => true).Build();

    /// <summary>Requests for a host the API does not answer to (<see cref="PublicHosts"/>) get a 400 before anything
    /// else, the console's static files included.</summary>
    public static WebApplication UsePublicHosts(this WebApplication app)
    {
        var hosts = app.Services.GetRequiredService<PublicHosts>();
        if (hosts.AdmitsAny)
        {
            return app;
        }

        app.Use((context, next) =>
        {
            if (hosts.Admits(context.Request))
            {
                return next(context);
            }

            context.RequestServices.GetRequiredService<RefusalMetrics>().Refused(RefusalMetrics.UnknownHost);
            return TypedResults.Problem("This API does not answer to that host name (Api:AllowedHosts).",
                statusCode: StatusCodes.Status400BadRequest, title: "Unknown host").ExecuteAsync(context);
        });
        return app;
    }

    /// <summary>CORS (no configured origin: no middleware, so browsers keep cross-origin reads blocked), keys in
    /// URLs refused, then authentication and authorization.</summary>
    public static WebApplication UseApiSecurity(this WebApplication app)
    {
        app.Services.GetRequiredService<RefusalMetrics>();   // its series are on /metrics from the start
        if (app.Services.GetRequiredService<IOptions<ApiOptions>>().Value.CorsOrigins.Length > 0)
        {
            app.UseCors(CorsPolicy);
        }

        app.Use((context, next) =>
        {
            var query = context.Request.Query;
            if (!KeyLikeQueryParameters.Any(query.ContainsKey))
            {
                return next(context);
            }

            context.RequestServices.GetRequiredService<RefusalMetrics>().Refused(RefusalMetrics.KeyInQuery);
            return TypedResults.Problem($"API keys are accepted in the {ApiKeyAuthenticationHandler.HeaderName} header only, never in the URL.",
                statusCode: StatusCodes.Status400BadRequest, title: "Key in the query string").ExecuteAsync(context);
        });
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

    /// <summary>Guards every endpoint of <paramref name="builder"/> with the policy of <paramref name="access"/>.</summary>
    public static TBuilder RequireApiKey<TBuilder>(this TBuilder builder, ApiAccess access) where TBuilder : IEndpointConventionBuilder
    {
        builder.RequireAuthorization(ApiRoles.PolicyOf(access));
        builder.WithMetadata(access);
        return builder;
    }
}
