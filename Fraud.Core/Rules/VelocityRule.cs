namespace Fraud.Core.Rules;

/// <summary>
/// <c>velocity</c>: at least <c>min_count</c> transactions of the user, this one included, within <c>window_seconds</c>;
/// with <c>max_amount</c>, only transactions of at most that amount count (a burst of tiny payments testing a card).
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
    public VelocityRule(string name, double weight, int minCount, TimeSpan window, double maxAmount = double.PositiveInfinity)
        : base(name, weight)
    {
        MinCount = minCount;
        Window = window;
        MaxAmount = maxAmount;
    }

    /// <summary>How many transactions, this one included, make it fire.</summary>
    public int MinCount { get; }

    /// <summary>How far back it counts.</summary>
    public TimeSpan Window { get; }

    /// <summary>Largest amount that counts; infinity counts all.</summary>
    public double MaxAmount { get; }

    /// <inheritdoc/>
    public override string Kind => KindName;

    /// <inheritdoc/>
    public override bool Matches(in RuleContext context, out double observed)
    {
        if (context.Amount > MaxAmount)
        {
            observed = 0;
            return false;
        }

        observed = context.History.CountWithin(context.Transaction, Window, MaxAmount) + 1;
        return observed >= MinCount;
    }

    /// <inheritdoc/>
    public override string Describe(double observed) => double.IsPositiveInfinity(MaxAmount)
        ? $"{Name}: {RuleText.Number(observed)} transactions within {RuleText.Duration(Window)} (>= {MinCount})"
        : $"{Name}: {RuleText.Number(observed)} transactions of at most {RuleText.Amount(MaxAmount)} within {RuleText.Duration(Window)} (>= {MinCount})";

    internal static VelocityRule Read(string name, double weight, RuleParameters parameters) => new(
        name,
        weight,
        parameters.Integer("min_count", min: 2, max: Features.UserHistory.RecentCapacity + 1),
        parameters.Seconds("window_seconds"),
        parameters.Number("max_amount", min: 0, exclusiveMin: true, fallback: double.PositiveInfinity));
}
