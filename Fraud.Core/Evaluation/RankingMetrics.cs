namespace Fraud.Core.Evaluation;

/// <summary>
/// Threshold-free metrics of a ranking: how well higher scores pick out the positives. Both follow scikit-learn
/// (<c>roc_auc_score</c>, <c>average_precision_score</c>), ties included.
/// </summary>
public static class RankingMetrics
{
    /// <summary>
    /// The area under the ROC curve, as the Mann–Whitney statistic: the chance that a random positive scores above a
    /// random negative, a tie counting one half (tied scores share their average rank).
    /// </summary>
    /// <param name="scores">One score per item, higher meaning more likely positive.</param>
    /// <param name="labels">Whether each item is positive.</param>
    /// <returns>The AUC in [0, 1]; NaN when there are no positives or no negatives.</returns>
    public static double RocAuc(ReadOnlySpan<double> scores, ReadOnlySpan<bool> labels)
    {
        var (sortedScores, sortedLabels) = SortAscending(scores, labels);
        long positives = 0;
        double positiveRankSum = 0;
        for (int start = 0; start < sortedScores.Length;)
        {
            int end = EndOfTies(sortedScores, start);
            double averageRank = ((start + 1) + end) / 2.0; // ranks start..end-1 are 1-based start+1..end
            for (int i = start; i < end; i++)
            {
                if (sortedLabels[i])
                {
                    positives++;
                    positiveRankSum += averageRank;
                }
            }

            start = end;
        }

        long negatives = sortedScores.Length - positives;
        if (positives == 0 || negatives == 0)
        {
            return double.NaN;
        }

        return (positiveRankSum - (positives * (positives + 1) / 2.0)) / ((double)positives * negatives);
    }

    /// <summary>
    /// Average precision as scikit-learn defines it: Σₙ (Rₙ − Rₙ₋₁) Pₙ over the distinct scores taken as thresholds
    /// from the highest down, where Pₙ and Rₙ are the precision and recall of flagging everything scoring at least the
    /// n-th threshold. No interpolation; tied items enter together.
    /// </summary>
    /// <param name="scores">One score per item, higher meaning more likely positive.</param>
    /// <param name="labels">Whether each item is positive.</param>
    /// <returns>The average precision in [0, 1]; NaN when there are no positives.</returns>
    public static double AveragePrecision(ReadOnlySpan<double> scores, ReadOnlySpan<bool> labels)
    {
        var (sortedScores, sortedLabels) = SortAscending(scores, labels);
        int positives = 0;
        foreach (bool label in sortedLabels)
        {
            positives += label ? 1 : 0;
        }

        if (positives == 0)
        {
            return double.NaN;
        }

        double averagePrecision = 0;
        int truePositives = 0;
        int flagged = 0;
        for (int end = sortedScores.Length; end > 0;)
        {
            int start = StartOfTies(sortedScores, end);
            int newTruePositives = 0;
            for (int i = start; i < end; i++)
            {
                newTruePositives += sortedLabels[i] ? 1 : 0;
            }

            truePositives += newTruePositives;
            flagged += end - start;
            averagePrecision += (newTruePositives / (double)positives) * (truePositives / (double)flagged);
            end = start;
        }

        return averagePrecision;
    }

    private static (double[] Scores, bool[] Labels) SortAscending(ReadOnlySpan<double> scores, ReadOnlySpan<bool> labels)
    {
        if (scores.Length != labels.Length)
        {
            throw new ArgumentException("Needs one label per score.", nameof(labels));
        }

        double[] sortedScores = scores.ToArray();
        bool[] sortedLabels = labels.ToArray();
        Array.Sort(sortedScores, sortedLabels);
        return (sortedScores, sortedLabels);
    }

    private static int EndOfTies(double[] sorted, int start)
    {
        int end = start + 1;
        while (end < sorted.Length && sorted[end] == sorted[start])
        {
            end++;
        }

        return end;
    }

    private static int StartOfTies(double[] sorted, int end)
    {
        int start = end - 1;
        while (start > 0 && sorted[start - 1] == sorted[end - 1])
        {
            start--;
        }

        return start;
    }
}
