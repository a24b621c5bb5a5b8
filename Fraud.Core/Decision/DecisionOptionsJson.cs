using System.Diagnostics.CodeAnalysis;
using Fraud.Core.Configuration;

namespace Fraud.Core.Decision;

/// <summary>
/// Reads <see cref="DecisionOptions"/> from JSON, every field optional:
/// <c>{"alert_threshold":0.8,"forest_evidence":"rank","forest_anomaly_share":0.02,"forest_rank_steepness":2,
/// "amount_tail_share":0.01,"amount_tail_steepness":3,"amount_tail_weight":0.77,"forest_weight":0.76,"forest_weight_with_classifier":0,"forest_scale":0.03,"score_threshold":null,"classifier_weight":1}</c>.
/// Comments and trailing commas are allowed; unknown fields are errors.
/// </summary>
public static class DecisionOptionsJson
{
    /// <summary>Parses and validates decision options, reporting every problem as <c>"field: why"</c>.</summary>
    /// <param name="utf8Json">The file's bytes, UTF-8.</param>
    /// <param name="options">The options, when valid; defaults fill absent fields.</param>
    /// <param name="errors">Every problem found; empty when valid.</param>
    /// <returns>True when the text is valid.</returns>
    public static bool TryParse(ReadOnlySpan<byte> utf8Json, [NotNullWhen(true)] out DecisionOptions? options, out IReadOnlyList<string> errors)
    {
        options = null;
        if (!ConfigJson.TryRead(utf8Json, ConfigJsonContext.Default.DecisionOptionsWire, static field => field == "forest_evidence" ? "must be \"rank\" or \"score\"" : "must be a number", out var wire, out string? error))
        {
            errors = [error];
            return false;
        }

        var defaults = new DecisionOptions();
        ForestEvidence? evidence = wire.ForestEvidence switch
        {
            null => defaults.ForestEvidence,
            "rank" => ForestEvidence.Rank,
            "score" => ForestEvidence.Score,
            _ => null,
        };
        if (evidence is null)
        {
            errors = [$"forest_evidence: must be \"rank\" or \"score\", got \"{wire.ForestEvidence}\""];
            return false;
        }

        var candidate = new DecisionOptions
        {
            ForestEvidence = evidence.Value,
            ForestAnomalyShare = wire.ForestAnomalyShare ?? defaults.ForestAnomalyShare,
            ForestRankSteepness = wire.ForestRankSteepness ?? defaults.ForestRankSteepness,
            AmountTailShare = wire.AmountTailShare ?? defaults.AmountTailShare,
            AmountTailSteepness = wire.AmountTailSteepness ?? defaults.AmountTailSteepness,
            AmountTailWeight = wire.AmountTailWeight ?? defaults.AmountTailWeight,
            AlertThreshold = wire.AlertThreshold ?? defaults.AlertThreshold,
            ForestWeight = wire.ForestWeight ?? defaults.ForestWeight,
            ForestWeightWithClassifier = wire.ForestWeightWithClassifier ?? defaults.ForestWeightWithClassifier,
            ForestScale = wire.ForestScale ?? defaults.ForestScale,
            ScoreThreshold = wire.ScoreThreshold,
            ClassifierWeight = wire.ClassifierWeight ?? defaults.ClassifierWeight,
        };
        errors = [.. ConfigJson.Unknown(string.Empty, wire.Unknown), .. candidate.Problems()];
        options = errors.Count == 0 ? candidate : null;
        return options is not null;
    }
}
