namespace Fraud.Core.Rules;

/// <summary>
/// <c>amount_above</c>: an amount of at least <c>min_amount</c>, whatever the user's history: the hard review limit
/// many card programmes keep beside their models (e.g. "every payment over 10,000 is looked at").
/// </summary>
public sealed class AmountAboveRule : Rule
{
    /// <summary>The kind's JSON name.</summary>
    public const string KindName = "amount_above";

    /// <summary>Creates the rule.</summary>
    /// <param name="name">Its unique name.</param>
    /// <param name="weight">Its weight in (0, 1].</param>
    /// <param name="minAmount">Smallest amount it fires on.</param>
    public AmountAboveRule(string name, double weight, double minAmount)
        : base(name, weight)
    {
        MinAmount = minAmount;
    }

    /// <summary>Smallest amount it fires on.</summary>
    public double MinAmount { get; }

    /// <inheritdoc/>
    public override string Kind => KindName;

    /// <inheritdoc/>
    public override bool Matches(in RuleContext context, out double observed)
    {
        observed = context.Amount;
        return context.Amount >= MinAmount;
    }

    /// <inheritdoc/>
    public override string Describe(double observed) =>
        $"{Name}: amount {RuleText.Amount(observed)} >= {RuleText.Amount(MinAmount)}";

    internal static AmountAboveRule Read(string name, double weight, RuleParameters parameters) => new(
        name,
        weight,
        parameters.Number("min_amount", min: 0, exclusiveMin: true));
}
