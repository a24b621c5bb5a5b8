using Fraud.Api.Feedback;
using Fraud.Api.Security;
using Fraud.Core;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Fraud.Api.Alerts;

internal static class AlertsEndpoints
{
    private const int UserRecentAlerts = 10;

    public static IEndpointRouteBuilder MapAlertsEndpoints(this IEndpointRouteBuilder app)
    {
        var alerts = app.MapGroup("/alerts").WithTags("Alerts").RequireApiKey(ApiAccess.Read);
        alerts.MapGet("", ListAsync)
            .WithName("ListAlerts")
            .WithSummary("List alerts")
            .WithDescription("""
                Newest first, as a plain JSON array in the seed's shape. Filters combine with AND. When more
                alerts match than `limit`, the response has a `Link: </alerts?…&cursor=…>; rel="next"` header;
                follow it for the next page. Paging is by (created_at, tx_id), so pages neither skip nor repeat
                alerts while new ones arrive.
                """);
        alerts.MapGet("/{tx_id}", GetAsync)
            .WithName("GetAlert")
            .WithSummary("Get one alert")
            .WithDescription("""
                The alert, its reason split into parts, its feedback history (oldest first) and the card holder's
                other recent alerts (newest first).
                """)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<Results<Ok<IReadOnlyList<Alert>>, ValidationProblem>> ListAsync(
        [AsParameters] AlertListQuery query, HttpContext http, AlertQueries queries, CancellationToken cancellationToken)
    {
        if (!query.TryParse(out var filter, out var errors))
        {
            return Problems.InvalidQuery(errors);
        }
        // One row more than a page says whether a next page exists without counting.
        var rows = await queries.ListAsync(filter, filter.Limit + 1, cancellationToken);
        if (rows.Count <= filter.Limit)
        {
            return TypedResults.Ok(rows);
        }
        var page = rows.Take(filter.Limit).ToList();
        http.Response.Headers.Link = $"<{NextPage(http.Request, new AlertCursor(page[^1].CreatedAt, page[^1].TxId))}>; rel=\"next\"";
        return TypedResults.Ok<IReadOnlyList<Alert>>(page);
    }

    /// <summary>The same request (path and filters) with the cursor moved past this page; relative, as RFC 8288 allows.</summary>
    private static string NextPage(HttpRequest request, AlertCursor cursor)
    {
        var parameters = request.Query
            .Where(parameter => parameter.Key != "cursor")
            .SelectMany(parameter => parameter.Value.Select(value => KeyValuePair.Create(parameter.Key, value)))
            .Append(KeyValuePair.Create("cursor", (string?)cursor.Encode()));
        return $"{request.PathBase}{request.Path}{QueryString.Create(parameters)}";
    }

    private static async Task<Results<Ok<AlertDetail>, ProblemHttpResult>> GetAsync(
        [FromRoute(Name = "tx_id")] string txId, AlertQueries queries, FeedbackStore feedback, CancellationToken cancellationToken)
    {
        if (await queries.GetAsync(txId, cancellationToken) is not { } alert)
        {
            return Problems.AlertNotFound(txId);
        }
        var userAlerts = await queries.ListAsync(new AlertFilter { UserId = alert.UserId }, UserRecentAlerts + 1, cancellationToken);
        return TypedResults.Ok(new AlertDetail(
            alert,
            alert.Reason.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
            await feedback.HistoryAsync(txId, cancellationToken),
            userAlerts.Where(other => other.TxId != txId).Take(UserRecentAlerts).ToList()));
    }
}
