namespace Fraud.Api.Stats;

/// <summary>
/// What <c>GET /stats</c> returns. The window is the last 60 whole minutes, the current one included
/// (<see cref="WindowStart"/> to <see cref="WindowEnd"/>); feedback counts cover all time.
/// </summary>
internal sealed record AlertStats(
    DateTimeOffset WindowStart,
    DateTimeOffset WindowEnd,
    long AlertsLastHour,
    long AlertsLastMinute,
    IReadOnlyList<MinuteCount> AlertsPerMinute,
    FeedbackSummary Feedback,
    IReadOnlyList<RuleCount> TopRules,
    IReadOnlyList<CountryCount> ByCountry);

/// <summary>Alerts raised in the minute starting at <see cref="Minute"/>.</summary>
internal sealed record MinuteCount(DateTimeOffset Minute, long Count);

/// <summary>Verdicts so far; precision = confirmed / (confirmed + false positives), null before any verdict.</summary>
internal sealed record FeedbackSummary(long ConfirmedFraud, long FalsePositive, double? Precision);

internal sealed record RuleCount(string Rule, long Count);

internal sealed record CountryCount(string Country, long Count);
