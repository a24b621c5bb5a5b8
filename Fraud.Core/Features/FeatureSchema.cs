namespace Fraud.Core.Features;

/// <summary>
/// The fixed, named feature vector computed for every transaction: the rules read it, and the Isolation Forest is
/// trained on a named selection of it (<see cref="ForestDefaults"/> unless told otherwise), which its model file
/// records so that a model and a build that disagree are caught at load time. Each constant is the index of one
/// feature; <c>docs/features.md</c> gives every formula.
/// </summary>
public static class FeatureSchema
{
    /// <summary><c>amount_log</c>: ln(1 + amount), in the transaction's currency.</summary>
    public const int AmountLog = 0;

    /// <summary><c>amount_log_ratio</c>: ln(amount / the user's decayed mean amount); 0 without history.</summary>
    public const int AmountLogRatio = 1;

    /// <summary><c>amount_zscore</c>: (amount − decayed mean) / max(decayed std, 10 % of the mean); 0 without history.</summary>
    public const int AmountZScore = 2;

    /// <summary><c>seconds_since_previous_log</c>: ln(1 + seconds since the user's previous transaction), capped at 30 days.</summary>
    public const int SecondsSincePreviousLog = 3;

    /// <summary><c>count_1m</c>: the user's earlier transactions in the last minute.</summary>
    public const int Count1m = 4;

    /// <summary><c>amount_sum_1m_log</c>: ln(1 + their summed amount).</summary>
    public const int AmountSum1mLog = 5;

    /// <summary><c>count_1h</c>: the user's earlier transactions in the last hour.</summary>
    public const int Count1h = 6;

    /// <summary><c>amount_sum_1h_log</c>: ln(1 + their summed amount).</summary>
    public const int AmountSum1hLog = 7;

    /// <summary><c>count_24h</c>: the user's earlier transactions in the last 24 hours.</summary>
    public const int Count24h = 8;

    /// <summary><c>amount_sum_24h_log</c>: ln(1 + their summed amount).</summary>
    public const int AmountSum24hLog = 9;

    /// <summary><c>distance_km</c>: great-circle distance from the user's previous located transaction; 0 when either has no coordinates.</summary>
    public const int DistanceKm = 10;

    /// <summary><c>speed_kmh</c>: that distance over the time between the two, the time floored at one minute.</summary>
    public const int SpeedKmh = 11;

    /// <summary><c>new_country</c>: 1 when the user has history and has not been seen in this country.</summary>
    public const int NewCountry = 12;

    /// <summary><c>new_device</c>: 1 when the user has history and has not used this device; 0 without a device.</summary>
    public const int NewDevice = 13;

    /// <summary><c>new_merchant</c>: 1 when the user has history and has not paid this merchant; 0 without a merchant.</summary>
    public const int NewMerchant = 14;

    /// <summary><c>hour_of_day</c>: UTC hour with its fraction, in [0, 24).</summary>
    public const int HourOfDay = 15;

    /// <summary><c>is_weekend</c>: 1 on Saturday and Sunday (UTC).</summary>
    public const int IsWeekend = 16;

    /// <summary><c>is_ecom</c>: 1 for a card-not-present (online) transaction.</summary>
    public const int IsEcom = 17;

    /// <summary><c>is_atm</c>: 1 for a cash withdrawal.</summary>
    public const int IsAtm = 18;

    /// <summary><c>mcc_risk_group</c>: 0 low, 1 medium (also unknown), 2 high; see <see cref="MerchantCategoryRisk"/>.</summary>
    public const int MccRiskGroup = 19;

    /// <summary><c>count_7d</c>: the user's earlier transactions on this UTC day so far and the 6 days before it.</summary>
    public const int Count7d = 20;

    /// <summary><c>count_30d</c>: the user's earlier transactions on this UTC day so far and the 29 days before it.</summary>
    public const int Count30d = 21;

    /// <summary><c>amount_log_ratio_1d</c>: ln(amount / the mean amount of the user's earlier transactions in the last 24 hours); 0 without any.</summary>
    public const int AmountLogRatio1d = 22;

    /// <summary><c>amount_log_ratio_7d</c>: ln(amount / the mean amount of the transactions <see cref="Count7d"/> counts); 0 without any.</summary>
    public const int AmountLogRatio7d = 23;

    /// <summary><c>amount_log_ratio_30d</c>: ln(amount / the mean amount of the transactions <see cref="Count30d"/> counts); 0 without any.</summary>
    public const int AmountLogRatio30d = 24;

    /// <summary><c>amount_mean_30d_log</c>: ln(1 + the mean amount of the transactions <see cref="Count30d"/> counts); 0 without any.</summary>
    public const int AmountMean30dLog = 25;

    /// <summary>
    /// <c>merchant_count_1d_log</c>: ln(1 + the merchant's transactions on the UTC day the label delay before this one);
    /// see <see cref="MerchantRisk"/>.
    /// </summary>
    public const int MerchantCount1dLog = 26;

    /// <summary><c>merchant_count_7d_log</c>: the same over the 7 days ending there.</summary>
    public const int MerchantCount7dLog = 27;

    /// <summary><c>merchant_count_30d_log</c>: the same over the 30 days ending there.</summary>
    public const int MerchantCount30dLog = 28;

    /// <summary><c>merchant_risk_1d</c>: the share of the transactions <see cref="MerchantCount1dLog"/> counts known to be fraud, drawn towards every merchant's share when they are few.</summary>
    public const int MerchantRisk1d = 29;

    /// <summary><c>merchant_risk_7d</c>: the same over the 7-day window.</summary>
    public const int MerchantRisk7d = 30;

    /// <summary><c>merchant_risk_30d</c>: the same over the 30-day window.</summary>
    public const int MerchantRisk30d = 31;

    /// <summary>
    /// <c>amount_excess_log</c>: max(0, <see cref="AmountLogRatio"/>), how far the amount lies above the user's decayed
    /// mean on a log scale, 0 at or below it; see <see cref="AmountExcess"/>.
    /// </summary>
    public const int AmountExcessLog = 32;

    /// <summary><c>amount_excess_zscore</c>: max(0, <see cref="AmountZScore"/>).</summary>
    public const int AmountExcessZScore = 33;

    /// <summary><c>amount_excess_30d_log</c>: max(0, <see cref="AmountLogRatio30d"/>).</summary>
    public const int AmountExcess30dLog = 34;

    /// <summary>How many features a vector holds.</summary>
    public const int Count = 35;

    private static readonly string[] FeatureNames =
    [
        "amount_log",
        "amount_log_ratio",
        "amount_zscore",
        "seconds_since_previous_log",
        "count_1m",
        "amount_sum_1m_log",
        "count_1h",
        "amount_sum_1h_log",
        "count_24h",
        "amount_sum_24h_log",
        "distance_km",
        "speed_kmh",
        "new_country",
        "new_device",
        "new_merchant",
        "hour_of_day",
        "is_weekend",
        "is_ecom",
        "is_atm",
        "mcc_risk_group",
        "count_7d",
        "count_30d",
        "amount_log_ratio_1d",
        "amount_log_ratio_7d",
        "amount_log_ratio_30d",
        "amount_mean_30d_log",
        "merchant_count_1d_log",
        "merchant_count_7d_log",
        "merchant_count_30d_log",
        "merchant_risk_1d",
        "merchant_risk_7d",
        "merchant_risk_30d",
        "amount_excess_log",
        "amount_excess_zscore",
        "amount_excess_30d_log",
    ];

    // The context features describe the transaction, not how it departs from its user's habits: their rare values
    // (a cash withdrawal, a 3 a.m. purchase) are mostly legitimate, yet an Isolation Forest isolates rare values
    // first. The rules use them; the forest, by default, does not.
    private static readonly string[] ContextNames = ["hour_of_day", "is_weekend", "is_ecom", "is_atm", "mcc_risk_group"];

    // Computed, but not in the forest's defaults: a third upward copy of the amount tilts the forest so far towards
    // large amounts that it loses the tiny ones of card testing (docs/features.md, "One-sided amounts"). `train
    // --features` can add it for data whose frauds are all large amounts.
    private static readonly string[] NotInForestDefaults = ["amount_excess_log"];

    /// <summary>
    /// The features whose rank among the training rows, from the top, the decision reads on its own beside the forest
    /// (<see cref="Decision.DecisionOptions.AmountTailShare"/>): the amount's size and its excess over the user's
    /// 30-day mean, both one-sided and both independent of the currency's scale once ranked.
    /// </summary>
    public static IReadOnlyList<string> AmountTailNames { get; } = ["amount_log", "amount_excess_30d_log"];

    /// <summary>The feature names in vector order.</summary>
    public static IReadOnlyList<string> Names => FeatureNames;

    /// <summary>
    /// The merchant features (<see cref="MerchantRisk"/>): they need fraud labels and a label delay, so only a model
    /// that records its delay (the supervised classifier) may use them.
    /// </summary>
    public static IReadOnlyList<string> MerchantNames { get; } = FeatureNames[MerchantCount1dLog..(MerchantRisk30d + 1)];

    /// <summary>
    /// The features an Isolation Forest is trained on by default: the user's behaviour, i.e. every one but the context
    /// features (<c>hour_of_day</c>, <c>is_weekend</c>, <c>is_ecom</c>, <c>is_atm</c>, <c>mcc_risk_group</c>), whose
    /// rare but ordinary values would otherwise dominate what the forest finds anomalous, and the merchant features,
    /// which come from labels. Two of the one-sided amount features (<c>amount_excess_zscore</c>,
    /// <c>amount_excess_30d_log</c>; <see cref="AmountExcess"/>) are among them, beside the two-sided ones they derive
    /// from: a forest picks a feature at random for each split, so they tilt its isolation towards amounts above the
    /// user's habits; the third, <c>amount_excess_log</c>, is left out.
    /// </summary>
    public static IReadOnlyList<string> ForestDefaults { get; } = FeatureNames
        .Except(ContextNames, StringComparer.Ordinal)
        .Except(MerchantNames, StringComparer.Ordinal)
        .Except(NotInForestDefaults, StringComparer.Ordinal)
        .ToArray();

    /// <summary>Whether any of <paramref name="names"/> is a merchant feature.</summary>
    /// <param name="names">Feature names, e.g. a model's.</param>
    /// <returns>True when the model reads merchant risk.</returns>
    public static bool UsesMerchantRisk(IReadOnlyList<string> names) => names.Any(name => MerchantNames.Contains(name, StringComparer.Ordinal));

    /// <summary>The vector index of each of <paramref name="names"/>, e.g. to pick a model's columns out of the vector.</summary>
    /// <param name="names">Feature names of this schema, in any order.</param>
    /// <returns>Their indices, in the same order.</returns>
    /// <exception cref="ArgumentException">A name is not in the schema.</exception>
    public static int[] IndicesOf(IReadOnlyList<string> names) => names
        .Select(name => Array.IndexOf(FeatureNames, name) is >= 0 and var index
            ? index
            : throw new ArgumentException($"'{name}' is not a feature of this build; it computes [{string.Join(", ", FeatureNames)}].", nameof(names)))
        .ToArray();
}
