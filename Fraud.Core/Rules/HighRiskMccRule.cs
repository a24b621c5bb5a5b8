using Fraud.Core.Features;

namespace Fraud.Core.Rules;

/// <summary>
/// <c>high_risk_mcc</c>: an amount of at least <c>min_amount</c> at a merchant whose category is in <c>mccs</c>
/// (by default <see cref="MerchantCategoryRisk.HighRiskCodes"/>).
/// </summary>
public sealed class HighRiskMccRule : Rule
{
    /// <summary>The kind's JSON name.</summary>
    public const string KindName = "high_risk_mcc";

    private readonly IReadOnlySet<int> _mccs;

    /// <summary>Creates the rule.</summary>
    /// <param name="name">Its unique name.</param>
    /// <param name="weight">Its weight in (0, 1].</param>
    /// <param name="mccs">The high-risk merchant category codes.</param>
    /// <param name="minAmount">Smallest amount it fires on.</param>
    public HighRiskMccRule(string name, double weight, IReadOnlySet<int> mccs, double minAmount)
        : base(name, weight)
    {
        _mccs = mccs;
        MinAmount = minAmount;
    }

    /// <summary>The high-risk merchant category codes.</summary>
    public IReadOnlySet<int> Mccs => _mccs;

    /// <summary>Smallest amount it fires on.</summary>
    public double MinAmount { get; }

    /// <inheritdoc/>
    public override string Kind => KindName;

    /// <inheritdoc/>
    public override bool Matches(in RuleContext context, out double observed)
    {
        observed = context.Transaction.Mcc ?? -1;
        return context.Transaction.Mcc is { } mcc && _mccs.Contains(mcc) && context.Amount >= MinAmount;
    }

    /// <inheritdoc/>
    public override string Describe(double observed) =>
        $"{Name}: merchant category {RuleText.Number(observed)} is high risk";

    internal static HighRiskMccRule Read(string name, double weight, RuleParameters parameters) => new(
        name,
        weight,
        parameters.IntegerSet("mccs", min: 0, max: 9999) ?? MerchantCategoryRisk.HighRiskCodes,
        parameters.Number("min_amount", min: 0, fallback: 0));
}
