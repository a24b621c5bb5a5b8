using Fraud.Core;
using Fraud.Core.Features;

namespace Fraud.Detector.Offline;

/// <summary>
/// How the offline verbs feed merchant risk as a file streams by: every transaction is counted at its merchant, and a
/// transaction labelled fraud is counted as a fraud there. Reading only looks at days older than the label delay
/// (<see cref="MerchantRisk"/>), so recording a label as its transaction passes uses it exactly when the Fraud
/// Detection Handbook's protocol says it is known.
/// </summary>
internal static class MerchantLabels
{
    /// <param name="merchants">The merchant risk to feed.</param>
    /// <param name="transaction">The transaction just decided.</param>
    /// <param name="labels">The labels, if any.</param>
    /// <param name="counted">Whether the transaction itself was already counted (a training set counts its rows).</param>
    /// <returns>Whether the transaction has a label.</returns>
    public static bool Fold(MerchantRisk merchants, Transaction transaction, IReadOnlyDictionary<string, Label>? labels, bool counted = false)
    {
        if (!counted)
        {
            merchants.RecordTransaction(transaction);
        }

        if (labels is null || !labels.TryGetValue(transaction.TxId, out var label))
        {
            return false;
        }

        if (label.IsFraud)
        {
            merchants.RecordFraud(transaction.MerchantId, transaction.Ts);
        }

        return true;
    }

    /// <summary>
    /// Refuses a classifier that reads merchant risk when no labels are given: its merchant features would all read
    /// zero, which it never saw in training.
    /// </summary>
    public static void RequireFor(Fraud.Core.Detection.Supervised.GradientBoostedClassifier? classifier, bool haveLabels, string side = "")
    {
        if (classifier?.MerchantLabelDelay is { } delay && !haveLabels)
        {
            throw new BadInputException(
                $"{side}classifier {classifier.Version} reads merchant risk, which needs the fraud labels ({delay.TotalDays:0.##}-day label delay): give --labels, or a CSV with an is_fraud column.");
        }
    }
}
