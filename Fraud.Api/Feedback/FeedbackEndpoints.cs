using System.Text.Json;
using Fraud.Api.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using FromRouteAttribute = Microsoft.AspNetCore.Mvc.FromRouteAttribute;
using Microsoft.Extensions.Options;

namespace Fraud.Api.Feedback;

internal static class FeedbackEndpoints
{
    public static IEndpointRouteBuilder MapFeedbackEndpoints(this IEndpointRouteBuilder app)
    {
        // Created now rather than at the first verdict, so its series are on /metrics from the start.
        app.ServiceProvider.GetRequiredService<FeedbackMetrics>();
        app.MapPost("/alerts/{tx_id}/feedback", PostAsync)
            .WithTags("Feedback")
            .RequireApiKey(ApiAccess.Analyst)
            .WithName("PostFeedback")
            .WithMetadata(RepeatableRequest.Instance) // the same verdict twice changes nothing (see the description)
            .WithSummary("Record a verdict")
            .WithDescription($"""
                An analyst's verdict: label `fraud` sets status `confirmed_fraud`, `legit` sets `false_positive`. Needs an analyst or admin key in `X-Api-Key`; the audit trail records the key's name. Idempotent: posting the alert's latest label and note again changes
                nothing (`changed: false`); any other label or note is recorded in the audit trail. Body at most
                {ApiOptions.MaxRequestBodyBytes / 1024} KiB.
                """)
            .Accepts<FeedbackRequest>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        return app;
    }

    // The body is read here rather than bound, so every way it can be wrong gets its own clear problem.
    private static async Task<Results<Ok<FeedbackResult>, ProblemHttpResult>> PostAsync(
        [FromRoute(Name = "tx_id")] string txId, HttpRequest request, System.Security.Claims.ClaimsPrincipal user, FeedbackStore store, AlertHotCopy hotCopy, FeedbackMetrics metrics, IOptions<JsonOptions> json,
        CancellationToken cancellationToken)
    {
        if (request.ContentLength > ApiOptions.MaxRequestBodyBytes)
        {
            return TooLarge();
        }
        if (!request.HasJsonContentType())
        {
            return TypedResults.Problem("Send the feedback as JSON with Content-Type: application/json.",
                statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type");
        }

        FeedbackRequest? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<FeedbackRequest>(request.Body, json.Value.SerializerOptions, cancellationToken);
        }
        catch (JsonException ex)
        {
            return Invalid($"The body must be a JSON object like {{\"label\":\"fraud\",\"note\":\"…\"}}: {ex.Message}");
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge(); // a chunked body, with no Content-Length to check up front
        }

        if (!FeedbackLabels.TryGetStatus(body?.Label, out var status))
        {
            return Invalid($"label must be \"fraud\" or \"legit\"; got {(body?.Label is { } label ? $"'{label}'" : "none")}.");
        }
        var note = body!.Note ?? "";
        if (note.Length > FeedbackLabels.MaxNoteLength)
        {
            return Invalid($"note must be at most {FeedbackLabels.MaxNoteLength} characters; got {note.Length}.");
        }

        var result = await store.ApplyAsync(txId, body.Label!, status, note, user.Identity!.Name!, cancellationToken);   // who: the key's name
        if (result is null)
        {
            return Problems.AlertNotFound(txId);
        }
        if (result.Changed)
        {
            metrics.Recorded(result.Label);
        }
        await hotCopy.SetStatusAsync(txId, result.Status); // also when unchanged: it mends a copy an earlier post could not reach
        return TypedResults.Ok(result);
    }

    private static ProblemHttpResult Invalid(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "Invalid feedback");

    private static ProblemHttpResult TooLarge() =>
        TypedResults.Problem($"The body must be at most {ApiOptions.MaxRequestBodyBytes} bytes.",
            statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request body too large");
}
