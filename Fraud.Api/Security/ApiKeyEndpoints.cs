using System.Security.Claims;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Fraud.Api.Security;

/// <summary>The body of <c>POST /keys</c>.</summary>
internal sealed record CreateApiKeyRequest(string? Name, string? Role);

/// <summary>The caller as the API sees it.</summary>
internal sealed record Caller(string Name, string Role);

/// <summary>
/// Named keys: an admin makes one per analyst or service (<c>POST /keys</c>, the key is shown once), lists them and
/// revokes them by name; anyone with a key can ask whose it is (<c>GET /me</c>, the console shows it).
/// </summary>
internal static partial class ApiKeyEndpoints
{
    public const string IdentifiedPolicy = "identified";

    public static IEndpointRouteBuilder MapApiKeyEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/me", (ClaimsPrincipal user) => TypedResults.Ok(CallerOf(user)))
            .RequireAuthorization(IdentifiedPolicy)
            .WithTags("Keys")
            .WithName("GetCaller")
            .WithSummary("Whose key this is: its name and role")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        var keys = app.MapGroup("/keys").WithTags("Keys").RequireApiKey(ApiAccess.Admin);
        keys.MapGet("", async (ApiKeyStore store, CancellationToken cancellationToken) => TypedResults.Ok(await store.ListAsync(cancellationToken)))
            .WithName("ListKeys")
            .WithSummary("Every named key (never its value), those in use first");
        keys.MapPost("", CreateAsync)
            .WithName("CreateKey")
            .WithSummary("Make a named key")
            .WithDescription("""
                Body `{"name":"alice","role":"analyst"}`: name of lower-case letters, digits, `.`, `_`, `-` (at most 63), role
                `read` (every read), `analyst` (reads and verdicts) or `admin` (everything, keys too). The key is in the answer
                and nowhere else: only its SHA-256 digest is stored. 409 when a key in use has that name (revoke it first).
                """)
            .Accepts<CreateApiKeyRequest>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        keys.MapDelete("/{name}", RevokeAsync)
            .WithName("RevokeKey")
            .WithSummary("Revoke a named key; it stops working within seconds on every replica")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static Caller CallerOf(ClaimsPrincipal user) => new(user.Identity?.Name ?? "", user.FindFirstValue(ClaimTypes.Role) ?? "");

    private static async Task<Results<Created<CreatedApiKey>, ProblemHttpResult>> CreateAsync(
        HttpRequest request, ClaimsPrincipal user, ApiKeyStore store, IOptions<JsonOptions> json, IOptions<ApiOptions> options, CancellationToken cancellationToken)
    {
        if (!request.HasJsonContentType())
        {
            return TypedResults.Problem("Send {\"name\":…,\"role\":…} as JSON with Content-Type: application/json.",
                statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type");
        }

        CreateApiKeyRequest? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<CreateApiKeyRequest>(request.Body, json.Value.SerializerOptions, cancellationToken);
        }
        catch (JsonException ex)
        {
            return Invalid($"The body must be a JSON object like {{\"name\":\"alice\",\"role\":\"analyst\"}}: {ex.Message}");
        }

        if (body?.Name is not { } name || !KeyName().IsMatch(name) || name == options.Value.KeyName)
        {
            return Invalid($"name must be 1 to 63 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit, and not '{options.Value.KeyName}' (the configured key); got {(body?.Name is { } given ? $"'{given}'" : "none")}.");
        }

        if (body.Role is not { } role || !ApiRoles.All.Contains(role))
        {
            return Invalid($"role must be one of {string.Join(", ", ApiRoles.All)}; got {(body.Role is { } given ? $"'{given}'" : "none")}.");
        }

        return await store.CreateAsync(name, role, CallerOf(user).Name, cancellationToken) is { } created
            ? TypedResults.Created($"/keys/{name}", created)
            : TypedResults.Problem($"A key named '{name}' is in use; revoke it first (DELETE /keys/{name}) or choose another name.",
                statusCode: StatusCodes.Status409Conflict, title: "Key name in use");
    }

    private static async Task<Results<Ok<ApiKeyInfo>, ProblemHttpResult>> RevokeAsync(
        string name, ClaimsPrincipal user, ApiKeyStore store, ApiKeyResolver resolver, CancellationToken cancellationToken)
    {
        if (await store.RevokeAsync(name, CallerOf(user).Name, cancellationToken) is not { } revoked)
        {
            return TypedResults.Problem($"No key in use is named '{name}'.", statusCode: StatusCodes.Status404NotFound, title: "Key not found");
        }

        resolver.Forget(name);
        return TypedResults.Ok(revoked);
    }

    private static ProblemHttpResult Invalid(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "Invalid key request");

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,62}$")]
    private static partial Regex KeyName();
}
