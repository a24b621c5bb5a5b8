using System.ComponentModel;
using System.Globalization;
using Microsoft.AspNetCore.Mvc;

namespace Fraud.Api.Alerts;

/// <summary>
/// The query string of <c>GET /alerts</c> as sent. Every value arrives as text so that a bad one gets a message
/// naming the parameter and the expected form, rather than a bare binding failure.
/// </summary>
internal sealed class AlertListQuery
{
    [FromQuery(Name = "limit"), Description("How many alerts, 1–1000 (default 50).")]
    public string? Limit { get; init; }

    [FromQuery(Name = "user_id"), Description("Only this card holder's alerts.")]
    public string? UserId { get; init; }

    [FromQuery(Name = "since"), Description("Only alerts raised at or after this ISO-8601 instant, e.g. 2025-09-13T07:00:00Z.")]
    public string? Since { get; init; }

    [FromQuery(Name = "until"), Description("Only alerts raised before this ISO-8601 instant.")]
    public string? Until { get; init; }

    [FromQuery(Name = "min_risk"), Description("Only alerts whose risk is at least this, 0–1.")]
    public string? MinRisk { get; init; }

    [FromQuery(Name = "rule"), Description("Only alerts on which this rule fired, e.g. amount_above_threshold.")]
    public string? Rule { get; init; }

    [FromQuery(Name = "status"), Description("Only alerts in this state: open, confirmed_fraud or false_positive.")]
    public string? Status { get; init; }

    [FromQuery(Name = "cursor"), Description("Continue after the previous page: take it from that page's Link header (rel=\"next\").")]
    public string? Cursor { get; init; }

    /// <returns>False with one message per bad parameter, keyed by the parameter's name.</returns>
    public bool TryParse(out AlertFilter filter, out Dictionary<string, string[]> errors)
    {
        errors = [];
        filter = new AlertFilter
        {
            Limit = Parse("limit", Limit, AlertFilter.DefaultLimit, TryParseLimit,
                $"must be a whole number from 1 to {AlertFilter.MaxLimit} (default {AlertFilter.DefaultLimit})", errors),
            UserId = Parse<long?>("user_id", UserId, null, TryParseUserId, "must be a whole number", errors),
            Since = Parse<DateTimeOffset?>("since", Since, null, TryParseInstant, "must be an ISO-8601 date or instant, e.g. 2025-09-13T07:46:41Z", errors),
            Until = Parse<DateTimeOffset?>("until", Until, null, TryParseInstant, "must be an ISO-8601 date or instant, e.g. 2025-09-13T08:00:00Z", errors),
            MinRisk = Parse<double?>("min_risk", MinRisk, null, TryParseRisk, "must be a number from 0 to 1", errors),
            Rule = Parse<string?>("rule", Rule, null, TryParseRule, "must be a rule name (1–100 characters)", errors),
            Status = Parse<string?>("status", Status, null, TryParseStatus, $"must be one of {string.Join(", ", AlertStatus.All)}", errors),
            After = Parse<AlertCursor?>("cursor", Cursor, null, TryParseCursor, "is not a cursor this API issued: take it from the Link header of the previous page", errors),
        };
        if (filter is { Since: { } since, Until: { } until } && since >= until)
        {
            errors["until"] = [$"until must be later than since; got since={Since}, until={Until}."];
        }
        return errors.Count == 0;
    }

    private delegate bool TryParser<T>(string text, out T value);

    private static T Parse<T>(string name, string? text, T absent, TryParser<T> tryParse, string expectation, Dictionary<string, string[]> errors)
    {
        if (text is null)
        {
            return absent;
        }
        if (tryParse(text, out var value))
        {
            return value;
        }
        errors[name] = [$"{name} {expectation}; got '{Shorten(text)}'."];
        return absent;
    }

    // Echoing a huge value back would only make the problem unreadable.
    private static string Shorten(string text) => text.Length <= 64 ? text : string.Concat(text.AsSpan(0, 64), "…");

    private static bool TryParseLimit(string text, out int limit) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out limit) && limit is >= 1 and <= AlertFilter.MaxLimit;

    private static bool TryParseUserId(string text, out long? userId)
    {
        var ok = long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value);
        userId = value;
        return ok;
    }

    private static bool TryParseInstant(string text, out DateTimeOffset? instant)
    {
        var ok = DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value);
        instant = value;
        return ok;
    }

    private static bool TryParseRisk(string text, out double? risk)
    {
        var ok = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value is >= 0 and <= 1;
        risk = value;
        return ok;
    }

    private static bool TryParseRule(string text, out string? rule)
    {
        rule = text;
        return text.Length is >= 1 and <= 100;
    }

    private static bool TryParseStatus(string text, out string? status)
    {
        status = text;
        return AlertStatus.All.Contains(text);
    }

    private static bool TryParseCursor(string text, out AlertCursor? cursor)
    {
        var ok = AlertCursor.TryDecode(text, out var value);
        cursor = value;
        return ok;
    }
}
