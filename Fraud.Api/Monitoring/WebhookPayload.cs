using System.Globalization;
using System.Text.Json;
using Fraud.Core.Alerting;

namespace Fraud.Api.Monitoring;

/// <summary>
/// The JSON a webhook receives: Slack-compatible (<c>text</c> is what an incoming-webhook shows) plus structured fields
/// for machines: <c>status</c> (<c>firing</c> | <c>resolved</c>), <c>anomaly_rate</c>, <c>limit</c>, <c>clear_below</c>,
/// <c>alerts</c>, <c>transactions</c>, <c>window_seconds</c>, <c>at</c>, <c>firing_since</c>.
/// </summary>
public static class WebhookPayload
{
    /// <summary><c>status</c> of an incident's first notification.</summary>
    public const string Firing = "firing";
    /// <summary><c>status</c> of an incident's last notification.</summary>
    public const string Resolved = "resolved";

    /// <summary>The <c>status</c> field for a transition.</summary>
    public static string Status(AlarmTransition transition) => transition.To == AlarmState.Firing ? Firing : Resolved;

    /// <summary>The UTF-8 JSON body for a transition.</summary>
    public static byte[] Serialize(AlarmTransition transition, AlarmThresholds thresholds, int windowSeconds)
    {
        var rate = transition.Counts.Rate ?? 0;
        var text = transition.To == AlarmState.Firing
            ? $"Fraud anomaly rate is {Percent(rate)} over the last {windowSeconds} s, above the {Percent(thresholds.FireAbove)} limit " +
              $"({transition.Counts.Alerts} alerts in {transition.Counts.Transactions} transactions)."
            : $"Resolved: fraud anomaly rate is back to {Percent(rate)} over the last {windowSeconds} s, below {Percent(thresholds.ClearBelow)} " +
              $"({transition.Counts.Alerts} alerts in {transition.Counts.Transactions} transactions).";

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("text", text);
            json.WriteString("status", Status(transition));
            json.WriteNumber("anomaly_rate", Math.Round(rate, 6));
            json.WriteNumber("limit", thresholds.FireAbove);
            json.WriteNumber("clear_below", thresholds.ClearBelow);
            json.WriteNumber("alerts", transition.Counts.Alerts);
            json.WriteNumber("transactions", transition.Counts.Transactions);
            json.WriteNumber("window_seconds", windowSeconds);
            json.WriteString("at", transition.At.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            if (transition.FiringSince is { } since)
            {
                json.WriteString("firing_since", since.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            }
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private static string Percent(double ratio) => (ratio * 100).ToString("0.##", CultureInfo.InvariantCulture) + "%";
}
