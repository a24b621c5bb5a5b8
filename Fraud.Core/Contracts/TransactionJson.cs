using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace Fraud.Core;

/// <summary>
/// Reads and writes <see cref="Transaction"/> in the wire format of <c>transactions.v1</c> and of JSONL files:
/// one snake_case JSON object, e.g.
/// <c>{"tx_id":"tx_000000001","user_id":4405,"amount":1881.22,"currency":"EUR","location":"ES","ts":"2025-09-13T07:46:41.314350Z"}</c>.
/// </summary>
public static class TransactionJson
{
    /// <summary>The largest amount accepted; anything above is a data error, not a purchase.</summary>
    public const decimal MaxAmount = 1_000_000_000_000m;

    /// <summary>The longest identifier accepted (<c>tx_id</c>, <c>merchant_id</c>, <c>device_id</c>).</summary>
    public const int MaxIdLength = 64;

    /// <summary>
    /// Parses and validates one message or JSONL line. Unknown fields are ignored and a null optional field counts as
    /// absent. On failure <paramref name="error"/> names the first field at fault and why, always as
    /// <c>"&lt;json name&gt;: &lt;reason&gt;"</c> (e.g. <c>"amount: must be greater than 0"</c>), or starts with
    /// <c>"invalid JSON: "</c> when the text is not a JSON object.
    /// </summary>
    /// <param name="utf8Json">The message bytes, UTF-8.</param>
    /// <param name="transaction">The transaction, when valid.</param>
    /// <param name="error">Why it is not, otherwise.</param>
    /// <returns>True when the message is a valid transaction.</returns>
    public static bool TryParse(
        ReadOnlySpan<byte> utf8Json,
        [NotNullWhen(true)] out Transaction? transaction,
        [NotNullWhen(false)] out string? error)
    {
        transaction = null;
        return WireReader.TryRead(utf8Json, WireJsonContext.Default.TransactionWire, Expectation, out var wire, out error)
            && TryCreate(wire, out transaction, out error);
    }

    /// <summary>Checks a wire object against the contract, whatever it was read from (JSON, a CSV row).</summary>
    internal static bool TryCreate(
        TransactionWire wire,
        [NotNullWhen(true)] out Transaction? transaction,
        [NotNullWhen(false)] out string? error)
    {
        transaction = null;
        error = Validate(wire);
        if (error is not null)
        {
            return false;
        }

        transaction = new Transaction(
            wire.TxId!,
            wire.UserId!.Value,
            wire.Amount!.Value,
            wire.Currency ?? CurrencyCodes.Default,
            wire.Location!,
            wire.Ts!.Value,
            wire.MerchantId,
            wire.Mcc,
            wire.Channel,
            wire.DeviceId,
            wire.Lat,
            wire.Lon);
        return true;
    }

    /// <summary>Writes <paramref name="transaction"/> as UTF-8 JSON, ready to publish (null optionals omitted).</summary>
    /// <param name="transaction">The transaction to write.</param>
    /// <returns>The message bytes.</returns>
    public static byte[] SerializeToUtf8Bytes(Transaction transaction) =>
        JsonSerializer.SerializeToUtf8Bytes(ToWire(transaction), WireJsonContext.Default.TransactionWire);

    /// <summary>Writes <paramref name="transaction"/> as UTF-8 JSON into <paramref name="writer"/>, e.g. to reuse one buffer for many.</summary>
    /// <param name="writer">Where to write.</param>
    /// <param name="transaction">The transaction to write.</param>
    public static void Write(Utf8JsonWriter writer, Transaction transaction) =>
        JsonSerializer.Serialize(writer, ToWire(transaction), WireJsonContext.Default.TransactionWire);

    /// <summary>Writes <paramref name="transaction"/> as one JSON line (no trailing newline).</summary>
    /// <param name="transaction">The transaction to write.</param>
    /// <returns>The JSON text.</returns>
    public static string Serialize(Transaction transaction) =>
        JsonSerializer.Serialize(ToWire(transaction), WireJsonContext.Default.TransactionWire);

    /// <summary>The first broken rule of the contract, in the order the fields are listed there; null when none is.</summary>
    private static string? Validate(TransactionWire wire)
    {
        if (CheckId("tx_id", wire.TxId, required: true) is { } txIdError)
        {
            return txIdError;
        }

        if (wire.UserId is not { } userId)
        {
            return "user_id: required";
        }

        if (userId < 0)
        {
            return "user_id: must not be negative";
        }

        if (wire.Amount is not { } amount)
        {
            return "amount: required";
        }

        if (amount <= 0)
        {
            return "amount: must be greater than 0";
        }

        if (amount > MaxAmount)
        {
            return $"amount: must be at most {MaxAmount:0}";
        }

        if (wire.Currency is { } currency && !CurrencyCodes.IsActive(currency))
        {
            return $"currency: {WireReader.Quote(currency)} is not an active ISO-4217 code";
        }

        if (wire.Location is not { } location)
        {
            return "location: required";
        }

        if (!CountryCodes.IsAssigned(location))
        {
            return $"location: {WireReader.Quote(location)} is not an ISO-3166 alpha-2 code";
        }

        if (wire.Ts is null)
        {
            return "ts: required";
        }

        if (CheckId("merchant_id", wire.MerchantId, required: false) is { } merchantIdError)
        {
            return merchantIdError;
        }

        if (wire.Mcc is < 0 or > 9999)
        {
            return "mcc: must be between 0 and 9999";
        }

        // channel: the converter already accepts only pos, ecom and atm.
        if (CheckId("device_id", wire.DeviceId, required: false) is { } deviceIdError)
        {
            return deviceIdError;
        }

        if (wire.Lat is < -90 or > 90)
        {
            return "lat: must be between -90 and 90";
        }

        if (wire.Lon is < -180 or > 180)
        {
            return "lon: must be between -180 and 180";
        }

        return (wire.Lat, wire.Lon) switch
        {
            (null, not null) => "lat: required when lon is given",
            (not null, null) => "lon: required when lat is given",
            _ => null,
        };
    }

    internal static string? CheckId(string field, string? value, bool required) => value switch
    {
        null => required ? $"{field}: required" : null,
        _ when string.IsNullOrWhiteSpace(value) => $"{field}: must not be empty",
        { Length: > MaxIdLength } => $"{field}: must be at most {MaxIdLength} characters",
        _ => null,
    };

    private static string Expectation(string field) => field switch
    {
        "user_id" or "mcc" => "must be an integer",
        "amount" or "lat" or "lon" => "must be a number",
        _ => "must be a string",
    };

    private static TransactionWire ToWire(Transaction transaction) => new()
    {
        TxId = transaction.TxId,
        UserId = transaction.UserId,
        Amount = transaction.Amount,
        Currency = transaction.Currency,
        Location = transaction.Location,
        Ts = transaction.Ts,
        MerchantId = transaction.MerchantId,
        Mcc = transaction.Mcc,
        Channel = transaction.Channel,
        DeviceId = transaction.DeviceId,
        Lat = transaction.Lat,
        Lon = transaction.Lon,
    };
}
