using Fraud.Api.Security;

namespace Fraud.Api.Stats;

internal static class StatsEndpoints
{
    public static IEndpointRouteBuilder MapStatsEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/stats", async (StatsQueries stats, CancellationToken cancellationToken) => TypedResults.Ok(await stats.GetAsync(cancellationToken)))
            .WithTags("Stats")
            .RequireApiKey(ApiAccess.Read)
            .WithName("GetStats")
            .WithSummary("Alert statistics")
            .WithDescription($"""
                Alerts per minute over the last hour, precision from feedback, top rules, alerts by country. The window is the last 60 whole minutes including the current one (`window_start`..`window_end`);
                `top_rules` (at most {StatsQueries.TopRules}) and `by_country` (at most {StatsQueries.TopCountries}) count
                alerts in it. `feedback` counts every verdict so far; `precision` is null until there is one.
                """);
        return app;
    }
}
