namespace Fraud.Core.Evaluation;

/// <summary>Precision and recall of a yes/no decision such as the alert flag.</summary>
/// <param name="TruePositives">Flagged and positive.</param>
/// <param name="FalsePositives">Flagged but negative.</param>
/// <param name="FalseNegatives">Positive but not flagged.</param>
public readonly record struct ThresholdMetrics(int TruePositives, int FalsePositives, int FalseNegatives)
{
    /// <summary>Share of flagged items that are positive; NaN when nothing is flagged.</summary>
    public double Precision => Ratio(TruePositives, TruePositives + FalsePositives);

    /// <summary>Share of positives that are flagged; NaN when there are no positives.</summary>
    public double Recall => Ratio(TruePositives, TruePositives + FalseNegatives);

    /// <summary>Counts the outcomes of <paramref name="flagged"/> against <paramref name="labels"/>.</summary>
    /// <param name="flagged">Whether each item was flagged.</param>
    /// <param name="labels">Whether each item is positive.</param>
    /// <returns>The counts.</returns>
    public static ThresholdMetrics Of(ReadOnlySpan<bool> flagged, ReadOnlySpan<bool> labels)
    {
        if (flagged.Length != labels.Length)
        {
            throw new ArgumentException("Needs one label per decision.", nameof(labels));
        }

        int truePositives = 0, falsePositives = 0, falseNegatives = 0;
        for (int i = 0; i < flagged.Length; i++)
        {
            switch ((flagged[i], labels[i]))
            {
                case (true, true): truePositives++; break;
                case (true, false): falsePositives++; break;
                case (false, true): falseNegatives++; break;
            }
        }

        return new ThresholdMetrics(truePositives, falsePositives, falseNegatives);
    }

    private static double Ratio(int numerator, int denominator) => denominator == 0 ? double.NaN : numerator / (double)denominator;
}
