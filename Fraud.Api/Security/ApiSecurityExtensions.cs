using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Fraud.Api.Security;

/// <summary>The API key, CORS (closed unless origins are configured) and the request size limit.</summary>
internal static class ApiSecurityExtensions
{
    private const string CorsPolicy = "configured-origins";

    public static WebApplicationBuilder AddApiSecurity(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ApiOptions>()
            .Bind(builder.Configuration.GetSection(ApiOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.Configure<KestrelServerOptions>(kestrel => kestrel.Limits.MaxRequestBodySize = ApiOptions.MaxRequestBodyBytes);
        builder.Services.AddCors();
        builder.Services.AddOptions<CorsOptions>().Configure<IOptions<ApiOptions>>((cors, api) => cors.AddPolicy(CorsPolicy, policy => policy
            .WithOrigins(api.Value.CorsOrigins)
            .WithMethods(HttpMethods.Get, HttpMethods.Post)
            .WithHeaders(ApiKeyFilter.HeaderName, "Content-Type")
            .WithExposedHeaders("Link")));
        return builder;
    }

    /// <summary>No configured origin: no CORS middleware, so browsers keep cross-origin reads blocked.</summary>
    public static WebApplication UseApiSecurity(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<ApiOptions>>().Value.CorsOrigins.Length > 0)
        {
            app.UseCors(CorsPolicy);
        }
        return app;
    }

    /// <summary>Guards every endpoint of <paramref name="builder"/> with the API key for <paramref name="access"/>.</summary>
    public static TBuilder RequireApiKey<TBuilder>(this TBuilder builder, ApiAccess access) where TBuilder : IEndpointConventionBuilder
    {
        builder.AddEndpointFilter(new ApiKeyFilter(access));
        builder.WithMetadata(access);
        return builder;
    }
}
