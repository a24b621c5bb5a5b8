using Fraud.Core.Detection.Forest;

namespace Fraud.UnitTests.Core.Forest;

public sealed class IsolationForestTests
{
    private const int Features = 5;
    private static readonly string[] Names = ForestTestData.Names(Features);
    private static readonly float[] Rows = ForestTestData.Rows(inliers: 2000, Features, outliers: 10);

    private static IsolationForest Fit(IsolationForestOptions options) => IsolationForest.Fit(Rows, Names, options, "if-test");

    [Fact]
    public void The_same_seed_grows_the_same_forest()
    {
        var first = Fit(new IsolationForestOptions { Seed = 7 });
        var second = Fit(new IsolationForestOptions { Seed = 7 });

        Assert.Equal(first.Serialize(), second.Serialize());
        Assert.Equal(ForestTestData.Scores(first, Rows), ForestTestData.Scores(second, Rows));
    }

    [Fact]
    public void Different_seeds_grow_different_forests()
    {
        var first = Fit(new IsolationForestOptions { Seed = 7 });
        var second = Fit(new IsolationForestOptions { Seed = 8 });

        Assert.NotEqual(first.Trees.Attribute, second.Trees.Attribute);
        Assert.NotEqual(ForestTestData.Scores(first, Rows), ForestTestData.Scores(second, Rows));
    }

    [Fact]
    public void Scores_lie_between_minus_one_and_zero()
    {
        var forest = Fit(new IsolationForestOptions());
        float[][] extremes = [[1e30f, -1e30f, 0, 0, 0], [0, 0, 0, 0, 0], [float.MaxValue, float.MinValue, 1, 1, 1]];

        var scores = ForestTestData.Scores(forest, Rows).Concat(extremes.Select(row => forest.ScoreSample(row)));

        Assert.All(scores, score => Assert.InRange(score, -1.0, 0.0));
    }

    [Fact]
    public void Planted_outliers_score_lower_than_every_inlier()
    {
        var forest = Fit(new IsolationForestOptions());

        var scores = ForestTestData.Scores(forest, Rows);

        var lowestInlier = scores[..2000].Min();
        Assert.All(scores[2000..], outlier => Assert.True(outlier < lowestInlier, $"outlier {outlier} ≥ lowest inlier {lowestInlier}"));
        Assert.All(scores[2000..], outlier => Assert.True(outlier < -0.6, $"outlier {outlier}"));
    }

    [Fact]
    public void Auto_contamination_puts_the_offset_at_minus_one_half() =>
        Assert.Equal(-0.5, Fit(new IsolationForestOptions()).Offset);

    [Theory]
    [InlineData(0.01)]
    [InlineData(0.05)]
    [InlineData(0.5)]
    public void A_contamination_share_flags_that_share_of_the_training_rows(double contamination)
    {
        var forest = Fit(new IsolationForestOptions { Contamination = contamination });

        var scores = ForestTestData.Scores(forest, Rows);

        var flagged = scores.Count(score => score < forest.Offset) / (double)scores.Length;
        Assert.InRange(flagged, contamination - 0.001, contamination + 0.001);   // within one row of 2,010
    }

    [Fact]
    public void The_offset_is_numpy_percentile_of_the_training_scores_with_linear_interpolation()
    {
        var forest = Fit(new IsolationForestOptions { Contamination = 0.1 });

        var sorted = ForestTestData.Scores(forest, Rows).Order().ToArray();

        var position = 0.1 * (sorted.Length - 1);   // 200.9 for 2010 rows
        var expected = sorted[200] + (position - 200) * (sorted[201] - sorted[200]);
        Assert.Equal(expected, forest.Offset, precision: 15);
    }

    [Fact]
    public void The_forest_keeps_what_it_was_fitted_with()
    {
        var options = new IsolationForestOptions { Estimators = 10, MaxSamples = 64, MaxFeatures = 0.6, Contamination = 0.02, Seed = 3 };

        var forest = Fit(options);

        Assert.Equal("if-test", forest.Version);
        Assert.Equal(Names, forest.FeatureNames);
        Assert.Equal(options, forest.Options);
        Assert.Equal(2010, forest.TrainingRows);
        Assert.Equal(10, forest.Trees.Count);
    }

    [Fact]
    public void Max_samples_above_the_row_count_uses_every_row()
    {
        var forest = IsolationForest.Fit(Rows.AsSpan(0, 100 * Features), Names, new IsolationForestOptions { MaxSamples = 256 }, "v");

        Assert.Equal(100, forest.SubsampleSize);
        Assert.Equal(7, forest.Trees.Height);   // ⌈log₂ 100⌉
    }

    [Fact]
    public void Scoring_a_row_allocates_nothing()
    {
        var forest = Fit(new IsolationForestOptions());
        var row = Rows.AsSpan(0, Features).ToArray();
        forest.ScoreSample(row);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            forest.ScoreSample(row);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void A_row_of_the_wrong_width_is_rejected()
    {
        var forest = Fit(new IsolationForestOptions { Estimators = 5 });

        var error = Assert.Throws<ArgumentException>(() => forest.ScoreSample([1f, 2f]));

        Assert.Contains("expects 5 features; 2 were given", error.Message);
    }

    public static TheoryData<IsolationForestOptions> InvalidOptions() =>
    [
        new() { Estimators = 0 },
        new() { MaxSamples = 0 },
        new() { MaxFeatures = 0 },
        new() { MaxFeatures = 1.5 },
        new() { MaxFeatures = double.NaN },
        new() { Contamination = 0 },
        new() { Contamination = 0.51 },
        new() { Contamination = double.NaN },
    ];

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Options_outside_their_range_are_rejected(IsolationForestOptions options) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Fit(options));

    [Fact]
    public void Training_rows_must_be_whole_finite_rows_with_distinct_feature_names()
    {
        var options = new IsolationForestOptions();
        Assert.Throws<ArgumentException>(() => IsolationForest.Fit([], Names, options, "v"));
        Assert.Throws<ArgumentException>(() => IsolationForest.Fit([1f, 2f, 3f], ["a", "b"], options, "v"));
        Assert.Throws<ArgumentException>(() => IsolationForest.Fit([1f, 2f], ["a", "a"], options, "v"));
        Assert.Throws<ArgumentException>(() => IsolationForest.Fit([1f, 2f], ["a", ""], options, "v"));
        Assert.Throws<ArgumentException>(() => IsolationForest.Fit([1f, 2f], ["a", "b"], options, " "));
        var error = Assert.Throws<ArgumentException>(() => IsolationForest.Fit([1f, 2f, 3f, float.NaN], ["a", "b"], options, "v"));
        Assert.Contains("Row 1, feature 'b'", error.Message);
        Assert.Throws<ArgumentException>(() => IsolationForest.Fit([1f, float.PositiveInfinity], ["a", "b"], options, "v"));
    }
}
