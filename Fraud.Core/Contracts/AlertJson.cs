using System.Text.Json;

namespace Fraud.Core;

/// <summary>
/// Reads and writes <see cref="Alert"/> in the API's and <c>alerts.v1</c>'s shape:
/// <c>{"tx_id":"tx_1539","user_id":4405,"amount":"1881.22","location":"ES","ts":"2025-09-13T07:46:41.314350Z","score":-0.767,
/// "reason":"…","created_at":"2025-09-13T07:46:41.400Z","risk":0.91,"rules":["amount_vs_user_history"],"model_version":"…","status":"open",
/// "rules_version":"rules-2025-09-13","classifier_version":null}</c>.
/// <c>amount</c> is a string with two decimals, <c>score</c>, <c>rules_version</c> and <c>classifier_version</c> are
/// written even when null,
/// <c>created_at</c> keeps milliseconds.
/// </summary>
public static class AlertJson
{
    /// <summary>The Redis key of an alert's hot copy (the seed's <c>fraud:{tx_id}</c>), which also dedups the alert.</summary>
    /// <param name="txId">The alert's transaction id.</param>
    /// <returns>The key.</returns>
    public static string CacheKey(string txId) => $"fraud:{txId}";

    /// <summary>Writes <paramref name="alert"/> as UTF-8 JSON, ready to publish or to return.</summary>
    /// <param name="alert">The alert to write.</param>
    /// <returns>The JSON bytes.</returns>
    public static byte[] SerializeToUtf8Bytes(Alert alert) =>
        JsonSerializer.SerializeToUtf8Bytes(ToWire(alert), WireJsonContext.Default.AlertWire);

    /// <summary>Writes <paramref name="alert"/> as one JSON line (no trailing newline).</summary>
    /// <param name="alert">The alert to write.</param>
    /// <returns>The JSON text.</returns>
    public static string Serialize(Alert alert) =>
        JsonSerializer.Serialize(ToWire(alert), WireJsonContext.Default.AlertWire);

    /// <summary>
    /// Reads an alert written by <see cref="Serialize"/> (or by the seed, whose alerts lack the later fields).
    /// <c>amount</c> may be a string or a number. Fields added after the seed default when absent: <c>risk</c> 0,
    /// <c>rules</c> empty, <c>model_version</c> empty, <c>status</c> <c>"open"</c>, <c>rules_version</c> and <c>classifier_version</c> null.
    /// </summary>
    /// <param name="utf8Json">The alert bytes, UTF-8.</param>
    /// <returns>The alert; null when the text is not valid JSON, not an object, or lacks one of <c>tx_id</c>,
    /// <c>user_id</c>, <c>amount</c>, <c>location</c>, <c>ts</c>, <c>reason</c>, <c>created_at</c>.</returns>
    public static Alert? Deserialize(ReadOnlySpan<byte> utf8Json)
    {
        if (!WireReader.TryRead(utf8Json, WireJsonContext.Default.AlertWire, static _ => string.Empty, out var wire, out _))
        {
            return null;
        }

        if (wire is not
            {
                TxId: { } txId, UserId: { } userId, Amount: { } amount, Location: { } location, Ts: { } ts,
                Reason: { } reason, CreatedAt: { } createdAt,
            })
        {
            return null;
        }

        return new Alert(
            txId,
            userId,
            amount,
            location,
            ts,
            wire.Score,
            reason,
            createdAt,
            wire.Risk ?? 0,
            wire.Rules ?? [],
            wire.ModelVersion ?? string.Empty,
            wire.Status ?? "open",
            wire.RulesVersion,
            wire.ClassifierVersion);
    }

    private static AlertWire ToWire(Alert alert) => new()
    {
        TxId = alert.TxId,
        UserId = alert.UserId,
        Amount = alert.Amount,
        Location = alert.Location,
        Ts = alert.Ts,
        Score = alert.Score,
        Reason = alert.Reason,
        CreatedAt = alert.CreatedAt,
        Risk = alert.Risk,
        Rules = alert.Rules,
        ModelVersion = alert.ModelVersion,
        Status = alert.Status,
        RulesVersion = alert.RulesVersion,
        ClassifierVersion = alert.ClassifierVersion,
    };
}
