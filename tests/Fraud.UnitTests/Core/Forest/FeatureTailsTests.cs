using Fraud.Core.Detection.Forest;

namespace Fraud.UnitTests.Core.Forest;

public sealed class FeatureTailsTests
{
    /// <summary>
    /// Two columns of 10,000 rows: the first 0, 1, …, 9,999 (the share at or above v, interpolated as numpy does, is
    /// (9,999 − v) / 9,999), the second the same values reversed and negated, so that its shares run the other way.
    /// </summary>
    private static readonly FeatureTails Tails = FeatureTails.FromRows(
        Enumerable.Range(0, 10_000).SelectMany(i => new[] { (float)i, -(float)(9_999 - i) }).ToArray(), features: 2);

    [Theory]
    [InlineData(9_000, 0.1)]
    [InlineData(5_000, 0.5)]
    [InlineData(9_899, 0.01)]
    [InlineData(9_989, 0.001)]
    public void A_value_reads_as_the_share_of_training_rows_at_or_above_it(double value, double share) =>
        Assert.Equal(share, Tails.UpperTailShare(0, value), share * 0.02);

    [Fact]
    public void Each_feature_has_its_own_tail()
    {
        Assert.Equal(0.1, Tails.UpperTailShare(1, -1_000), 0.002);
        Assert.Equal(0.9, Tails.UpperTailShare(1, -9_000), 0.018);
    }

    [Fact]
    public void Values_past_either_end_read_as_the_smallest_share_and_as_all()
    {
        Assert.Equal(ScoreDistribution.SmallestTail, Tails.UpperTailShare(0, 20_000));
        Assert.Equal(1.0, Tails.UpperTailShare(0, -1));
    }

    [Fact]
    public void A_forest_keeps_the_tails_of_the_columns_it_was_fitted_on()
    {
        var rows = ForestTestData.Rows(inliers: 2_000, features: 3, outliers: 20);
        var forest = IsolationForest.Fit(rows, ["a", "b", "c"], new IsolationForestOptions { Seed = 3 }, "if-test");

        for (int feature = 0; feature < 3; feature++)
        {
            var column = Enumerable.Range(0, rows.Length / 3).Select(row => rows[(row * 3) + feature]).Order().ToArray();
            float tenthFromTop = column[^(column.Length / 10)];
            Assert.Equal(0.1, forest.TrainingTails!.UpperTailShare(feature, tenthFromTop), 0.005);
        }
    }
}
