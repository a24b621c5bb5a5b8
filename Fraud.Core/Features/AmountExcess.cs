namespace Fraud.Core.Features;

/// <summary>
/// The one-sided amount features: how far a transaction's amount lies <i>above</i> its user's habits, 0 at or below
/// them (<see cref="FeatureSchema.AmountExcessLog"/>, <see cref="FeatureSchema.AmountExcessZScore"/>,
/// <see cref="FeatureSchema.AmountExcess30dLog"/>). An Isolation Forest isolates both tails of every feature alike,
/// so on the two-sided <c>amount_log_ratio</c> a tenth of the usual amount (a coffee) is as anomalous as ten times it
/// (what costs money). Clipped at 0, the lower half of these is one value the forest cannot split, and only the upper
/// tail is isolated. They are relative to the user's own amounts, so they mean the same in every currency.
/// </summary>
internal static class AmountExcess
{
    /// <summary>Writes the one-sided features from the two-sided ones already in <paramref name="features"/>.</summary>
    /// <param name="features">A vector whose user features (0–25) are written.</param>
    public static void Write(Span<float> features)
    {
        features[FeatureSchema.AmountExcessLog] = Math.Max(0f, features[FeatureSchema.AmountLogRatio]);
        features[FeatureSchema.AmountExcessZScore] = Math.Max(0f, features[FeatureSchema.AmountZScore]);
        features[FeatureSchema.AmountExcess30dLog] = Math.Max(0f, features[FeatureSchema.AmountLogRatio30d]);
    }
}
