namespace Fraud.Core.Detection.Forest;

/// <summary>
/// Where a score ranks among the forest's training scores: the share of training rows that scored as low or lower
/// (the tail share, small for anomalies). Turning a score into its rank makes the decision independent of the
/// score's scale, which differs from one data set to the next, so a threshold on the rank ("the lowest 0.5 % of what
/// training saw") carries over to data nobody tuned on. Kept as the training scores' quantiles on a geometric grid of
/// tail shares from <see cref="SmallestTail"/> to 1, fine where alerts are decided and coarse where they are not.
/// Immutable; reading allocates nothing.
/// </summary>
public sealed class ScoreDistribution
{
    /// <summary>Points of the grid.</summary>
    public const int GridPoints = 201;

    /// <summary>The smallest tail share the grid resolves; a score below every quantile reads as this.</summary>
    public const double SmallestTail = 1e-5;

    private static readonly double[] LogTails = Enumerable.Range(0, GridPoints)
        .Select(point => Math.Log(SmallestTail) * (1 - (point / (double)(GridPoints - 1))))
        .ToArray();

    private readonly double[] _quantiles;

    private ScoreDistribution(double[] quantiles) => _quantiles = quantiles;

    /// <summary>The score at each grid point's tail share, non-decreasing.</summary>
    public IReadOnlyList<double> Quantiles => _quantiles;

    /// <summary>The tail share of each grid point, from <see cref="SmallestTail"/> to 1.</summary>
    public static IEnumerable<double> Tails => LogTails.Select(Math.Exp);

    /// <summary>The distribution of <paramref name="sortedScores"/>, sorted ascending.</summary>
    /// <param name="sortedScores">Every training row's score, ascending.</param>
    public static ScoreDistribution FromSorted(IReadOnlyList<double> sortedScores)
    {
        ArgumentOutOfRangeException.ThrowIfZero(sortedScores.Count);
        var quantiles = new double[GridPoints];
        for (int point = 0; point < GridPoints; point++)
        {
            // numpy's percentile with linear interpolation, as the contamination offset uses.
            double position = Math.Exp(LogTails[point]) * (sortedScores.Count - 1);
            int below = (int)Math.Floor(position);
            int above = Math.Min(below + 1, sortedScores.Count - 1);
            quantiles[point] = sortedScores[below] + ((position - below) * (sortedScores[above] - sortedScores[below]));
        }

        return new ScoreDistribution(quantiles);
    }

    /// <summary>Reads a forest's score quantiles back from a model file.</summary>
    /// <exception cref="InvalidDataException">Not <see cref="GridPoints"/> finite, non-decreasing scores in [−1, 0].</exception>
    internal static ScoreDistribution FromQuantiles(double[] quantiles) => FromQuantiles(quantiles, "score distribution", lowest: -1, highest: 0);

    /// <summary>Reads quantiles of any finite values (e.g. a feature's) back from a model file.</summary>
    /// <param name="quantiles">The quantiles, <see cref="GridPoints"/> of them.</param>
    /// <param name="what">What they are a distribution of, for the error message.</param>
    /// <param name="lowest">The smallest value allowed.</param>
    /// <param name="highest">The largest value allowed.</param>
    /// <exception cref="InvalidDataException">Not <see cref="GridPoints"/> non-decreasing values in [lowest, highest].</exception>
    internal static ScoreDistribution FromQuantiles(double[] quantiles, string what, double lowest = double.MinValue, double highest = double.MaxValue)
    {
        if (quantiles.Length != GridPoints)
        {
            throw new InvalidDataException($"The {what} has {quantiles.Length} quantiles, not {GridPoints}.");
        }

        for (int point = 0; point < GridPoints; point++)
        {
            if (!(quantiles[point] >= lowest && quantiles[point] <= highest) || (point > 0 && quantiles[point] < quantiles[point - 1]))
            {
                throw new InvalidDataException($"The {what}'s quantile {point} ({quantiles[point]}) is outside [{lowest}, {highest}] or out of order.");
            }
        }

        return new ScoreDistribution(quantiles);
    }

    /// <summary>The score below which a share <paramref name="tailShare"/> of the training rows fall: the inverse of <see cref="TailShare"/>.</summary>
    /// <param name="tailShare">In [<see cref="SmallestTail"/>, 1].</param>
    public double ScoreAt(double tailShare)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(tailShare, SmallestTail);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(tailShare, 1);
        double position = (Math.Log(tailShare) - LogTails[0]) / (LogTails[1] - LogTails[0]);
        int below = Math.Min((int)Math.Floor(position), GridPoints - 2);
        return _quantiles[below] + ((position - below) * (_quantiles[below + 1] - _quantiles[below]));
    }

    /// <summary>
    /// The share of training scores at or below <paramref name="score"/>, interpolated between grid points on the
    /// log scale of the share; at least <see cref="SmallestTail"/>, at most 1.
    /// </summary>
    /// <param name="score">A score of the same forest.</param>
    public double TailShare(double score)
    {
        var quantiles = _quantiles.AsSpan();
        if (score < quantiles[0])
        {
            return SmallestTail;
        }

        // The last grid point whose quantile is at or below the score: ties take the largest share, as "at or below" says.
        int low = 0, high = GridPoints - 1;
        while (low < high)
        {
            int middle = (low + high + 1) / 2;
            if (quantiles[middle] <= score)
            {
                low = middle;
            }
            else
            {
                high = middle - 1;
            }
        }

        if (low == GridPoints - 1)
        {
            return 1;
        }

        double fraction = (score - quantiles[low]) / (quantiles[low + 1] - quantiles[low]);
        return Math.Exp(LogTails[low] + (fraction * (LogTails[low + 1] - LogTails[low])));
    }
}
