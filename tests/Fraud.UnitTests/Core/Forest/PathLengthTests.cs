using Fraud.Core.Detection.Forest;

namespace Fraud.UnitTests.Core.Forest;

/// <summary>
/// h(x) is the number of edges from the root to the external node x falls into, plus c(Size) of that node
/// (Algorithm 3); the score is −2^(−E(h(x)) / c(ψ)). Hand-built trees and data whose isolation is forced check both.
/// </summary>
public sealed class PathLengthTests
{
    private static readonly string[] TwoFeatures = ["f0", "f1"];

    /// <summary>
    /// Tree 0:            x[1] ≤ 0.5 ?
    ///                   /           \
    ///      leaf (e 1, size 1)     x[0] ≤ 2 ?
    ///                             /          \
    ///               leaf (e 2, size 3)    leaf (e 2, size 2)
    /// Tree 1: a single leaf holding all ψ = 6 samples (they were identical), e 0.
    /// </summary>
    private static IsolationForest HandBuiltForest()
    {
        var nodes = new IsolationTrees.Builder();
        var root = nodes.BeginTree();
        var (left, right) = nodes.SetSplit(root, q: 1, p: 0.5f);
        nodes.SetLeaf(left, e: 1, size: 1);
        var (rightLeft, rightRight) = nodes.SetSplit(right, q: 0, p: 2f);
        nodes.SetLeaf(rightLeft, e: 2, size: 3);
        nodes.SetLeaf(rightRight, e: 2, size: 2);
        nodes.SetLeaf(nodes.BeginTree(), e: 0, size: 6);
        var options = new IsolationForestOptions { Estimators = 2, MaxSamples = 6 };
        return new IsolationForest(nodes.Build(featureCount: 2), TwoFeatures, options, "hand-built", trainingRows: 6, offset: -0.5, trainingScores: null, trainingTails: null);
    }

    [Theory]
    [InlineData(0f, 0f, 1.0)]                    // left at the root: e = 1, c(1) = 0
    [InlineData(9f, 0.5f, 1.0)]                  // a tie goes left, as in scikit-learn
    [InlineData(2f, 0.6f, 3.207392357589623)]    // e = 2 + c(3) = 2 + 1.207392357589623
    [InlineData(2.5f, 1f, 3.0)]                  // e = 2 + c(2) = 2 + 1
    [InlineData(float.NaN, float.NaN, 1.0)]      // NaN is never > p, so it goes left
    public void A_row_follows_the_splits_and_its_path_length_is_the_depth_plus_c_of_the_leaf_size(float x0, float x1, double expected)
    {
        var trees = HandBuiltForest().Trees;

        Assert.Equal(expected, trees.PathLength([x0, x1], tree: 0), precision: 12);
        Assert.Equal(expected + IsolationForest.AveragePathLength(6), trees.TotalPathLength([x0, x1]), precision: 12);
    }

    [Fact]
    public void The_fixed_step_walk_over_all_trees_agrees_with_algorithm_3_tree_by_tree()
    {
        var rows = ForestTestData.Rows(inliers: 500, features: 4, outliers: 5);
        var forest = IsolationForest.Fit(rows, ForestTestData.Names(4), new IsolationForestOptions { MaxSamples = 128 }, "v");
        float[][] unusual = [[float.NaN, 0, 0, 0], [1e30f, -1e30f, 0, 0], [float.PositiveInfinity, float.NegativeInfinity, 1, 1]];

        foreach (var row in Enumerable.Range(0, 505).Select(i => rows.AsSpan(i * 4, 4).ToArray()).Concat(unusual))
        {
            var oneByOne = Enumerable.Range(0, forest.Trees.Count).Sum(t => forest.Trees.PathLength(row, t));
            Assert.Equal(oneByOne, forest.Trees.TotalPathLength(row));
        }
    }

    [Fact]
    public void A_leaf_holding_every_sample_has_path_length_c_of_psi() =>
        Assert.Equal(IsolationForest.AveragePathLength(6), HandBuiltForest().Trees.PathLength([0f, 0f], tree: 1), precision: 12);

    [Theory]
    [InlineData(0f, 0f, -0.6221218789122523)]   // −2^(−((1 + c(6)) / 2) / c(6)), c(6) = 2.7066404880045996
    [InlineData(2f, 0.6f, -0.46894664122650503)]
    [InlineData(2.5f, 1f, -0.48156666944702725)]
    public void The_score_is_minus_two_to_the_mean_path_length_over_c_of_psi(float x0, float x1, double expected) =>
        Assert.Equal(expected, HandBuiltForest().ScoreSample([x0, x1]), precision: 12);

    [Fact]
    public void A_lone_point_is_isolated_by_the_first_split_whatever_the_seed()
    {
        // 255 zeros and a single 1 in one feature: the root's split value is in [0, 1), so every tree sends the 1
        // alone to the right (h = 1) and the zeros, identical, to a leaf of 255 (h = 1 + c(255)).
        var rows = new float[256];
        rows[^1] = 1;

        foreach (var seed in new[] { 0, 1, 42 })
        {
            var forest = IsolationForest.Fit(rows, ["amount"], new IsolationForestOptions { Seed = seed }, "v");

            Assert.Equal(-0.9345794551089974, forest.ScoreSample([1f]), precision: 12);   // −2^(−1 / c(256))
            Assert.Equal(-0.4675372820285768, forest.ScoreSample([0f]), precision: 12);   // −2^(−(1 + c(255)) / c(256))
        }
    }

    [Fact]
    public void Identical_rows_are_never_split_and_score_minus_one_half()
    {
        var rows = Enumerable.Repeat(new[] { 3f, -1f, 7.5f }, 50).SelectMany(row => row).ToArray();

        var forest = IsolationForest.Fit(rows, ["a", "b", "c"], new IsolationForestOptions(), "v");

        Assert.Equal(0, forest.Trees.Height);
        Assert.Equal(-0.5, forest.ScoreSample([3f, -1f, 7.5f]), precision: 12);   // h = c(50) = c(ψ)
    }

    [Fact]
    public void Two_distinct_rows_are_each_isolated_at_depth_one()
    {
        var forest = IsolationForest.Fit([0f, 0f, 1f, 1f], TwoFeatures, new IsolationForestOptions(), "v");

        Assert.Equal(-0.5, forest.ScoreSample([0f, 0f]), precision: 12);   // h = 1 = c(2)
        Assert.Equal(-0.5, forest.ScoreSample([1f, 1f]), precision: 12);
    }

    [Fact]
    public void A_single_training_row_scores_minus_one_half_as_in_scikit_learn()
    {
        var forest = IsolationForest.Fit([4f, 2f], TwoFeatures, new IsolationForestOptions(), "v");

        Assert.Equal(-0.5, forest.ScoreSample([4f, 2f]));
        Assert.Equal(-0.5, forest.ScoreSample([400f, -2f]));
    }

    [Theory]
    [InlineData(256, 8)]
    [InlineData(100, 7)]
    [InlineData(64, 6)]
    [InlineData(3, 2)]
    public void Trees_stop_growing_at_the_height_limit_of_ceil_log2_psi(int psi, int limit)
    {
        var rows = ForestTestData.Rows(inliers: 2000, features: 3);

        var forest = IsolationForest.Fit(rows, ForestTestData.Names(3), new IsolationForestOptions { MaxSamples = psi }, "v");

        Assert.Equal(limit, forest.Trees.Height);
        Assert.Equal(limit, Enumerable.Range(0, forest.Trees.Count).Max(forest.Trees.TreeHeight));
    }

    [Fact]
    public void A_feature_constant_in_the_training_data_is_never_split_on()
    {
        var rows = ForestTestData.Rows(inliers: 500, features: 3);
        for (var i = 0; i < 500; i++)
        {
            rows[i * 3 + 1] = 42f;
        }

        var forest = IsolationForest.Fit(rows, ForestTestData.Names(3), new IsolationForestOptions(), "v");

        var splitAttributes = SplitAttributes(forest.Trees, 0, forest.Trees.NodeCount).ToHashSet();
        Assert.Equal([0, 2], splitAttributes.Order());
    }

    [Fact]
    public void With_max_features_one_half_each_tree_splits_on_half_of_the_features()
    {
        var rows = ForestTestData.Rows(inliers: 1000, features: 6);

        var forest = IsolationForest.Fit(rows, ForestTestData.Names(6), new IsolationForestOptions { MaxFeatures = 0.5 }, "v");

        var trees = forest.Trees;
        var attributesPerTree = Enumerable.Range(0, trees.Count).Select(t =>
            SplitAttributes(trees, trees.Roots[t], t + 1 < trees.Count ? trees.Roots[t + 1] : trees.NodeCount).Distinct().Count());
        Assert.All(attributesPerTree, count => Assert.Equal(3, count));
        Assert.Equal(6, SplitAttributes(trees, 0, trees.NodeCount).Distinct().Count());
    }

    private static IEnumerable<int> SplitAttributes(IsolationTrees trees, int start, int end) =>
        Enumerable.Range(start, end - start).Where(i => !trees.IsLeaf(i)).Select(i => trees.Attribute[i]);
}
