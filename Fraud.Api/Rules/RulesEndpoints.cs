using System.Text;
using Fraud.Api.Security;
using Fraud.Core.Rules;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Fraud.Api.Rules;

/// <summary>
/// The rule set at runtime: read the active one, list the versions, store and activate a new one. Detectors apply
/// the active version within seconds; a definition that does not validate is refused here and never reaches them.
/// </summary>
internal static class RulesEndpoints
{
    public const string AuthorHeader = "X-Author";

    public static IEndpointRouteBuilder MapRulesEndpoints(this IEndpointRouteBuilder app)
    {
        var rules = app.MapGroup("/rules").WithTags("Rules");
        rules.MapGet("", GetActiveAsync)
            .WithName("GetRules")
            .WithSummary("The active rule set")
            .WithDescription("The active rule set exactly as it was stored (the format of the detector's rules.json), so it can be edited and PUT back. Its version, author and time are in the X-Rules-Version, X-Author and Last-Modified headers.")
            .Produces(StatusCodes.Status200OK, contentType: "application/json")
            .ProducesProblem(StatusCodes.Status404NotFound);
        rules.MapGet("/versions", GetVersionsAsync)
            .WithName("GetRuleSetVersions")
            .WithSummary("Every stored version, newest first");
        rules.MapPut("", PutAsync)
            .RequireApiKey(ApiAccess.Admin)
            .WithName("PutRules")
            .WithSummary("Store and activate a rule set")
            .WithDescription($"""
                The body is a rule set in the format of the detector's rules.json (its `version` names it). It is validated
                completely; every problem is listed in a 400. A new version is stored and activated; the active version's
                own definition again changes nothing (`changed: false`); an existing version with another definition is a
                409 (give it a new version). The name of the key records who made the change. Needs an admin key in
                `X-Api-Key`. Body at most {ApiOptions.MaxRequestBodyBytes / 1024} KiB.
                """)
            .Accepts<object>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        return app;
    }

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> GetActiveAsync(HttpResponse response, RuleSetStore store, CancellationToken cancellationToken)
    {
        if (await store.ActiveAsync(cancellationToken) is not { } active)
        {
            return TypedResults.Problem("No rule set is stored yet; a detector stores its rules file when it first starts.",
                statusCode: StatusCodes.Status404NotFound, title: "No rule set");
        }

        response.Headers["X-Rules-Version"] = active.Version.Version;
        response.Headers[AuthorHeader] = active.Version.Author;
        response.Headers.LastModified = active.Version.CreatedAt.ToString("R");
        return TypedResults.Content(active.Definition, "application/json", Encoding.UTF8);
    }

    private static async Task<Ok<IReadOnlyList<RuleSetVersion>>> GetVersionsAsync(RuleSetStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(await store.VersionsAsync(cancellationToken));

    // The body is read as text rather than bound: it is stored as written, comments included.
    private static async Task<Results<Ok<RuleSetActivation>, ProblemHttpResult>> PutAsync(
        HttpRequest request, System.Security.Claims.ClaimsPrincipal user, RuleSetStore store, ILogger<RuleSetStore> logger, CancellationToken cancellationToken)
    {
        if (request.ContentLength > ApiOptions.MaxRequestBodyBytes)
        {
            return TooLarge();
        }

        if (!request.HasJsonContentType())
        {
            return TypedResults.Problem("Send the rule set as JSON with Content-Type: application/json.",
                statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type");
        }

        // Who changed the rules is the key's name, never what the request says about itself.
        string author = user.Identity!.Name!;

        string definition;
        try
        {
            using var reader = new StreamReader(request.Body, Encoding.UTF8);
            definition = await reader.ReadToEndAsync(cancellationToken);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge(); // a chunked body, with no Content-Length to check up front
        }

        if (!RuleSetJson.TryParse(Encoding.UTF8.GetBytes(definition), out var ruleSet, out var errors))
        {
            return Invalid(errors);
        }

        if (await store.StoreAndActivateAsync(ruleSet.Version, definition, author, cancellationToken) is not { } activation)
        {
            return TypedResults.Problem(
                $"Version '{ruleSet.Version}' is already stored with another definition; give the changed rule set a new version.",
                statusCode: StatusCodes.Status409Conflict, title: "Version already used");
        }

        if (activation.Changed)
        {
            logger.LogInformation("Rule set {Version} activated by {Author} ({Count} rules)", activation.Version, author, ruleSet.Rules.Count);
        }

        return TypedResults.Ok(activation);
    }

    private static ProblemHttpResult Invalid(IReadOnlyList<string> errors) =>
        TypedResults.Problem(
            string.Join(" ", errors),
            statusCode: StatusCodes.Status400BadRequest,
            title: "Invalid rule set",
            extensions: new Dictionary<string, object?> { ["errors"] = errors });

    private static ProblemHttpResult TooLarge() =>
        TypedResults.Problem($"The body must be at most {ApiOptions.MaxRequestBodyBytes} bytes.",
            statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request body too large");
}
