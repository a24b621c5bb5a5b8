using Fraud.Core.Features;

namespace Fraud.Core.Rules;

/// <summary>
/// <c>new_country_high_amount</c>: a high amount in a country the user, with at least <c>min_history</c> earlier
/// transactions, has not been seen in. High means at least <c>min_ratio</c> times the user's decayed mean amount
/// (relative: the same in every currency) and at least <c>min_amount</c> in the transaction's currency; at least one
/// of the two is given.
/// </summary>
public sealed class NewCountryHighAmountRule : Rule
{
    /// <summary>The kind's JSON name.</summary>
    public const string KindName = "new_country_high_amount";

    /// <summary>Creates the rule.</summary>
    /// <param name="name">Its unique name.</param>
    /// <param name="weight">Its weight in (0, 1].</param>
    /// <param name="minAmount">Smallest amount it fires on, in the transaction's currency; 0 for none.</param>
    /// <param name="minHistory">Earlier transactions the user needs for a country to count as new.</param>
    /// <param name="minRatio">Smallest amount it fires on as a multiple of the user's decayed mean; 0 for none.</param>
    public NewCountryHighAmountRule(string name, double weight, double minAmount, int minHistory, double minRatio = 0)
        : base(name, weight)
    {
        MinAmount = minAmount;
        MinHistory = minHistory;
        MinRatio = minRatio;
    }

    /// <summary>Smallest amount it fires on, in the transaction's currency.</summary>
    public double MinAmount { get; }

    /// <summary>Earlier transactions the user needs.</summary>
    public int MinHistory { get; }

    /// <summary>Smallest amount it fires on as a multiple of the user's decayed mean; 0 for none.</summary>
    public double MinRatio { get; }

    /// <inheritdoc/>
    public override string Kind => KindName;

    /// <inheritdoc/>
    public override bool Matches(in RuleContext context, out double observed)
    {
        double ratio = context.Amount / context.UserMeanAmount(MinHistory);
        observed = MinRatio > 0 ? ratio : context.Amount;
        return context.Features[FeatureSchema.NewCountry] > 0
            && context.History.Count >= MinHistory
            && context.Amount >= MinAmount
            && (MinRatio == 0 || ratio >= MinRatio);
    }

    /// <inheritdoc/>
    public override string Describe(double observed) =>
        $"{Name}: amount {(MinRatio > 0 ? $"{RuleText.Number(observed)} times the user's mean" : RuleText.Amount(observed))} (>= {RelativeAmount.Floor(MinAmount, MinRatio)}) in a country new for the user";

    internal static NewCountryHighAmountRule Read(string name, double weight, RuleParameters parameters)
    {
        var (minAmount, minRatio) = RelativeAmount.ReadFloor(parameters);
        return new NewCountryHighAmountRule(
            name, weight, minAmount, parameters.Integer("min_history", min: 1, max: int.MaxValue, fallback: 1), minRatio);
    }
}
