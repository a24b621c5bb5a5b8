namespace Fraud.Core.Detection.Forest;

/// <summary>
/// How a freshly trained forest behaves on recent traffic it was not fitted on, and whether that is sane enough to
/// activate: the share of holdout rows it calls anomalous (score below its threshold) must stay within
/// <see cref="ModelValidationLimits.MaxAnomalyRate"/> (a model that flags everything would flood the analysts), and
/// the median score must lie in <see cref="ModelValidationLimits.MedianScoreRange"/> (a degenerate forest, e.g. one
/// fitted on constant rows, scores everything alike).
/// </summary>
/// <param name="HoldoutRows">Rows scored.</param>
/// <param name="AnomalyRate">Share of them scoring below the threshold.</param>
/// <param name="ScoreP01">First percentile of the scores (the most anomalous end).</param>
/// <param name="ScoreP50">Median score.</param>
/// <param name="ScoreP99">99th percentile of the scores.</param>
/// <param name="Problems">Why it must not be activated; empty when it passes.</param>
public sealed record ModelValidation(int HoldoutRows, double AnomalyRate, double ScoreP01, double ScoreP50, double ScoreP99, IReadOnlyList<string> Problems)
{
    /// <summary>Whether the model may be activated.</summary>
    public bool Passed => Problems.Count == 0;

    /// <summary>Scores the holdout rows and checks them against the limits.</summary>
    /// <param name="forest">The candidate.</param>
    /// <param name="holdout">Rows in the order of the forest's features, row-major.</param>
    /// <param name="limits">The limits; the defaults when null.</param>
    /// <returns>The figures and the verdict.</returns>
    public static ModelValidation Of(IsolationForest forest, ReadOnlySpan<float> holdout, ModelValidationLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(forest);
        limits ??= new ModelValidationLimits();
        int width = forest.FeatureNames.Count;
        int rows = holdout.Length / width;
        if (rows < limits.MinHoldoutRows)
        {
            return new ModelValidation(rows, double.NaN, double.NaN, double.NaN, double.NaN,
                [$"holdout: {rows} rows, at least {limits.MinHoldoutRows} needed to judge the model"]);
        }

        var scores = new double[rows];
        int anomalous = 0;
        for (int row = 0; row < rows; row++)
        {
            scores[row] = forest.ScoreSample(holdout.Slice(row * width, width));
            anomalous += scores[row] < forest.Offset ? 1 : 0;
        }

        Array.Sort(scores);
        double rate = anomalous / (double)rows;
        var validation = new ModelValidation(rows, rate, Quantile(scores, 0.01), Quantile(scores, 0.5), Quantile(scores, 0.99), []);
        var problems = new List<string>();
        if (rate > limits.MaxAnomalyRate)
        {
            problems.Add($"anomaly_rate: {rate:P2} of recent traffic scores below the threshold, at most {limits.MaxAnomalyRate:P2} allowed");
        }

        if (validation.ScoreP50 < limits.MedianScoreRange.Min || validation.ScoreP50 > limits.MedianScoreRange.Max)
        {
            problems.Add($"score_p50: {validation.ScoreP50:0.000} is outside [{limits.MedianScoreRange.Min}, {limits.MedianScoreRange.Max}]");
        }

        return validation with { Problems = problems };
    }

    private static double Quantile(double[] sorted, double q) => sorted[(int)Math.Min(sorted.Length - 1, Math.Floor(q * sorted.Length))];
}

/// <summary>What <see cref="ModelValidation"/> accepts.</summary>
public sealed record ModelValidationLimits
{
    /// <summary>Fewer holdout rows than this cannot judge a model: it fails.</summary>
    public int MinHoldoutRows { get; init; } = 100;

    /// <summary>The largest share of recent traffic the model may call anomalous; default 10%.</summary>
    public double MaxAnomalyRate { get; init; } = 0.10;

    /// <summary>Where the median score of normal traffic must lie (scikit-learn's scale: about −0.4 for typical data).</summary>
    public (double Min, double Max) MedianScoreRange { get; init; } = (-0.65, -0.3);
}
