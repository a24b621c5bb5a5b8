namespace Fraud.Core.Decision;

/// <summary>
/// How <see cref="DecisionEngine"/> turns the forest's score, the rule hits and the classifier's probability into a
/// risk and an alert; read from JSON by <see cref="DecisionOptionsJson"/>. The risk is a noisy OR of the evidence:
/// <c>risk = 1 − (1 − forest_weight·f) · (1 − classifier_weight·p) · Π (1 − weightᵢ)</c> over the rules that fired,
/// where p is the supervised classifier's fraud probability (the factor is 1 without a classifier).
/// <para>
/// The forest's evidence f comes from the score's <b>rank</b> among the training scores when the model kept them
/// (<see cref="Detection.Forest.IsolationForest.TrainingScores"/>) and <see cref="ForestEvidence"/> is <see cref="ForestEvidence.Rank"/>:
/// with t the share of training scores at or below the score, <c>f = σ(logit(alert_threshold) + forest_rank_steepness ·
/// ln(forest_alert_share / t))</c> and a forest weight of 1, so the forest alone alerts on exactly the lowest
/// <c>forest_alert_share</c> of what training saw, whatever the scale of the scores. Otherwise (a model file of format
/// version 1, or <c>"forest_evidence": "score"</c>) f is a logistic of how far the score lies below the score threshold,
/// <c>f = 1 / (1 + exp((score − threshold) / forest_scale))</c>, weighted by <see cref="ForestWeight"/> when there are
/// rules. Without a model, the rules' noisy OR alone.
/// </para>
/// </summary>
public sealed record DecisionOptions
{
    /// <summary>An alert is raised when the risk is at least this; in (0, 1].</summary>
    public double AlertThreshold { get; init; } = 0.8;

    /// <summary>How the forest's score becomes evidence: by its rank among the training scores (default) or by the score threshold.</summary>
    public ForestEvidence ForestEvidence { get; init; } = ForestEvidence.Rank;

    /// <summary>Rank only: the share of training transactions the forest alone alerts on, in (0, 0.5]; default 0.005.</summary>
    public double ForestAlertShare { get; init; } = 0.005;

    /// <summary>How fast the forest's rank evidence rises as the rank falls below the alert share: its slope in ln t; greater than 0.</summary>
    public double ForestRankSteepness { get; init; } = 1.0;

    /// <summary>Score threshold only: the forest's weight in the noisy OR with the rules, the risk a maximally anomalous score alone reaches; in [0, 1].</summary>
    public double ForestWeight { get; init; } = 0.8;

    /// <summary>Score threshold only: how many score units below the threshold move the forest's evidence from 0.5 to about 0.73; greater than 0.</summary>
    public double ForestScale { get; init; } = 0.03;

    /// <summary>The supervised classifier's weight in the noisy OR: the risk a certain fraud probability alone reaches; in [0, 1].</summary>
    public double ClassifierWeight { get; init; } = 1.0;

    /// <summary>Score threshold only: the score below which the forest calls a transaction anomalous; null uses the model's own offset.</summary>
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

        if (!(ForestAlertShare > 0 && ForestAlertShare <= 0.5))
        {
            problems.Add($"forest_alert_share: must be greater than 0 and at most 0.5, got {ForestAlertShare}");
        }

        if (!(ForestRankSteepness > 0 && double.IsFinite(ForestRankSteepness)))
        {
            problems.Add($"forest_rank_steepness: must be greater than 0, got {ForestRankSteepness}");
        }

        if (ScoreThreshold is { } threshold && !(threshold >= -1 && threshold <= 0))
        {
            problems.Add($"score_threshold: must be between -1 and 0, got {threshold}");
        }
        else if (ScoreThreshold is not null && ForestEvidence != ForestEvidence.Score)
        {
            problems.Add("score_threshold: applies only with \"forest_evidence\": \"score\"");
        }

        return problems;
    }
}

/// <summary>How the decision reads the forest's score.</summary>
public enum ForestEvidence
{
    /// <summary>By the score's rank among the model's training scores: independent of the scores' scale.</summary>
    Rank,

    /// <summary>By how far the score lies below a score threshold (the model's offset unless configured).</summary>
    Score,
}
