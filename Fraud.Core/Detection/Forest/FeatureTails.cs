namespace Fraud.Core.Detection.Forest;

/// <summary>
/// Where a value of each of a forest's features ranks among its training rows, from the top: the share of training
/// rows whose value is at or above it (the upper tail share, small for values larger than training mostly saw). A
/// forest averages its features, so a value extreme on one feature alone (an amount ten times the usual) can isolate
/// no faster than a point slightly odd on several; the decision reads this rank too (<see cref="Decision.DecisionOptions.AmountTailShare"/>).
/// Each feature is kept as a <see cref="ScoreDistribution"/> of its negated values, whose grid is fine at small tail
/// shares. Immutable; reading allocates nothing.
/// </summary>
public sealed class FeatureTails
{
    private readonly ScoreDistribution[] _negatedValues;

    private FeatureTails(ScoreDistribution[] negatedValues) => _negatedValues = negatedValues;

    /// <summary>How many features the tails describe, in the forest's feature order.</summary>
    public int Count => _negatedValues.Length;

    /// <summary>The share of training rows whose feature <paramref name="feature"/> is at or above <paramref name="value"/>, in [<see cref="ScoreDistribution.SmallestTail"/>, 1].</summary>
    /// <param name="feature">The feature's column in the forest.</param>
    /// <param name="value">A value of that feature.</param>
    public double UpperTailShare(int feature, double value) => _negatedValues[feature].TailShare(-value);

    /// <summary>The tails of every column of <paramref name="rows"/>.</summary>
    /// <param name="rows">Training rows, row-major, <paramref name="features"/> finite values each.</param>
    /// <param name="features">Columns per row.</param>
    internal static FeatureTails FromRows(ReadOnlySpan<float> rows, int features)
    {
        int count = rows.Length / features;
        var tails = new ScoreDistribution[features];
        var column = new double[count];
        for (int feature = 0; feature < features; feature++)
        {
            for (int row = 0; row < count; row++)
            {
                column[row] = -rows[(row * features) + feature];
            }

            Array.Sort(column);
            tails[feature] = ScoreDistribution.FromSorted(column);
        }

        return new FeatureTails(tails);
    }

    /// <summary>The quantiles of each feature's negated values, as the model file stores them.</summary>
    internal IEnumerable<IReadOnlyList<double>> NegatedQuantiles => _negatedValues.Select(tail => tail.Quantiles);

    /// <summary>Reads the tails back from a model file: per feature, <see cref="ScoreDistribution.GridPoints"/> quantiles of its negated values.</summary>
    /// <exception cref="InvalidDataException">A feature's quantiles are not finite and non-decreasing.</exception>
    internal static FeatureTails FromNegatedQuantiles(IReadOnlyList<double[]> quantiles, IReadOnlyList<string> featureNames) =>
        new([.. quantiles.Select((negated, feature) => ScoreDistribution.FromQuantiles(negated, $"training distribution of '{featureNames[feature]}'"))]);
}
