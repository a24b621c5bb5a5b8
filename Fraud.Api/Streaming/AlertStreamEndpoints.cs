using Fraud.Api.Security;

namespace Fraud.Api.Streaming;

internal static class AlertStreamEndpoints
{
    public static IEndpointRouteBuilder MapAlertStream(this IEndpointRouteBuilder app)
    {
        app.MapGet("/alerts/stream", (AlertStream stream, CancellationToken cancellationToken) =>
                TypedResults.ServerSentEvents(stream.SubscribeAsync(cancellationToken)))
            .WithTags("Alerts")
            .RequireApiKey(ApiAccess.Read)
            .WithName("StreamAlerts")
            .WithSummary("Stream new alerts (Server-Sent Events)")
            .WithDescription($"""
                A `ready` event once subscribed, then one `alert` event per new alert (data = the alert's JSON,
                id = its tx_id). A client that falls {AlertStream.ClientBuffer} alerts behind is disconnected; on reconnecting it
                should reload `GET /alerts`, which the analyst console does.
                """);
        return app;
    }
}
