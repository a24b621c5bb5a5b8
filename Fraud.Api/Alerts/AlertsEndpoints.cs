using System.Globalization;

namespace Fraud.Api.Alerts;

internal static class AlertsEndpoints
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 1000;

    public static IEndpointRouteBuilder MapAlertsEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/alerts", ListAsync)
            .WithName("ListAlerts")
            .WithSummary("Newest alerts first, in the seed's JSON shape.");
        return app;
    }

    // limit arrives as text so that a bad value gets our message rather than a bare binding failure.
    private static async Task<IResult> ListAsync(string? limit, AlertQueries queries, CancellationToken cancellationToken)
    {
        if (!TryParseLimit(limit, out var count, out var problem))
        {
            return TypedResults.Problem(problem, statusCode: StatusCodes.Status400BadRequest, title: "Invalid query parameter 'limit'");
        }
        return new AlertListResult(await queries.NewestAsync(count, cancellationToken));
    }

    internal static bool TryParseLimit(string? text, out int limit, out string problem)
    {
        limit = DefaultLimit;
        problem = "";
        if (text is null)
        {
            return true;
        }
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > MaxLimit)
        {
            problem = $"limit must be a whole number from 1 to {MaxLimit} (default {DefaultLimit}); got '{text}'.";
            return false;
        }
        return true;
    }
}
