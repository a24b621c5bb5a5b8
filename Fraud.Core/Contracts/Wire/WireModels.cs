using System.Text.Json.Serialization;

namespace Fraud.Core;

// The JSON shapes of the contracts, every field nullable so that a missing or null value reaches validation as null.
// The public records stay free of serialization concerns; TransactionJson, LabelJson and AlertJson map between them.

/// <summary>Wire shape of <see cref="Transaction"/>.</summary>
internal sealed class TransactionWire
{
    public string? TxId { get; set; }

    public long? UserId { get; set; }

    public decimal? Amount { get; set; }

    public string? Currency { get; set; }

    public string? Location { get; set; }

    [JsonConverter(typeof(UtcMicrosecondsConverter))]
    public DateTimeOffset? Ts { get; set; }

    public string? MerchantId { get; set; }

    public int? Mcc { get; set; }

    [JsonConverter(typeof(ChannelConverter))]
    public Channel? Channel { get; set; }

    public string? DeviceId { get; set; }

    public double? Lat { get; set; }

    public double? Lon { get; set; }
}

/// <summary>Wire shape of <see cref="Label"/>.</summary>
internal sealed class LabelWire
{
    public string? TxId { get; set; }

    public bool? IsFraud { get; set; }

    public string? Scenario { get; set; }

    public string? MerchantId { get; set; }

    [JsonConverter(typeof(UtcMicrosecondsConverter))]
    public DateTimeOffset? Ts { get; set; }
}

/// <summary>Wire shape of <see cref="Alert"/>.</summary>
internal sealed class AlertWire
{
    public string? TxId { get; set; }

    public long? UserId { get; set; }

    [JsonConverter(typeof(TwoDecimalStringConverter))]
    public decimal? Amount { get; set; }

    public string? Location { get; set; }

    [JsonConverter(typeof(UtcMicrosecondsConverter))]
    public DateTimeOffset? Ts { get; set; }

    /// <summary>Written even when null: the API's consumers expect the key.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public double? Score { get; set; }

    public string? Reason { get; set; }

    [JsonConverter(typeof(UtcMillisecondsConverter))]
    public DateTimeOffset? CreatedAt { get; set; }

    public double? Risk { get; set; }

    public IReadOnlyList<string>? Rules { get; set; }

    public string? ModelVersion { get; set; }

    public string? Status { get; set; }

    /// <summary>Written even when null, like <see cref="Score"/>: every alert has the same keys.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? RulesVersion { get; set; }

    /// <summary>Written even when null, like <see cref="Score"/>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? ClassifierVersion { get; set; }
}

/// <summary>
/// Source-generated serialization for the wire shapes: snake_case names, null optionals omitted, strict numbers
/// (no numbers in strings), unknown fields skipped, a field given twice rejected.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    AllowDuplicateProperties = false)]
[JsonSerializable(typeof(TransactionWire))]
[JsonSerializable(typeof(LabelWire))]
[JsonSerializable(typeof(AlertWire))]
internal sealed partial class WireJsonContext : JsonSerializerContext;
