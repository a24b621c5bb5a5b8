using Fraud.Core.Features;

namespace Fraud.Core.Rules;

/// <summary>
/// <c>new_country_high_amount</c>: an amount of at least <c>min_amount</c> in a country the user, with at least
/// <c>min_history</c> earlier transactions, has not been seen in.
/// </summary>
public sealed class NewCountryHighAmountRule : Rule
{
    /// <summary>The kind's JSON name.</summary>
    public const string KindName = "new_country_high_amount";

    /// <summary>Creates the rule.</summary>
    /// <param name="name">Its unique name.</param>
    /// <param name="weight">Its weight in (0, 1].</param>
    /// <param name="minAmount">Smallest amount it fires on.</param>
    /// <param name="minHistory">Earlier transactions the user needs for a country to count as new.</param>
    public NewCountryHighAmountRule(string name, double weight, double minAmount, int minHistory)
        : base(name, weight)
    {
        MinAmount = minAmount;
        MinHistory = minHistory;
    }

    /// <summary>Smallest amount it fires on.</summary>
    public double MinAmount { get; }

    /// <summary>Earlier transactions the user needs.</summary>
    public int MinHistory { get; }

    /// <inheritdoc/>
    public override string Kind => KindName;

    /// <inheritdoc/>
    public override bool Matches(in RuleContext context, out double observed)
    {
        observed = context.Amount;
        return context.Features[FeatureSchema.NewCountry] > 0 && context.History.Count >= MinHistory && observed >= MinAmount;
    }

    /// <inheritdoc/>
    public override string Describe(double observed) =>
        $"{Name}: amount {RuleText.Amount(observed)} (>= {RuleText.Amount(MinAmount)}) in a country new for the user";

    internal static NewCountryHighAmountRule Read(string name, double weight, RuleParameters parameters) => new(
        name,
        weight,
        parameters.Number("min_amount", min: 0),
        parameters.Integer("min_history", min: 1, max: int.MaxValue, fallback: 1));
}
