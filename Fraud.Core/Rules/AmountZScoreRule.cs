using Fraud.Core.Features;

namespace Fraud.Core.Rules;

/// <summary>
/// <c>amount_zscore</c>: the amount is at least <c>min_zscore</c> (floored) standard deviations above the user's
/// decayed mean, once the user has <c>min_history</c> earlier transactions, and at least <c>min_amount</c>.
/// </summary>
public sealed class AmountZScoreRule : Rule
{
    /// <summary>The kind's JSON name.</summary>
    public const string KindName = "amount_zscore";

    /// <summary>Creates the rule.</summary>
    /// <param name="name">Its unique name.</param>
    /// <param name="weight">Its weight in (0, 1].</param>
    /// <param name="minZScore">The z-score from which it fires.</param>
    /// <param name="minHistory">Earlier transactions the user needs before the mean means anything.</param>
    /// <param name="minAmount">Smallest amount it fires on, so that 2 → 9 does not alert.</param>
    public AmountZScoreRule(string name, double weight, double minZScore, int minHistory, double minAmount)
        : base(name, weight)
    {
        MinZScore = minZScore;
        MinHistory = minHistory;
        MinAmount = minAmount;
    }

    /// <summary>The z-score from which it fires.</summary>
    public double MinZScore { get; }

    /// <summary>Earlier transactions the user needs.</summary>
    public int MinHistory { get; }

    /// <summary>Smallest amount it fires on.</summary>
    public double MinAmount { get; }

    /// <inheritdoc/>
    public override string Kind => KindName;

    /// <inheritdoc/>
    public override bool Matches(in RuleContext context, out double observed)
    {
        observed = context.Features[FeatureSchema.AmountZScore];
        return context.History.Count >= MinHistory && observed >= MinZScore && context.Amount >= MinAmount;
    }

    /// <inheritdoc/>
    public override string Describe(double observed) =>
        $"{Name}: amount {RuleText.Number(observed)} standard deviations above the user's mean (>= {RuleText.Number(MinZScore)})";

    internal static AmountZScoreRule Read(string name, double weight, RuleParameters parameters) => new(
        name,
        weight,
        parameters.Number("min_zscore", min: 0, exclusiveMin: true),
        parameters.Integer("min_history", min: 1, max: int.MaxValue),
        parameters.Number("min_amount", min: 0, fallback: 0));
}
