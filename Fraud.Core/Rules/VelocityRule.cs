namespace Fraud.Core.Rules;

/// <summary>
/// <c>velocity</c>: at least <c>min_count</c> transactions of the user, this one included, within <c>window_seconds</c>;
/// with <c>max_amount</c> (in the transaction's currency) or <c>max_ratio</c> (times the user's decayed mean amount,
/// the same in every currency), only transactions of at most that amount count (a burst of tiny payments testing a
/// card). With <c>min_history</c> (at least 1, the default, with <c>max_ratio</c>) the user needs that many earlier
/// transactions.
/// </summary>
public sealed class VelocityRule : Rule
{
    /// <summary>The kind's JSON name.</summary>
    public const string KindName = "velocity";

    /// <summary>Creates the rule.</summary>
    /// <param name="name">Its unique name.</param>
    /// <param name="weight">Its weight in (0, 1].</param>
    /// <param name="minCount">How many transactions, this one included, make it fire (2 to the remembered history + 1).</param>
    /// <param name="window">How far back to count.</param>
    /// <param name="maxAmount">Largest amount that counts, this transaction's included; infinity counts all.</param>
    /// <param name="maxRatio">
    /// Largest amount that counts as a multiple of the user's decayed mean before this transaction; infinity for none.
    /// The earlier transactions in the window are compared with that same mean.
    /// </param>
    /// <param name="minHistory">Earlier transactions the user needs; at least 1 with <paramref name="maxRatio"/>.</param>
    public VelocityRule(
        string name,
        double weight,
        int minCount,
        TimeSpan window,
        double maxAmount = double.PositiveInfinity,
        double maxRatio = double.PositiveInfinity,
        int minHistory = 0)
        : base(name, weight)
    {
        MinCount = minCount;
        Window = window;
        MaxAmount = maxAmount;
        MaxRatio = maxRatio;
        MinHistory = minHistory;
    }

    /// <summary>How many transactions, this one included, make it fire.</summary>
    public int MinCount { get; }

    /// <summary>How far back it counts.</summary>
    public TimeSpan Window { get; }

    /// <summary>Largest amount that counts; infinity counts all.</summary>
    public double MaxAmount { get; }

    /// <summary>Largest amount that counts as a multiple of the user's decayed mean; infinity for none.</summary>
    public double MaxRatio { get; }

    /// <summary>Earlier transactions the user needs.</summary>
    public int MinHistory { get; }

    /// <inheritdoc/>
    public override string Kind => KindName;

    /// <inheritdoc/>
    public override bool Matches(in RuleContext context, out double observed)
    {
        double limit = double.IsPositiveInfinity(MaxRatio)
            ? MaxAmount
            : Math.Min(MaxAmount, MaxRatio * context.UserMeanAmount(MinHistory)); // NaN with too little history: nothing counts
        if (context.History.Count < MinHistory || !(context.Amount <= limit))
        {
            observed = 0;
            return false;
        }

        observed = context.History.CountWithin(context.Transaction, Window, limit) + 1;
        return observed >= MinCount;
    }

    /// <inheritdoc/>
    public override string Describe(double observed) => double.IsPositiveInfinity(MaxAmount) && double.IsPositiveInfinity(MaxRatio)
        ? $"{Name}: {RuleText.Number(observed)} transactions within {RuleText.Duration(Window)} (>= {MinCount})"
        : $"{Name}: {RuleText.Number(observed)} transactions of at most {RelativeAmount.Cap(MaxAmount, MaxRatio)} within {RuleText.Duration(Window)} (>= {MinCount})";

    internal static VelocityRule Read(string name, double weight, RuleParameters parameters)
    {
        int minCount = parameters.Integer("min_count", min: 2, max: Features.UserHistory.RecentCapacity + 1);
        var window = parameters.Seconds("window_seconds");
        double maxAmount = parameters.Number("max_amount", min: 0, exclusiveMin: true, fallback: double.PositiveInfinity);
        double maxRatio = parameters.Number("max_ratio", min: 0, exclusiveMin: true, fallback: double.PositiveInfinity);
        return new VelocityRule(
            name, weight, minCount, window, maxAmount, maxRatio, RelativeAmount.ReadMinHistory(parameters, !double.IsPositiveInfinity(maxRatio)));
    }
}
