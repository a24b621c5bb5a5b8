using System.Collections.Frozen;

namespace Fraud.Core.Features;

/// <summary>
/// Groups merchant category codes (ISO 18245) by how often card fraud targets them, so that the forest sees one
/// ordered number instead of ten thousand unordered codes: 0 low, 1 medium (and unknown), 2 high.
/// </summary>
public static class MerchantCategoryRisk
{
    /// <summary>Everyday, card-present spending that fraudsters rarely monetise.</summary>
    public const int Low = 0;

    /// <summary>Anything not listed as low or high, and a missing code.</summary>
    public const int Medium = 1;

    /// <summary>Categories where stolen cards are cashed out: quasi-cash, transfers, gambling, resellable goods.</summary>
    public const int High = 2;

    // High: money transfer 4829, telecom top-ups 4814, electronics 5732, precious stones 5094, jewellery 5944,
    // inbound telemarketing 5967, digital games 5816, cash disbursement 6010/6011, financial merchandise 6012,
    // quasi-cash and crypto 6051, securities 6211, stored-value loads 6540, dating 7273, lotteries and betting
    // 7800/7801/7802/7995.
    private static readonly FrozenSet<int> HighRisk = FrozenSet.ToFrozenSet(
    [
        4814, 4829, 5094, 5732, 5816, 5944, 5967, 6010, 6011, 6012, 6051, 6211, 6540, 7273, 7800, 7801, 7802, 7995,
    ]);

    // Low: transport 4111/4121/4131/4784, utilities 4900, department and variety stores 5311/5331, groceries and food
    // shops 5411/5422/5441/5451/5462/5499, fuel 5541/5542, restaurants 5812/5814, pharmacies 5912, parking 7523,
    // health care 8011/8021/8062, schools 8211/8220, government 9311/9399.
    private static readonly FrozenSet<int> LowRisk = FrozenSet.ToFrozenSet(
    [
        4111, 4121, 4131, 4784, 4900, 5311, 5331, 5411, 5422, 5441, 5451, 5462, 5499, 5541, 5542, 5812, 5814, 5912,
        7523, 8011, 8021, 8062, 8211, 8220, 9311, 9399,
    ]);

    /// <summary>The codes of the high-risk group, e.g. for the <c>high_risk_mcc</c> rule's default list.</summary>
    public static IReadOnlySet<int> HighRiskCodes => HighRisk;

    /// <summary>The risk group of <paramref name="mcc"/>.</summary>
    /// <param name="mcc">A merchant category code, or null when the transaction has none.</param>
    /// <returns><see cref="Low"/>, <see cref="Medium"/> or <see cref="High"/>.</returns>
    public static int GroupOf(int? mcc) => mcc switch
    {
        { } code when HighRisk.Contains(code) => High,
        { } code when LowRisk.Contains(code) => Low,
        _ => Medium,
    };
}
