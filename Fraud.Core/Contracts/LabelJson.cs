using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace Fraud.Core;

/// <summary>
/// Reads and writes <see cref="Label"/>:
/// <c>{"tx_id":"tx_1","is_fraud":true,"scenario":"card_testing","merchant_id":"m_42","ts":"2025-09-01T10:00:00.000000Z"}</c>,
/// each of the last three omitted when null.
/// </summary>
public static class LabelJson
{
    /// <summary>Writes <paramref name="label"/> as one JSON line (no trailing newline).</summary>
    /// <param name="label">The label to write.</param>
    /// <returns>The JSON text.</returns>
    public static string Serialize(Label label) => JsonSerializer.Serialize(ToWire(label), WireJsonContext.Default.LabelWire);

    /// <summary>Writes <paramref name="label"/> as UTF-8 JSON, ready to publish or to append to a JSONL file.</summary>
    /// <param name="label">The label to write.</param>
    /// <returns>The JSON bytes.</returns>
    public static byte[] SerializeToUtf8Bytes(Label label) =>
        JsonSerializer.SerializeToUtf8Bytes(ToWire(label), WireJsonContext.Default.LabelWire);

    /// <summary>
    /// Parses and validates one label. Errors read like <see cref="TransactionJson.TryParse"/>'s, e.g.
    /// <c>"is_fraud: required"</c>.
    /// </summary>
    /// <param name="utf8Json">The label bytes, UTF-8.</param>
    /// <param name="label">The label, when valid.</param>
    /// <param name="error">Why it is not, otherwise.</param>
    /// <returns>True when the text is a valid label.</returns>
    public static bool TryParse(
        ReadOnlySpan<byte> utf8Json,
        [NotNullWhen(true)] out Label? label,
        [NotNullWhen(false)] out string? error)
    {
        label = null;
        if (!WireReader.TryRead(utf8Json, WireJsonContext.Default.LabelWire, Expectation, out var wire, out error))
        {
            return false;
        }

        error = wire switch
        {
            { TxId: null } => "tx_id: required",
            { TxId: var id } when string.IsNullOrWhiteSpace(id) => "tx_id: must not be empty",
            { TxId.Length: > TransactionJson.MaxIdLength } => $"tx_id: must be at most {TransactionJson.MaxIdLength} characters",
            { IsFraud: null } => "is_fraud: required",
            _ => TransactionJson.CheckId("merchant_id", wire.MerchantId, required: false),
        };
        if (error is not null)
        {
            return false;
        }

        label = new Label(wire.TxId!, wire.IsFraud!.Value, wire.Scenario, wire.MerchantId, wire.Ts);
        return true;
    }

    private static LabelWire ToWire(Label label) => new()
    {
        TxId = label.TxId,
        IsFraud = label.IsFraud,
        Scenario = label.Scenario,
        MerchantId = label.MerchantId,
        Ts = label.Ts,
    };

    private static string Expectation(string field) => field == "is_fraud" ? "must be true or false" : "must be a string";
}
