namespace Fraud.Tests.Core.Forest;

/// <summary>
/// Area under the ROC curve as the Mann–Whitney statistic: the probability that a random positive scores above a
/// random negative, ties counting one half — what scikit-learn's <c>roc_auc_score</c> computes. Test-only: the
/// product's evaluation metrics live in Fraud.Core/Evaluation.
/// </summary>
internal static class RocAuc
{
    /// <summary>AUC of <paramref name="scores"/> (higher = more likely positive) against <paramref name="positive"/>.</summary>
    public static double Compute(IReadOnlyList<double> scores, IReadOnlyList<bool> positive)
    {
        if (scores.Count != positive.Count)
        {
            throw new ArgumentException("One label per score is needed.");
        }
        var order = Enumerable.Range(0, scores.Count).OrderBy(i => scores[i]).ToArray();
        double positiveRankSum = 0;
        long positives = 0;
        for (var first = 0; first < order.Length;)
        {
            var last = first;
            while (last + 1 < order.Length && scores[order[last + 1]] == scores[order[first]])
            {
                last++;
            }
            var midRank = (first + last) / 2.0 + 1;   // tied scores share the mean of their 1-based ranks
            for (var i = first; i <= last; i++)
            {
                if (positive[order[i]])
                {
                    positiveRankSum += midRank;
                    positives++;
                }
            }
            first = last + 1;
        }
        var negatives = scores.Count - positives;
        if (positives == 0 || negatives == 0)
        {
            throw new ArgumentException("ROC-AUC needs both positives and negatives.");
        }
        return (positiveRankSum - positives * (positives + 1) / 2.0) / (positives * negatives);
    }
}
