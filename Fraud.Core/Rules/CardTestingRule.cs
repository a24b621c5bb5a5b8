namespace Fraud.Core.Rules;

/// <summary>
/// <c>card_testing</c>: a large amount after at least <c>min_small_count</c> tiny ones within <c>window_seconds</c>:
/// a stolen card checked, then cashed. Tiny is at most <c>small_max_amount</c> (in the transaction's currency) and/or
/// at most <c>small_max_ratio</c> times the user's decayed mean amount; large is at least <c>large_min_amount</c>
/// and/or at least <c>large_min_ratio</c> times that mean. Ratios mean the same in every currency and need the user
/// to have <c>min_history</c> earlier transactions (at least 1, the default, with a ratio).
/// </summary>
public sealed class CardTestingRule : Rule
{
    /// <summary>The kind's JSON name.</summary>
    public const string KindName = "card_testing";

    /// <summary>Creates the rule.</summary>
    /// <param name="name">Its unique name.</param>
    /// <param name="weight">Its weight in (0, 1].</param>
    /// <param name="minSmallCount">Tiny amounts needed before.</param>
    /// <param name="smallMaxAmount">Largest amount that counts as tiny; infinity for no such bound.</param>
    /// <param name="largeMinAmount">Smallest amount that counts as the cash-out; 0 for no such bound.</param>
    /// <param name="window">How far back the tiny amounts may lie.</param>
    /// <param name="smallMaxRatio">
    /// Largest amount that counts as tiny, as a multiple of the user's decayed mean before this transaction (the tiny
    /// amounts already in it); infinity for none.
    /// </param>
    /// <param name="largeMinRatio">Smallest amount that counts as the cash-out, as a multiple of that mean; 0 for none.</param>
    /// <param name="minHistory">Earlier transactions the user needs; at least 1 with a ratio.</param>
    public CardTestingRule(
        string name,
        double weight,
        int minSmallCount,
        double smallMaxAmount,
        double largeMinAmount,
        TimeSpan window,
        double smallMaxRatio = double.PositiveInfinity,
        double largeMinRatio = 0,
        int minHistory = 0)
        : base(name, weight)
    {
        MinSmallCount = minSmallCount;
        SmallMaxAmount = smallMaxAmount;
        LargeMinAmount = largeMinAmount;
        Window = window;
        SmallMaxRatio = smallMaxRatio;
        LargeMinRatio = largeMinRatio;
        MinHistory = minHistory;
    }

    /// <summary>Tiny amounts needed before.</summary>
    public int MinSmallCount { get; }

    /// <summary>Largest amount that counts as tiny; infinity for no such bound.</summary>
    public double SmallMaxAmount { get; }

    /// <summary>Smallest amount that counts as the cash-out; 0 for no such bound.</summary>
    public double LargeMinAmount { get; }

    /// <summary>How far back the tiny amounts may lie.</summary>
    public TimeSpan Window { get; }

    /// <summary>Largest amount that counts as tiny as a multiple of the user's decayed mean; infinity for none.</summary>
    public double SmallMaxRatio { get; }

    /// <summary>Smallest amount that counts as the cash-out as a multiple of the user's decayed mean; 0 for none.</summary>
    public double LargeMinRatio { get; }

    /// <summary>Earlier transactions the user needs.</summary>
    public int MinHistory { get; }

    /// <inheritdoc/>
    public override string Kind => KindName;

    /// <inheritdoc/>
    public override bool Matches(in RuleContext context, out double observed)
    {
        observed = 0;
        if (context.History.Count < MinHistory)
        {
            return false;
        }

        double mean = context.UserMeanAmount(MinHistory);
        double largeMin = LargeMinRatio > 0 ? Math.Max(LargeMinAmount, LargeMinRatio * mean) : LargeMinAmount;
        if (!(context.Amount >= largeMin))
        {
            return false;
        }

        double smallMax = double.IsPositiveInfinity(SmallMaxRatio) ? SmallMaxAmount : Math.Min(SmallMaxAmount, SmallMaxRatio * mean);
        observed = context.History.CountWithin(context.Transaction, Window, smallMax);
        return observed >= MinSmallCount;
    }

    /// <inheritdoc/>
    public override string Describe(double observed) =>
        $"{Name}: {RuleText.Number(observed)} amounts <= {RelativeAmount.Cap(SmallMaxAmount, SmallMaxRatio)} within {RuleText.Duration(Window)} before an amount >= {RelativeAmount.Floor(LargeMinAmount, LargeMinRatio)}";

    internal static CardTestingRule Read(string name, double weight, RuleParameters parameters)
    {
        int minSmallCount = parameters.Integer("min_small_count", min: 1, max: Features.UserHistory.RecentCapacity);
        bool smallGiven = parameters.Has("small_max_amount") || parameters.Has("small_max_ratio");
        bool largeGiven = parameters.Has("large_min_amount") || parameters.Has("large_min_ratio");
        double smallMaxAmount = parameters.Number("small_max_amount", min: 0, exclusiveMin: true, fallback: double.PositiveInfinity);
        double smallMaxRatio = parameters.Number("small_max_ratio", min: 0, exclusiveMin: true, fallback: double.PositiveInfinity);
        double largeMinAmount = double.IsPositiveInfinity(smallMaxAmount)
            ? parameters.Number("large_min_amount", min: 0, exclusiveMin: true, fallback: 0)
            : parameters.Number("large_min_amount", min: smallMaxAmount, exclusiveMin: true, fallback: 0, minName: "small_max_amount");
        double largeMinRatio = double.IsPositiveInfinity(smallMaxRatio)
            ? parameters.Number("large_min_ratio", min: 0, exclusiveMin: true, fallback: 0)
            : parameters.Number("large_min_ratio", min: smallMaxRatio, exclusiveMin: true, fallback: 0, minName: "small_max_ratio");
        if (!smallGiven)
        {
            parameters.Reject("small_max_amount", "required unless 'small_max_ratio' is given");
        }

        if (!largeGiven)
        {
            parameters.Reject("large_min_amount", "required unless 'large_min_ratio' is given");
        }

        bool hasRatio = !double.IsPositiveInfinity(smallMaxRatio) || largeMinRatio > 0;
        return new CardTestingRule(
            name, weight, minSmallCount, smallMaxAmount, largeMinAmount, parameters.Seconds("window_seconds"), smallMaxRatio, largeMinRatio,
            RelativeAmount.ReadMinHistory(parameters, hasRatio));
    }
}
