using Fraud.Core.Features;

namespace Fraud.Core.Rules;

/// <summary>
/// <c>night_high_amount</c>: a high amount between <c>start_hour</c> (inclusive) and <c>end_hour</c> (exclusive),
/// UTC, the window wrapping past midnight when it starts after it ends (e.g. 23 to 5). High means at least
/// <c>min_ratio</c> times the user's decayed mean amount, once the user has <c>min_history</c> earlier transactions
/// (relative: the same in every currency), and at least <c>min_amount</c> in the transaction's currency; at least one
/// of the two is given.
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
    /// <param name="minAmount">Smallest amount it fires on, in the transaction's currency; 0 for none.</param>
    /// <param name="minRatio">Smallest amount it fires on as a multiple of the user's decayed mean; 0 for none.</param>
    /// <param name="minHistory">Earlier transactions the user needs; at least 1 with <paramref name="minRatio"/>.</param>
    public NightHighAmountRule(string name, double weight, double startHour, double endHour, double minAmount, double minRatio = 0, int minHistory = 0)
        : base(name, weight)
    {
        StartHour = startHour;
        EndHour = endHour;
        MinAmount = minAmount;
        MinRatio = minRatio;
        MinHistory = minHistory;
    }

    /// <summary>Start of the night, UTC hour.</summary>
    public double StartHour { get; }

    /// <summary>End of the night, UTC hour.</summary>
    public double EndHour { get; }

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
        double ratio = context.Amount / context.UserMeanAmount(MinHistory);
        observed = MinRatio > 0 ? ratio : context.Amount;
        double hour = context.Features[FeatureSchema.HourOfDay];
        bool atNight = StartHour <= EndHour
            ? hour >= StartHour && hour < EndHour
            : hour >= StartHour || hour < EndHour;
        return atNight
            && context.History.Count >= MinHistory
            && context.Amount >= MinAmount
            && (MinRatio == 0 || ratio >= MinRatio);
    }

    /// <inheritdoc/>
    public override string Describe(double observed) =>
        $"{Name}: amount {(MinRatio > 0 ? $"{RuleText.Number(observed)} times the user's mean" : RuleText.Amount(observed))} (>= {RelativeAmount.Floor(MinAmount, MinRatio)}) between {RuleText.Hour(StartHour)} and {RuleText.Hour(EndHour)} UTC";

    internal static NightHighAmountRule Read(string name, double weight, RuleParameters parameters)
    {
        double startHour = parameters.Number("start_hour", min: 0, max: 24, exclusiveMax: true);
        double endHour = parameters.Number("end_hour", min: 0, max: 24);
        var (minAmount, minRatio) = RelativeAmount.ReadFloor(parameters);
        return new NightHighAmountRule(name, weight, startHour, endHour, minAmount, minRatio, RelativeAmount.ReadMinHistory(parameters, minRatio > 0));
    }
}
