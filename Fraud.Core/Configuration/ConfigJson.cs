using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Fraud.Core.Configuration;

/// <summary>
/// Reads the detection configuration files (rule set, decision options) through source-generated metadata and turns
/// a JSON failure into an error that names where it happened: <c>"rules[2].weight: must be a number"</c>, or
/// <c>"invalid JSON: …"</c> with the line and byte position when the text is not JSON at all.
/// </summary>
internal static class ConfigJson
{
    public static bool TryRead<T>(
        ReadOnlySpan<byte> utf8Json,
        JsonTypeInfo<T> typeInfo,
        Func<string, string> expectation,
        [NotNullWhen(true)] out T? value,
        [NotNullWhen(false)] out string? error)
        where T : class
    {
        value = null;
        try
        {
            value = JsonSerializer.Deserialize(utf8Json, typeInfo);
            error = value is null ? "invalid JSON: expected an object, got null" : null;
            return value is not null;
        }
        catch (JsonException exception) when (exception.InnerException is JsonException || exception.Path is null or "$")
        {
            error = $"invalid JSON: {exception.Message}";
            return false;
        }
        catch (JsonException exception)
        {
            string path = exception.Path!.StartsWith("$.", StringComparison.Ordinal) ? exception.Path[2..] : exception.Path;
            string field = path[(path.LastIndexOf('.') + 1)..];
            error = exception.InnerException is null && exception.Message.Contains("duplicate", StringComparison.OrdinalIgnoreCase)
                ? $"{path}: must appear only once"
                : $"{path}: {expectation(field)}";
            return false;
        }
    }

    /// <summary>Errors for fields the file has but the format does not know: a misspelt name would otherwise be ignored.</summary>
    public static IEnumerable<string> Unknown(string where, IDictionary<string, JsonElement>? extra) =>
        (extra ?? new Dictionary<string, JsonElement>()).Keys.Order(StringComparer.Ordinal).Select(name => $"{where}{name}: unknown field");
}

/// <summary>Wire shape of a rule set file.</summary>
internal sealed class RuleSetWire
{
    public string? Version { get; set; }

    public List<RuleWire?>? Rules { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; set; }
}

/// <summary>Wire shape of one rule.</summary>
internal sealed class RuleWire
{
    public string? Name { get; set; }

    public string? Kind { get; set; }

    public double? Weight { get; set; }

    public Dictionary<string, JsonElement>? Parameters { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; set; }
}

/// <summary>Wire shape of a decision options file.</summary>
internal sealed class DecisionOptionsWire
{
    public double? AlertThreshold { get; set; }

    public double? ForestWeight { get; set; }

    public double? ForestWeightWithClassifier { get; set; }

    public double? ForestScale { get; set; }

    public double? ScoreThreshold { get; set; }

    public double? ClassifierWeight { get; set; }

    public string? ForestEvidence { get; set; }

    public double? ForestAnomalyShare { get; set; }

    public double? ForestRankSteepness { get; set; }

    public double? AmountTailShare { get; set; }

    public double? AmountTailSteepness { get; set; }

    public double? AmountTailWeight { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; set; }
}

/// <summary>
/// Source-generated serialization of the configuration files: snake_case names, comments and trailing commas
/// allowed (people edit these files), a field given twice rejected.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    AllowDuplicateProperties = false)]
[JsonSerializable(typeof(RuleSetWire))]
[JsonSerializable(typeof(DecisionOptionsWire))]
internal sealed partial class ConfigJsonContext : JsonSerializerContext;
