using System.Buffers.Binary;
using Fraud.Core.Detection.Forest;

namespace Fraud.UnitTests.Core.Forest;

public sealed class ModelFileTests
{
    private const int Features = 4;
    private static readonly float[] Rows = ForestTestData.Rows(inliers: 1000, Features, outliers: 5);

    private static IsolationForest Fit(IsolationForestOptions options) =>
        IsolationForest.Fit(Rows, ["amount_z", "tx_1h", "km_h", "hour"], options, "if-2025-09-13-01");

    /// <summary>A model small enough to corrupt byte by byte.</summary>
    private static readonly byte[] SmallModel = Fit(new IsolationForestOptions { Estimators = 3, MaxSamples = 8 }).Serialize();

    [Theory]
    [InlineData(null)]
    [InlineData(0.03)]
    public void A_round_trip_scores_every_row_identically(double? contamination)
    {
        var original = Fit(new IsolationForestOptions { Contamination = contamination, MaxFeatures = 0.75, Seed = 11 });

        var restored = IsolationForest.Deserialize(original.Serialize());

        Assert.Equal(ForestTestData.Scores(original, Rows), ForestTestData.Scores(restored, Rows));
        Assert.Equal(original.Offset, restored.Offset);
        Assert.Equal(original.Version, restored.Version);
        Assert.Equal(original.FeatureNames, restored.FeatureNames);
        Assert.Equal(original.Options, restored.Options);
        Assert.Equal(original.TrainingRows, restored.TrainingRows);
        Assert.Equal(original.Serialize(), restored.Serialize());
    }

    [Fact]
    public void A_file_starts_with_the_magic_and_format_version_three()
    {
        Assert.Equal("FRAUD-IF"u8.ToArray(), SmallModel[..8]);
        Assert.Equal(3, BinaryPrimitives.ReadInt32LittleEndian(SmallModel.AsSpan(8)));
    }

    [Fact]
    public void A_round_trip_keeps_the_training_scores()
    {
        var original = Fit(new IsolationForestOptions { Seed = 5 });

        var restored = IsolationForest.Deserialize(original.Serialize());

        Assert.Equal(original.TrainingScores!.Quantiles, restored.TrainingScores!.Quantiles);
    }

    [Fact]
    public void A_round_trip_keeps_every_features_training_tail()
    {
        var original = Fit(new IsolationForestOptions { Seed = 5 });

        var restored = IsolationForest.Deserialize(original.Serialize());

        Assert.Equal(4, restored.TrainingTails!.Count);
        double[] values = [-3, -0.5, 0, 0.25, 1, 2.5, 4, 9];
        for (int feature = 0; feature < 4; feature++)
        {
            Assert.Equal(
                values.Select(value => original.TrainingTails!.UpperTailShare(feature, value)),
                values.Select(value => restored.TrainingTails.UpperTailShare(feature, value)));
        }
    }

    [Fact]
    public void A_format_version_2_file_is_read_without_training_tails_and_scores_the_same()
    {
        var original = Fit(new IsolationForestOptions { Seed = 5, Contamination = 0.02 });

        var old = ForestFiles.AsFormatVersion2(original);

        Assert.Null(old.TrainingTails);
        Assert.Equal(original.TrainingScores!.Quantiles, old.TrainingScores!.Quantiles);
        Assert.Equal(ForestTestData.Scores(original, Rows), ForestTestData.Scores(old, Rows));
    }

    [Fact]
    public void A_training_tail_out_of_order_is_rejected_with_its_features_name()
    {
        var file = SmallModel.ToArray();
        var forest = IsolationForest.Deserialize(file);
        int treeArrays = (4 * forest.Trees.Count) + (20 * forest.Trees.NodeCount);
        int lastFeaturesTail = file.Length - treeArrays - (8 * ScoreDistribution.GridPoints);
        BinaryPrimitives.WriteDoubleLittleEndian(file.AsSpan(lastFeaturesTail), 1e9);   // above the next quantile

        var error = Assert.Throws<InvalidDataException>(() => IsolationForest.Deserialize(file));

        Assert.Contains("'hour'", error.Message);
        Assert.Contains("out of order", error.Message);
    }

    [Fact]
    public void A_format_version_1_file_is_read_without_training_scores_and_scores_the_same()
    {
        var original = Fit(new IsolationForestOptions { Seed = 5, Contamination = 0.02 });

        var old = ForestFiles.AsFormatVersion1(original);

        Assert.Null(old.TrainingScores);
        Assert.Equal(original.Offset, old.Offset);
        Assert.Equal(ForestTestData.Scores(original, Rows), ForestTestData.Scores(old, Rows));
    }

    [Fact]
    public void Training_scores_out_of_order_are_rejected()
    {
        var file = Fit(new IsolationForestOptions { Estimators = 3, MaxSamples = 8 }).Serialize();
        int versionLength = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(12));
        int firstQuantile = 16 + versionLength + 29 + 12 + 1;
        BinaryPrimitives.WriteDoubleLittleEndian(file.AsSpan(firstQuantile), -0.01);   // above the next quantile

        var error = Assert.Throws<InvalidDataException>(() => IsolationForest.Deserialize(file));

        Assert.Contains("out of order", error.Message);
    }

    [Fact]
    public void Bytes_that_are_not_a_model_file_are_rejected()
    {
        Assert.Throws<InvalidDataException>(() => IsolationForest.Deserialize([]));
        var error = Assert.Throws<InvalidDataException>(() => IsolationForest.Deserialize("{\"model\":\"json\"}"u8));
        Assert.Contains("magic", error.Message);
    }

    [Fact]
    public void An_unknown_format_version_is_rejected_by_name()
    {
        var file = SmallModel.ToArray();
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(8), 4);

        var error = Assert.Throws<InvalidDataException>(() => IsolationForest.Deserialize(file));

        Assert.Contains("format version 4", error.Message);
    }

    [Fact]
    public void Every_truncation_is_rejected()
    {
        for (var length = 0; length < SmallModel.Length; length++)
        {
            Assert.Throws<InvalidDataException>(() => IsolationForest.Deserialize(SmallModel.AsSpan(0, length)));
        }
    }

    [Fact]
    public void Trailing_bytes_are_rejected() =>
        Assert.Throws<InvalidDataException>(() => IsolationForest.Deserialize([.. SmallModel, 0]));

    [Fact]
    public void A_child_index_outside_its_tree_is_rejected()
    {
        var forest = IsolationForest.Deserialize(SmallModel);
        var nodes = forest.Trees.NodeCount;
        var firstSplit = Enumerable.Range(0, nodes).First(i => !forest.Trees.IsLeaf(i));
        var file = SmallModel.ToArray();
        var leftArray = file.Length - 8 * nodes - 4 * nodes;   // the file ends with m left children, then m path lengths
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(leftArray + 4 * firstSplit), nodes + 5);

        var error = Assert.Throws<InvalidDataException>(() => IsolationForest.Deserialize(file));

        Assert.Contains("children outside", error.Message);
    }

    [Fact]
    public void Any_flipped_bit_either_is_rejected_or_leaves_a_model_that_still_scores()
    {
        for (var position = 0; position < SmallModel.Length; position++)
        {
            for (var bit = 0; bit < 8; bit++)
            {
                var file = SmallModel.ToArray();
                file[position] ^= (byte)(1 << bit);
                IsolationForest forest;
                try
                {
                    forest = IsolationForest.Deserialize(file);
                }
                catch (InvalidDataException)
                {
                    continue;
                }
                var row = new float[forest.FeatureNames.Count];
                Assert.InRange(forest.ScoreSample(row), -1.0, 0.0);
            }
        }
    }
}
