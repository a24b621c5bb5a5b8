using System.Globalization;

namespace Fraud.Core.Detection;

/// <summary>
/// The walking skeleton's decision: alert on any transaction whose amount exceeds a fixed threshold.
/// Later work replaces it with per-user features, the Isolation Forest and a rule set behind the same shape.
/// </summary>
public sealed class AmountThresholdDetector
{
    /// <summary>Rule name recorded on every alert this detector raises.</summary>
    public const string RuleName = "amount_above_threshold";

    /// <summary>Model version recorded on alerts: no trained model takes part yet.</summary>
    public const string ModelVersion = "rules-v0";

    private readonly decimal _threshold;

    /// <summary>Creates a detector that alerts above <paramref name="threshold"/> (exclusive).</summary>
    public AmountThresholdDetector(decimal threshold)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threshold);
        _threshold = threshold;
    }

    /// <summary>The configured threshold.</summary>
    public decimal Threshold => _threshold;

    /// <summary>
    /// Returns an open alert when <paramref name="transaction"/> is above the threshold, otherwise null.
    /// Risk grows linearly from 0.5 at the threshold to 1 at twice the threshold.
    /// </summary>
    public Alert? Evaluate(Transaction transaction, DateTimeOffset now)
    {
        if (transaction.Amount <= _threshold)
        {
            return null;
        }
        var risk = (double)Math.Min(1m, transaction.Amount / (2m * _threshold));
        var reason = string.Create(CultureInfo.InvariantCulture, $"amount={transaction.Amount:0.00}; threshold={_threshold:0.00}");
        return new Alert(
            transaction.TxId, transaction.UserId, transaction.Amount, transaction.Location, transaction.Ts,
            Score: null, reason, now, Math.Round(risk, 4), [RuleName], ModelVersion, Status: "open");
    }
}
