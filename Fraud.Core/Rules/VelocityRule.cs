namespace Fraud.Core.Rules;

/// <summary><c>velocity</c>: at least <c>min_count</c> transactions of the user, this one included, within <c>window_seconds</c>.</summary>
public sealed class VelocityRule : Rule
{
    /// <summary>The kind's JSON name.</summary>
    public const string KindName = "velocity";

    /// <summary>Creates the rule.</summary>
    /// <param name="name">Its unique name.</param>
    /// <param name="weight">Its weight in (0, 1].</param>
    /// <param name="minCount">How many transactions, this one included, make it fire (2 to the remembered history + 1).</param>
    /// <param name="window">How far back to count.</param>
    public VelocityRule(string name, double weight, int minCount, TimeSpan window)
        : base(name, weight)
    {
        MinCount = minCount;
        Window = window;
    }

    /// <summary>How many transactions, this one included, make it fire.</summary>
    public int MinCount { get; }

    /// <summary>How far back it counts.</summary>
    public TimeSpan Window { get; }

    /// <inheritdoc/>
    public override string Kind => KindName;

    /// <inheritdoc/>
    public override bool Matches(in RuleContext context, out double observed)
    {
        observed = context.History.CountWithin(context.Transaction, Window) + 1;
        return observed >= MinCount;
    }

    /// <inheritdoc/>
    public override string Describe(double observed) =>
        $"{Name}: {RuleText.Number(observed)} transactions within {RuleText.Duration(Window)} (>= {MinCount})";

    internal static VelocityRule Read(string name, double weight, RuleParameters parameters) => new(
        name,
        weight,
        parameters.Integer("min_count", min: 2, max: Features.UserHistory.RecentCapacity + 1),
        parameters.Seconds("window_seconds"));
}
