namespace Fraud.Core.Decision;

/// <summary>
/// How <see cref="DecisionEngine"/> turns the forest's score and the rule hits into a risk and an alert; read from
/// JSON by <see cref="DecisionOptionsJson"/>. The forest's evidence is a logistic of how far the score lies below
/// the threshold, <c>f = 1 / (1 + exp((score − threshold) / forest_scale))</c>, one half at the threshold. The
/// risk is a noisy OR of the weighted evidence: <c>risk = 1 − (1 − forest_weight·f) · (1 − classifier_weight·p) ·
/// Π (1 − weightᵢ)</c> over the rules that fired, where p is the supervised classifier's fraud probability (the factor
/// is 1 without a classifier). Without rules the risk is the forest's evidence itself (weight 1); without a model, the rules'
/// noisy OR alone.
/// </summary>
public sealed record DecisionOptions
{
    /// <summary>An alert is raised when the risk is at least this; in (0, 1].</summary>
    public double AlertThreshold { get; init; } = 0.8;

    /// <summary>The forest's weight in the noisy OR with the rules: the risk a maximally anomalous score alone reaches; in [0, 1].</summary>
    public double ForestWeight { get; init; } = 0.8;

    /// <summary>How many score units below the threshold move the forest's evidence from 0.5 to about 0.73; greater than 0.</summary>
    public double ForestScale { get; init; } = 0.03;

    /// <summary>The supervised classifier's weight in the noisy OR: the risk a certain fraud probability alone reaches; in [0, 1].</summary>
    public double ClassifierWeight { get; init; } = 1.0;

    /// <summary>The score below which the forest calls a transaction anomalous; null uses the model's own offset.</summary>
    public double? ScoreThreshold { get; init; }

    /// <summary>Every problem with the values, as <c>"field: why"</c>; empty when they are valid.</summary>
    /// <returns>The problems.</returns>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (!(AlertThreshold > 0 && AlertThreshold <= 1))
        {
            problems.Add($"alert_threshold: must be greater than 0 and at most 1, got {AlertThreshold}");
        }

        if (!(ForestWeight >= 0 && ForestWeight <= 1))
        {
            problems.Add($"forest_weight: must be between 0 and 1, got {ForestWeight}");
        }

        if (!(ClassifierWeight >= 0 && ClassifierWeight <= 1))
        {
            problems.Add($"classifier_weight: must be between 0 and 1, got {ClassifierWeight}");
        }

        if (!(ForestScale > 0 && double.IsFinite(ForestScale)))
        {
            problems.Add($"forest_scale: must be greater than 0, got {ForestScale}");
        }

        if (ScoreThreshold is { } threshold && !(threshold >= -1 && threshold <= 0))
        {
            problems.Add($"score_threshold: must be between -1 and 0, got {threshold}");
        }

        return problems;
    }
}
