namespace Fraud.Core.Rules;

/// <summary>
/// How the amount-based rules read and describe a bound given relative to the user's typical amount (its decayed
/// mean, <see cref="RuleContext.UserMeanAmount"/>), beside or instead of one in the transaction's currency. A ratio
/// means the same in every currency; when both are given, both must hold.
/// </summary>
internal static class RelativeAmount
{
    /// <summary>
    /// Reads <c>min_amount</c> (0 when absent) and <c>min_ratio</c> (0, none, when absent); unless
    /// <paramref name="optional"/>, at least one of them is required.
    /// </summary>
    public static (double MinAmount, double MinRatio) ReadFloor(RuleParameters parameters, bool optional = false)
    {
        bool given = parameters.Has("min_amount") || parameters.Has("min_ratio");
        double minAmount = parameters.Number("min_amount", min: 0, fallback: 0);
        double minRatio = parameters.Number("min_ratio", min: 0, exclusiveMin: true, fallback: 0);
        if (!given && !optional)
        {
            parameters.Reject("min_amount", "required unless 'min_ratio' is given");
        }

        return (minAmount, minRatio);
    }

    /// <summary>
    /// Reads <c>min_history</c>, the earlier transactions the user needs: at least 1 with a ratio (a mean needs
    /// one amount), which is then its default; without one the default is 0, no condition.
    /// </summary>
    public static int ReadMinHistory(RuleParameters parameters, bool hasRatio) =>
        parameters.Integer("min_history", min: hasRatio ? 1 : 0, max: int.MaxValue, fallback: hasRatio ? 1 : 0);

    /// <summary>E.g. <c>3 times the user's mean</c>, <c>150.00</c> or <c>3 times the user's mean and 50.00</c>.</summary>
    public static string Floor(double minAmount, double minRatio) => minRatio switch
    {
        0 => RuleText.Amount(minAmount),
        _ when minAmount > 0 => $"{Mean(minRatio)} and {RuleText.Amount(minAmount)}",
        _ => Mean(minRatio),
    };

    /// <summary>E.g. <c>0.1 times the user's mean</c>, <c>3.00</c> or <c>0.1 times the user's mean and 3.00</c>.</summary>
    public static string Cap(double maxAmount, double maxRatio) => (double.IsPositiveInfinity(maxRatio), double.IsPositiveInfinity(maxAmount)) switch
    {
        (true, _) => RuleText.Amount(maxAmount),
        (false, true) => Mean(maxRatio),
        (false, false) => $"{Mean(maxRatio)} and {RuleText.Amount(maxAmount)}",
    };

    private static string Mean(double ratio) => $"{RuleText.Number(ratio)} times the user's mean";
}
