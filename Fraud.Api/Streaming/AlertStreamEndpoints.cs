using Fraud.Api.Security;

namespace Fraud.Api.Streaming;

internal static class AlertStreamEndpoints
{
    public static IEndpointRouteBuilder MapAlertStream(this IEndpointRouteBuilder app)
    {
        app.MapGet("/alerts/stream", Subscribe)
            .DisableRequestTimeout()   // a stream lasts as long as its client wants
            .WithTags("Alerts")
            .RequireApiKey(ApiAccess.Read)
            .WithName("StreamAlerts")
            .WithSummary("Stream new alerts (Server-Sent Events)")
            .WithDescription($"""
                A `ready` event once subscribed, then one `alert` event per new alert (data = the alert's JSON,
                id = its tx_id). A client that falls {AlertStream.ClientBuffer} alerts behind is disconnected; on reconnecting it
                should reload `GET /alerts`, which the analyst console does. Past `Api:Limits:MaxStreamClients` open streams
                a new one is a 503 with Retry-After.
                """)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    private static IResult Subscribe(HttpContext context, AlertStream stream, StreamSlots slots, RefusalMetrics refusals, CancellationToken cancellationToken)
    {
        if (slots.TryTake() is not { } slot)
        {
            refusals.Refused(RefusalMetrics.StreamFull);
            context.Response.Headers.RetryAfter = "5";
            return TypedResults.Problem("Every place on the live stream is taken; retry in a few seconds, or read GET /alerts meanwhile.",
                statusCode: StatusCodes.Status503ServiceUnavailable, title: "Stream full");
        }

        context.Response.RegisterForDispose(slot);   // given back when the request ends, whether or not the stream began
        return TypedResults.ServerSentEvents(stream.SubscribeAsync(cancellationToken));
    }
}
