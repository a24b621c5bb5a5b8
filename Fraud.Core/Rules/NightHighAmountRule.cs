using Fraud.Core.Features;

namespace Fraud.Core.Rules;

/// <summary>
/// <c>night_high_amount</c>: an amount of at least <c>min_amount</c> between <c>start_hour</c> (inclusive) and
/// <c>end_hour</c> (exclusive), UTC, the window wrapping past midnight when it starts after it ends (e.g. 23 to 5).
/// </summary>
public sealed class NightHighAmountRule : Rule
{
    /// <summary>The kind's JSON name.</summary>
    public const string KindName = "night_high_amount";

    /// <summary>Creates the rule.</summary>
    /// <param name="name">Its unique name.</param>
    /// <param name="weight">Its weight in (0, 1].</param>
    /// <param name="startHour">Start of the night, UTC hour in [0, 24).</param>
    /// <param name="endHour">End of the night, UTC hour in [0, 24].</param>
    /// <param name="minAmount">Smallest amount it fires on.</param>
    public NightHighAmountRule(string name, double weight, double startHour, double endHour, double minAmount)
        : base(name, weight)
    {
        StartHour = startHour;
        EndHour = endHour;
        MinAmount = minAmount;
    }

    /// <summary>Start of the night, UTC hour.</summary>
    public double StartHour { get; }

    /// <summary>End of the night, UTC hour.</summary>
    public double EndHour { get; }

    /// <summary>Smallest amount it fires on.</summary>
    public double MinAmount { get; }

    /// <inheritdoc/>
    public override string Kind => KindName;

    /// <inheritdoc/>
    public override bool Matches(in RuleContext context, out double observed)
    {
        observed = context.Amount;
        double hour = context.Features[FeatureSchema.HourOfDay];
        bool atNight = StartHour <= EndHour
            ? hour >= StartHour && hour < EndHour
            : hour >= StartHour || hour < EndHour;
        return atNight && observed >= MinAmount;
    }

    /// <inheritdoc/>
    public override string Describe(double observed) =>
        $"{Name}: amount {RuleText.Amount(observed)} (>= {RuleText.Amount(MinAmount)}) between {RuleText.Hour(StartHour)} and {RuleText.Hour(EndHour)} UTC";

    internal static NightHighAmountRule Read(string name, double weight, RuleParameters parameters) => new(
        name,
        weight,
        parameters.Number("start_hour", min: 0, max: 24, exclusiveMax: true),
        parameters.Number("end_hour", min: 0, max: 24),
        parameters.Number("min_amount", min: 0));
}
