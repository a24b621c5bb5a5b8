namespace Fraud.Core.Decision;

/// <summary>
/// How <see cref="DecisionEngine"/> turns the forest's score, the rule hits and the classifier's probability into a
/// risk and an alert; read from JSON by <see cref="DecisionOptionsJson"/>. The risk is a noisy OR of the evidence:
/// <c>risk = 1 − (1 − forest_weight·f) · (1 − classifier_weight·p) · Π (1 − weightᵢ)</c> over the rules that fired,
/// where p is the supervised classifier's fraud probability (the factor is 1 without a classifier). With a classifier the
/// forest's weight is <see cref="ForestWeightWithClassifier"/> instead: the classifier, trained on labels over the
/// features the forest reads, has learnt which anomalies are fraud, and a calibrated probability ranks better alone than
/// lifted by the forest's guess.
/// <para>
/// The forest's evidence f comes from the score's <b>rank</b> among the training scores when the model kept them
/// (<see cref="Detection.Forest.IsolationForest.TrainingScores"/>) and <see cref="ForestEvidence"/> is
/// <see cref="ForestEvidence.Rank"/>: with t the share of training scores at or below the score,
/// <c>f = 1 / (1 + (t / forest_anomaly_share)^forest_rank_steepness)</c>, one half at the anomaly share. It depends
/// only on the rank, not on the scale of the scores, which differs from one data set to another, so the forest's
/// part in the alerts stays the same on data nobody tuned on: alone, it alerts on the lowest
/// <c>forest_anomaly_share · ((1 − alert_threshold) / alert_threshold)^(1 / forest_rank_steepness)</c> of what training
/// saw. Otherwise (a model file of format version 1, or <c>"forest_evidence": "score"</c>) f is a logistic of how far
/// the score lies below the score threshold, <c>f = 1 / (1 + exp((score − threshold) / forest_scale))</c>. Without
/// rules the forest's weight is 1; without a model, the rules' noisy OR alone decides.
/// </para>
/// <para>
/// By rank, the forest's evidence is also at least the <b>amount's tail evidence</b>: with u the smallest share of
/// training rows whose <c>amount_log</c> or <c>amount_excess_30d_log</c> (<see cref="Features.FeatureSchema.AmountTailNames"/>)
/// was at or above the transaction's (<see cref="Detection.Forest.FeatureTails"/>), the forest's factor becomes
/// <c>1 − max(forest_weight·f, amount_tail_weight·e)</c> with <c>e = 1 / (1 + (u / amount_tail_share)^amount_tail_steepness)</c>.
/// A forest averages its features, so an amount far above anything training saw, or far above its user's month,
/// isolates no faster than a point a little odd on several features (on data whose tiny amounts are ordinary, those
/// outrank it); read on its own, that one-sided rank finds what sorting by amount finds without giving up what the
/// forest finds. Its weight is a little above the forest's, so that the top of the amount's tail outranks the forest's
/// most isolated points, and both stay low enough that neither alerts with only a weak rule beside it. With a
/// classifier, or without rules, it takes the forest's weight. Models written before format version 3 keep no
/// training tails and get no tail evidence (docs/detection.md, "The amount's tail").
/// </para>
/// </summary>
public sealed record DecisionOptions
{
    /// <summary>An alert is raised when the risk is at least this; in (0, 1].</summary>
    public double AlertThreshold { get; init; } = 0.8;

    /// <summary>How the forest's score becomes evidence: by its rank among the training scores (default) or by the score threshold.</summary>
    public ForestEvidence ForestEvidence { get; init; } = ForestEvidence.Rank;

    /// <summary>Rank only: the share of training transactions the forest calls anomalous (its evidence is one half there), in (0, 0.5].</summary>
    public double ForestAnomalyShare { get; init; } = 0.02;

    /// <summary>Rank only: how fast the forest's evidence rises as the rank falls below the anomaly share (its slope in −ln t); greater than 0.</summary>
    public double ForestRankSteepness { get; init; } = 2.0;

    /// <summary>
    /// Rank only: the share of training transactions whose amount (or excess over the user's 30-day mean) the tail
    /// evidence calls anomalous, its evidence one half there; in [0, 0.5], 0 turns the tail evidence off.
    /// </summary>
    public double AmountTailShare { get; init; } = 0.01;

    /// <summary>Rank only: how fast the tail evidence rises as the amount's upper tail share falls below <see cref="AmountTailShare"/>; greater than 0.</summary>
    public double AmountTailSteepness { get; init; } = 3.0;

    /// <summary>Rank only, with rules and no classifier: the risk the amount's tail evidence alone reaches; in [0, 1].</summary>
    public double AmountTailWeight { get; init; } = 0.77;

    /// <summary>The forest's weight in the noisy OR with the rules: the risk a maximally anomalous score alone reaches; in [0, 1].</summary>
    public double ForestWeight { get; init; } = 0.76;

    /// <summary>
    /// The forest's weight in the noisy OR when a supervised classifier decides too, in [0, 1]; 0 by default: its score
    /// is still computed, reported and sampled, but it does not raise the risk. Labels have then told the classifier
    /// which anomalies are fraud, and on both simulated worlds any forest weight lowered the average precision of the
    /// classifier's ranking (docs/detection.md). Raise it to keep the forest as a safety net for patterns the labels
    /// have not shown yet.
    /// </summary>
    public double ForestWeightWithClassifier { get; init; }

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

        if (!(ForestWeightWithClassifier >= 0 && ForestWeightWithClassifier <= 1))
        {
            problems.Add($"forest_weight_with_classifier: must be between 0 and 1, got {ForestWeightWithClassifier}");
        }

        if (!(ClassifierWeight >= 0 && ClassifierWeight <= 1))
        {
            problems.Add($"classifier_weight: must be between 0 and 1, got {ClassifierWeight}");
        }

        if (!(ForestScale > 0 && double.IsFinite(ForestScale)))
        {
            problems.Add($"forest_scale: must be greater than 0, got {ForestScale}");
        }

        if (!(ForestAnomalyShare > 0 && ForestAnomalyShare <= 0.5))
        {
            problems.Add($"forest_anomaly_share: must be greater than 0 and at most 0.5, got {ForestAnomalyShare}");
        }

        if (!(ForestRankSteepness > 0 && double.IsFinite(ForestRankSteepness)))
        {
            problems.Add($"forest_rank_steepness: must be greater than 0, got {ForestRankSteepness}");
        }

        if (!(AmountTailShare >= 0 && AmountTailShare <= 0.5))
        {
            problems.Add($"amount_tail_share: must be between 0 and 0.5, got {AmountTailShare}");
        }

        if (!(AmountTailWeight >= 0 && AmountTailWeight <= 1))
        {
            problems.Add($"amount_tail_weight: must be between 0 and 1, got {AmountTailWeight}");
        }

        if (!(AmountTailSteepness > 0 && double.IsFinite(AmountTailSteepness)))
        {
            problems.Add($"amount_tail_steepness: must be greater than 0, got {AmountTailSteepness}");
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
