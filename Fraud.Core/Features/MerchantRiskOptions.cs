namespace Fraud.Core.Features;

/// <summary>How <see cref="MerchantRisk"/> turns delayed fraud labels into each merchant's risk.</summary>
public sealed record MerchantRiskOptions
{
    /// <summary>The most days a label delay plus the longest window may span: the size of every merchant's day ring.</summary>
    public const int MaxDaysRemembered = MerchantDays.Capacity;

    /// <summary>
    /// How long after a transaction its fraud label is taken to be known (default 7 days, the Fraud Detection
    /// Handbook's delay): a transaction on UTC day d sees only the counts of days before d − delay, whole days.
    /// Whole days, at most <see cref="MaxDaysRemembered"/> − 31.
    /// </summary>
    public TimeSpan LabelDelay { get; init; } = TimeSpan.FromDays(7);

    /// <summary>
    /// How many transactions the prior weighs as: a merchant's risk over a window is (frauds + k·p) / (transactions + k),
    /// p being the share of fraud over every merchant in the same window, so that a merchant with little history reads
    /// close to the average rather than 0 or 1. Default 0, the Handbook's raw share (0 without transactions): the
    /// classifier reads the merchant's count beside it and learns how far to trust a small one (k = 10 measured lower,
    /// docs/detection.md).
    /// </summary>
    public double PriorStrength { get; init; }

    /// <summary>
    /// How many merchants are remembered at most (default 200,000). Each takes about 0.6 KB of day counts and cached
    /// values, plus 12 bytes per hour with a count in the last label delay + 8 days and room to grow (about 0.5 KB on
    /// simulated traffic; 6 KB with the 7-day delay for a merchant with a count in every hour): about 1.1 KB, so
    /// about 220 MB when full.
    /// </summary>
    public int MaxMerchants { get; init; } = 200_000;

    /// <summary>The label delay in whole days.</summary>
    public int LabelDelayDays => (int)LabelDelay.TotalDays;

    /// <summary>Throws when a value is out of range, naming it.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public void Validate()
    {
        if (LabelDelay < TimeSpan.Zero || LabelDelay.Ticks % TimeSpan.TicksPerDay != 0 || LabelDelayDays > MaxDaysRemembered - 1 - MerchantRisk.LongestWindowDays)
        {
            throw new ArgumentOutOfRangeException(
                nameof(LabelDelay), LabelDelay, $"The label delay must be whole days from 0 to {MaxDaysRemembered - 1 - MerchantRisk.LongestWindowDays}.");
        }

        if (!(PriorStrength >= 0 && double.IsFinite(PriorStrength)))
        {
            throw new ArgumentOutOfRangeException(nameof(PriorStrength), PriorStrength, "The prior strength must be 0 or more.");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxMerchants, nameof(MaxMerchants));
    }
}
