using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Fraud.Api.Security;

/// <summary>
/// The <c>ApiKey</c> authentication scheme: the key in <c>X-Api-Key</c> (or <c>Authorization: Bearer</c>, which
/// Prometheus sends) becomes a principal with the key's name and role. No key is anonymous, and the authorization
/// policies decide; an unknown or revoked key fails. Refusals are problem+json: no key → 401, a key that is not valid
/// → 403 (as documented since the first version), a valid key without the role → 403.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiKeyResolver keys, RefusalMetrics refusals)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-Api-Key";
    private const string BearerPrefix = "Bearer ";
    private const string FailureItem = "fraud.key-failure";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (PresentedKey(Request) is not { Length: > 0 } presented)
        {
            return AuthenticateResult.NoResult();
        }

        var lookup = await keys.ResolveAsync(presented, Context.RequestAborted);
        if (lookup.Identity is not { } identity)
        {
            Context.Items[FailureItem] = lookup.Revoked ? RefusalMetrics.RevokedKey : RefusalMetrics.InvalidKey;
            return AuthenticateResult.Fail(lookup.Revoked ? "revoked key" : "unknown key");
        }

        var principal = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, identity.Name), new Claim(ClaimTypes.Role, identity.Role)], SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (Context.Items[FailureItem] is string failure)
        {
            refusals.Refused(failure);
            return Problem(StatusCodes.Status403Forbidden, "API key rejected", failure == RefusalMetrics.RevokedKey
                ? "The key in the X-Api-Key header has been revoked."
                : "The key in the X-Api-Key header is not valid for this API.");
        }

        refusals.Refused(RefusalMetrics.MissingKey);
        Response.Headers.WWWAuthenticate = $"ApiKey header=\"{HeaderName}\"";
        return Problem(StatusCodes.Status401Unauthorized, "API key required", $"This endpoint needs an API key in the {HeaderName} header.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        refusals.Refused(RefusalMetrics.InsufficientRole);
        return Problem(StatusCodes.Status403Forbidden, "Not allowed for this key",
            $"The key '{Context.User.Identity?.Name}' has the role '{Context.User.FindFirstValue(ClaimTypes.Role)}', which does not allow this request.");
    }

    private Task Problem(int status, string title, string detail) =>
        TypedResults.Problem(detail, statusCode: status, title: title).ExecuteAsync(Context);

    internal static string? PresentedKey(HttpRequest request)
    {
        string header = request.Headers[HeaderName].ToString();
        if (header.Length > 0)
        {
            return header;
        }

        string authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase) ? authorization[BearerPrefix.Length..].Trim() : null;
    }
}
