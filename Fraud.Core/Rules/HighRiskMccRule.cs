using Fraud.Core.Features;

namespace Fraud.Core.Rules;

/// <summary>
/// <c>high_risk_mcc</c>: an amount at a merchant whose category is in <c>mccs</c> (by default
/// <see cref="MerchantCategoryRisk.HighRiskCodes"/>) of at least <c>min_amount</c> (default 0) in the transaction's
/// currency and, with <c>min_ratio</c>, at least that many times the user's decayed mean amount once the user has
/// <c>min_history</c> earlier transactions (relative: the same in every currency).
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
    /// <param name="minAmount">Smallest amount it fires on, in the transaction's currency.</param>
    /// <param name="minRatio">Smallest amount it fires on as a multiple of the user's decayed mean; 0 for none.</param>
    /// <param name="minHistory">Earlier transactions the user needs; at least 1 with <paramref name="minRatio"/>.</param>
    public HighRiskMccRule(string name, double weight, IReadOnlySet<int> mccs, double minAmount, double minRatio = 0, int minHistory = 0)
        : base(name, weight)
    {
        _mccs = mccs;
        MinAmount = minAmount;
        MinRatio = minRatio;
        MinHistory = minHistory;
    }

    /// <summary>The high-risk merchant category codes.</summary>
    public IReadOnlySet<int> Mccs => _mccs;

    /// <summary>Smallest amount it fires on, in the transaction's currency.</summary>
    public double MinAmount { get; }

    /// <summary>Smallest amount it fires on as a multiple of the user's decayed mean; 0 for none.</summary>
    public double MinRatio { get; }

    /// <summary>Earlier transactions the user needs.</summary>
    public int MinHistory { get; }

    /// <inheritdoc/>
    public override string Kind => KindName;

    /// <inheritdoc/>
    public override bool Matches(in RuleContext context, out double observed)
    {
        observed = context.Transaction.Mcc ?? -1;
        return context.Transaction.Mcc is { } mcc
            && _mccs.Contains(mcc)
            && context.History.Count >= MinHistory
            && context.Amount >= MinAmount
            && (MinRatio == 0 || context.Amount >= MinRatio * context.UserMeanAmount(MinHistory));
    }

    /// <inheritdoc/>
    public override string Describe(double observed) =>
        $"{Name}: merchant category {RuleText.Number(observed)} is high risk";

    internal static HighRiskMccRule Read(string name, double weight, RuleParameters parameters)
    {
        var mccs = parameters.IntegerSet("mccs", min: 0, max: 9999) ?? MerchantCategoryRisk.HighRiskCodes;
        var (minAmount, minRatio) = RelativeAmount.ReadFloor(parameters, optional: true);
        return new HighRiskMccRule(name, weight, mccs, minAmount, minRatio, RelativeAmount.ReadMinHistory(parameters, minRatio > 0));
    }
}
