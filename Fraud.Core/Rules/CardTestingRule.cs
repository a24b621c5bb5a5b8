namespace Fraud.Core.Rules;

/// <summary>
/// <c>card_testing</c>: an amount of at least <c>large_min_amount</c> after at least <c>min_small_count</c> tiny
/// ones (at most <c>small_max_amount</c>) within <c>window_seconds</c>: a stolen card checked, then cashed.
/// </summary>
public sealed class CardTestingRule : Rule
{
    /// <summary>The kind's JSON name.</summary>
    public const string KindName = "card_testing";

    /// <summary>Creates the rule.</summary>
    /// <param name="name">Its unique name.</param>
    /// <param name="weight">Its weight in (0, 1].</param>
    /// <param name="minSmallCount">Tiny amounts needed before.</param>
    /// <param name="smallMaxAmount">Largest amount that counts as tiny.</param>
    /// <param name="largeMinAmount">Smallest amount that counts as the cash-out.</param>
    /// <param name="window">How far back the tiny amounts may lie.</param>
    public CardTestingRule(string name, double weight, int minSmallCount, double smallMaxAmount, double largeMinAmount, TimeSpan window)
        : base(name, weight)
    {
        MinSmallCount = minSmallCount;
        SmallMaxAmount = smallMaxAmount;
        LargeMinAmount = largeMinAmount;
        Window = window;
    }

    /// <summary>Tiny amounts needed before.</summary>
    public int MinSmallCount { get; }

    /// <summary>Largest amount that counts as tiny.</summary>
    public double SmallMaxAmount { get; }

    /// <summary>Smallest amount that counts as the cash-out.</summary>
    public double LargeMinAmount { get; }

    /// <summary>How far back the tiny amounts may lie.</summary>
    public TimeSpan Window { get; }

    /// <inheritdoc/>
    public override string Kind => KindName;

    /// <inheritdoc/>
    public override bool Matches(in RuleContext context, out double observed)
    {
        if (context.Amount < LargeMinAmount)
        {
            observed = 0;
            return false;
        }

        observed = context.History.CountWithin(context.Transaction, Window, SmallMaxAmount);
        return observed >= MinSmallCount;
    }

    /// <inheritdoc/>
    public override string Describe(double observed) =>
        $"{Name}: {RuleText.Number(observed)} amounts <= {RuleText.Amount(SmallMaxAmount)} within {RuleText.Duration(Window)} before an amount >= {RuleText.Amount(LargeMinAmount)}";

    internal static CardTestingRule Read(string name, double weight, RuleParameters parameters)
    {
        int minSmallCount = parameters.Integer("min_small_count", min: 1, max: Features.UserHistory.RecentCapacity);
        double smallMaxAmount = parameters.Number("small_max_amount", min: 0, exclusiveMin: true);
        double largeMinAmount = parameters.Number("large_min_amount", min: smallMaxAmount, exclusiveMin: true, minName: "small_max_amount");
        return new CardTestingRule(name, weight, minSmallCount, smallMaxAmount, largeMinAmount, parameters.Seconds("window_seconds"));
    }
}
