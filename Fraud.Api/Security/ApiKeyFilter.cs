using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Fraud.Api.Security;

/// <summary>Which endpoints a filter guards: writes always need the key, reads only when configured.</summary>
public enum ApiAccess
{
    Read,
    Write,
}

/// <summary>
/// Checks <c>X-Api-Key</c>: missing → 401, wrong → 403, both as problem+json. The comparison runs in constant
/// time over SHA-256 digests, so neither the key's content nor its length leaks through timing.
/// </summary>
internal sealed class ApiKeyFilter(ApiAccess access) : IEndpointFilter
{
    public const string HeaderName = "X-Api-Key";

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var options = http.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value;
        if (access == ApiAccess.Read && !options.RequireKeyForReads)
        {
            return next(context);
        }

        var presented = http.Request.Headers[HeaderName].ToString();
        if (presented.Length == 0)
        {
            http.Response.Headers.WWWAuthenticate = $"ApiKey header=\"{HeaderName}\"";
            return ValueTask.FromResult<object?>(TypedResults.Problem(
                $"This endpoint needs an API key in the {HeaderName} header.",
                statusCode: StatusCodes.Status401Unauthorized, title: "API key required"));
        }
        if (!Matches(presented, options.Key))
        {
            return ValueTask.FromResult<object?>(TypedResults.Problem(
                $"The key in the {HeaderName} header is not valid for this API.",
                statusCode: StatusCodes.Status403Forbidden, title: "API key rejected"));
        }
        return next(context);
    }

    private static bool Matches(string presented, string expected) =>
        CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(presented)),
            SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
}
