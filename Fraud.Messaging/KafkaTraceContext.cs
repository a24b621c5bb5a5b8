using System.Diagnostics;
using System.Text;
using Confluent.Kafka;

namespace Fraud.Messaging;

/// <summary>
/// W3C trace context in Kafka headers (<c>traceparent</c>, <c>tracestate</c>), so that a transaction's trace runs
/// from the producer through the detector to Postgres and the alerts topic.
/// </summary>
public static class KafkaTraceContext
{
    public const string TraceParent = "traceparent";
    public const string TraceState = "tracestate";

    /// <summary>Headers carrying <paramref name="activity"/>'s context; null without an activity, so untraced messages cost nothing.</summary>
    public static Headers? HeadersFor(Activity? activity)
    {
        if (activity is not { IdFormat: ActivityIdFormat.W3C, Id: { } id })
        {
            return null;
        }

        var headers = new Headers { { TraceParent, Encoding.ASCII.GetBytes(id) } };
        if (activity.TraceStateString is { Length: > 0 } state)
        {
            headers.Add(TraceState, Encoding.ASCII.GetBytes(state));
        }

        return headers;
    }

    /// <summary>The remote context a message carries, or default when it carries none (or a malformed one).</summary>
    public static ActivityContext Extract(Headers? headers)
    {
        if (headers is null || !headers.TryGetLastBytes(TraceParent, out var parent))
        {
            return default;
        }

        string? state = headers.TryGetLastBytes(TraceState, out var stateBytes) ? Encoding.ASCII.GetString(stateBytes) : null;
        return ActivityContext.TryParse(Encoding.ASCII.GetString(parent), state, isRemote: true, out var context) ? context : default;
    }
}
