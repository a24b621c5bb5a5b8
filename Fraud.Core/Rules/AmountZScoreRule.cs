using Fraud.Core.Features;

namespace Fraud.Core.Rules;

/// <summary>
/// <c>amount_zscore</c>: the amount is at least <c>min_zscore</c> (floored) standard deviations above the user's
/// decayed mean and at least <c>min_ratio</c> times that mean, once the user has <c>min_history</c> earlier
/// transactions, and at least <c>min_amount</c>. Both the z-score and the ratio are relative to the user's own
/// amounts, so they mean the same in every currency; <c>min_amount</c> (default 0) is in the transaction's currency.
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
    /// <param name="minAmount">Smallest amount it fires on, in the transaction's currency; 0 for none.</param>
    /// <param name="minRatio">
    /// Smallest amount it fires on as a multiple of the user's decayed mean; 0 for none. Relative, so that 2 → 9
    /// (4.5 times) may fire while 100 → 140 for a user who always pays 100 (a z-score of 4 against the floored
    /// deviation) does not, in any currency.
    /// </param>
    public AmountZScoreRule(string name, double weight, double minZScore, int minHistory, double minAmount, double minRatio = 0)
        : base(name, weight)
    {
        MinZScore = minZScore;
        MinHistory = minHistory;
        MinAmount = minAmount;
        MinRatio = minRatio;
        _minLogRatio = minRatio > 0 ? Math.Log(minRatio) : double.NegativeInfinity;
    }

    private readonly double _minLogRatio;

    /// <summary>The z-score from which it fires.</summary>
    public double MinZScore { get; }

    /// <summary>Earlier transactions the user needs.</summary>
    public int MinHistory { get; }

    /// <summary>Smallest amount it fires on, in the transaction's currency.</summary>
    public double MinAmount { get; }

    /// <summary>Smallest amount it fires on as a multiple of the user's decayed mean amount.</summary>
    public double MinRatio { get; }

    /// <inheritdoc/>
    public override string Kind => KindName;

    /// <inheritdoc/>
    public override bool Matches(in RuleContext context, out double observed)
    {
        observed = context.Features[FeatureSchema.AmountZScore];
        return context.History.Count >= MinHistory
            && observed >= MinZScore
            && context.Amount >= MinAmount
            && context.Features[FeatureSchema.AmountLogRatio] >= _minLogRatio;
    }

    /// <inheritdoc/>
    public override string Describe(double observed) =>
        $"{Name}: amount {RuleText.Number(observed)} standard deviations above the user's mean (>= {RuleText.Number(MinZScore)})";

    internal static AmountZScoreRule Read(string name, double weight, RuleParameters parameters) => new(
        name,
        weight,
        parameters.Number("min_zscore", min: 0, exclusiveMin: true),
        parameters.Integer("min_history", min: 1, max: int.MaxValue),
        parameters.Number("min_amount", min: 0, fallback: 0),
        parameters.Number("min_ratio", min: 0, fallback: 0));
}
