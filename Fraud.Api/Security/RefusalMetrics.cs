using System.Diagnostics.Metrics;
using Fraud.Api.Feedback;

namespace Fraud.Api.Security;

/// <summary>
/// Every request the API refuses for who sent it or how often (<c>fraud_api_requests_refused_total{reason}</c>), so a
/// key being guessed, a revoked key still in use or a client hammering the API shows on a dashboard.
/// </summary>
internal sealed class RefusalMetrics
{
    public const string MissingKey = "missing_key";
    public const string InvalidKey = "invalid_key";
    public const string RevokedKey = "revoked_key";
    public const string InsufficientRole = "insufficient_role";
    public const string KeyInQuery = "key_in_query";
    public const string RateLimited = "rate_limited";
    public const string StreamFull = "stream_full";
    public const string UnknownHost = "unknown_host";

    private static readonly string[] Reasons = [MissingKey, InvalidKey, RevokedKey, InsufficientRole, KeyInQuery, RateLimited, StreamFull, UnknownHost];

    private readonly Counter<long> _refused;

    public RefusalMetrics(IMeterFactory meterFactory)
    {
        _refused = meterFactory.Create(FeedbackMetrics.MeterName).CreateCounter<long>("fraud.api.requests.refused", "{request}",
            "Requests refused before reaching an endpoint, by reason.");
        foreach (var reason in Reasons)
        {
            _refused.Add(0, Reason(reason));   // every series from the start, so a rate over them works at once
        }
    }

    public void Refused(string reason) => _refused.Add(1, Reason(reason));

    private static KeyValuePair<string, object?> Reason(string reason) => new("reason", reason);
}
