using System.Text;
using Fraud.Core.Detection.Supervised;
using Fraud.Training;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Fraud.UnitTests.Core.Supervised;

public sealed class GradientBoostedClassifierTests
{
    private static readonly string[] Names = ["amount", "velocity", "distance", "noise"];

    /// <summary>
    /// Seeded rows where fraud is a non-linear pattern (large amount with high velocity, or a long distance) plus
    /// label noise, so boosting has something to learn that no single split captures.
    /// </summary>
    private static (float[] Rows, bool[] Labels) Data(int count, int seed)
    {
        var random = new Random(seed);
        var rows = new float[count * Names.Length];
        var labels = new bool[count];
        for (int i = 0; i < count; i++)
        {
            float amount = (float)(random.NextDouble() * 10), velocity = (float)(random.NextDouble() * 5);
            float distance = (float)(random.NextDouble() * 1000), noise = (float)random.NextDouble();
            rows[(i * 4) + 0] = amount;
            rows[(i * 4) + 1] = velocity;
            rows[(i * 4) + 2] = distance;
            rows[(i * 4) + 3] = noise;
            bool pattern = (amount > 7 && velocity > 3) || distance > 950;
            labels[i] = random.NextDouble() < (pattern ? 0.9 : 0.01);
        }

        return (rows, labels);
    }

    private static readonly (float[] Rows, bool[] Labels) Training = Data(4000, seed: 1);
    private static readonly (float[] Rows, bool[] Labels) Test = Data(2000, seed: 2);

    private static readonly GradientBoostingOptions SmallOptions = new() { Trees = 30, Leaves = 8, MinRowsPerLeaf = 10 };

    [Fact]
    public void Our_tree_walk_gives_exactly_what_ml_net_predicts()
    {
        var (classifier, ml, mlNetModel) = GradientBoostingTrainer.FitWithMlNet(Training.Rows, Training.Labels, Names, SmallOptions, "gb-test");

        var examples = Enumerable.Range(0, Test.Labels.Length)
            .Select(i => new GradientBoostingTrainer.Example { Features = Test.Rows.AsSpan(i * 4, 4).ToArray() })
            .ToArray();
        var schema = SchemaDefinition.Create(typeof(GradientBoostingTrainer.Example));
        schema[nameof(GradientBoostingTrainer.Example.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 4);
        var predictions = ml.Data.CreateEnumerable<Prediction>(mlNetModel.Transform(ml.Data.LoadFromEnumerable(examples, schema)), reuseRowObject: false).ToArray();

        for (int i = 0; i < examples.Length; i++)
        {
            Assert.Equal(predictions[i].Score, classifier.Margin(examples[i].Features), precision: 4);
            Assert.Equal(predictions[i].Probability, classifier.Probability(examples[i].Features), precision: 5);
        }
    }

    [Fact]
    public void It_learns_a_pattern_no_single_split_captures()
    {
        var classifier = GradientBoostingTrainer.Fit(Training.Rows, Training.Labels, Names, SmallOptions, "gb-test");

        var scores = Enumerable.Range(0, Test.Labels.Length).Select(i => classifier.Probability(Test.Rows.AsSpan(i * 4, 4))).ToArray();

        Assert.True(Fraud.Core.Evaluation.RankingMetrics.AveragePrecision(scores, Test.Labels) > 0.8);
        Assert.True(classifier.Probability([9f, 4.5f, 10f, 0.5f]) > 0.5);    // large and fast
        Assert.True(classifier.Probability([9f, 0.5f, 10f, 0.5f]) < 0.2);    // large but slow
    }

    [Fact]
    public void Training_is_deterministic_for_a_seed()
    {
        var first = GradientBoostingTrainer.Fit(Training.Rows, Training.Labels, Names, SmallOptions, "gb-test");
        var second = GradientBoostingTrainer.Fit(Training.Rows, Training.Labels, Names, SmallOptions, "gb-test");

        Assert.Equal(first.Serialize(), second.Serialize());
        Assert.Equal(SmallOptions.Trees, first.TreeCount);
        Assert.Equal(Training.Labels.Count(label => label), first.TrainingFrauds);
    }

    [Fact]
    public void Hand_built_trees_score_by_the_documented_formula()
    {
        // Tree 0: x0 ≤ 1 → leaf 0 (−1), else x1 ≤ 2 → leaf 1 (0.5) else leaf 2 (2). Tree 1: a single leaf (0.25), weight 2.
        var trees = new BoostedTrees(bias: 0.1, [
            new BoostedTree(1, [0, 1], [1f, 2f], [~0, ~1], [1, ~2], [-1, 0.5, 2]),
            new BoostedTree(2, [], [], [], [], [0.25]),
        ]);
        var classifier = new GradientBoostedClassifier("gb-hand", ["x0", "x1"], trees, plattSlope: -2, plattOffset: 0.5, trainingRows: 10, trainingFrauds: 1);

        Assert.Equal(0.1 - 1 + 0.5, classifier.Margin([1f, 9f]), precision: 12);     // x0 = 1 goes left (≤)
        Assert.Equal(0.1 + 0.5 + 0.5, classifier.Margin([1.5f, 2f]), precision: 12);
        Assert.Equal(0.1 + 2 + 0.5, classifier.Margin([1.5f, 3f]), precision: 12);
        Assert.Equal(1 / (1 + Math.Exp((-2 * 2.6) + 0.5)), classifier.Probability([1.5f, 3f]), precision: 12);
        Assert.Throws<ArgumentException>(() => classifier.Margin([1f]));
    }

    [Fact]
    public void A_round_trip_keeps_every_score_and_the_file_is_readable_json()
    {
        var original = GradientBoostingTrainer.Fit(Training.Rows, Training.Labels, Names, SmallOptions, "gb-test");

        byte[] file = original.Serialize();
        var restored = GradientBoostedClassifier.Deserialize(file);

        Assert.StartsWith("{\"format\":\"fraud-gbt/2\",\"version\":\"gb-test\"", Encoding.UTF8.GetString(file));
        Assert.Equal(original.FeatureNames, restored.FeatureNames);
        Assert.Equal(file, restored.Serialize());
        for (int i = 0; i < Test.Labels.Length; i++)
        {
            Assert.Equal(original.Probability(Test.Rows.AsSpan(i * 4, 4)), restored.Probability(Test.Rows.AsSpan(i * 4, 4)));
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("{\"format\":\"fraud-gbt/3\",\"version\":\"v\",\"features\":[\"a\"],\"trees\":[]}")]
    [InlineData("{\"format\":\"fraud-gbt/1\",\"version\":\"v\",\"features\":[\"a\",\"a\"],\"trees\":[]}")]
    [InlineData("{\"format\":\"fraud-gbt/1\",\"version\":\"v\",\"features\":[\"a\"],\"trees\":[{\"weight\":1,\"split_feature\":[0],\"threshold\":[1],\"less_or_equal\":[0],\"greater\":[-2],\"leaf_values\":[1,2]}]}")]
    [InlineData("{\"format\":\"fraud-gbt/1\",\"version\":\"v\",\"features\":[\"a\"],\"trees\":[{\"weight\":1,\"split_feature\":[1],\"threshold\":[1],\"less_or_equal\":[-1],\"greater\":[-2],\"leaf_values\":[1,2]}]}")]
    [InlineData("{\"format\":\"fraud-gbt/1\",\"version\":\"v\",\"features\":[\"a\"],\"trees\":[{\"weight\":1,\"split_feature\":[0],\"threshold\":[1],\"less_or_equal\":[-1],\"greater\":[-3],\"leaf_values\":[1,2]}]}")]
    [InlineData("{\"format\":\"fraud-gbt/1\",\"version\":\"v\",\"features\":[\"a\"],\"trees\":[{\"weight\":1,\"split_feature\":[0],\"threshold\":[1],\"less_or_equal\":[-1],\"greater\":[-2],\"leaf_values\":[1]}]}")]
    public void A_damaged_or_foreign_file_is_rejected(string text) =>
        Assert.Throws<InvalidDataException>(() => GradientBoostedClassifier.Deserialize(Encoding.UTF8.GetBytes(text)));

    [Fact]
    public void A_format_1_file_is_read_without_merchant_features_and_refused_with_them()
    {
        const string tree = "\"trees\":[{\"weight\":1,\"split_feature\":[0],\"threshold\":[1],\"less_or_equal\":[-1],\"greater\":[-2],\"leaf_values\":[1,2]}]";
        string Format1(string feature) => $"{{\"format\":\"fraud-gbt/1\",\"version\":\"gb-old\",\"features\":[\"amount_log\",\"{feature}\"],{tree}}}";

        var readable = GradientBoostedClassifier.Deserialize(Encoding.UTF8.GetBytes(Format1("hour_of_day")));
        var refused = Assert.Throws<InvalidDataException>(() => GradientBoostedClassifier.Deserialize(Encoding.UTF8.GetBytes(Format1("merchant_risk_7d"))));

        Assert.Equal(["amount_log", "hour_of_day"], readable.FeatureNames);
        Assert.Contains("merchant_risk_7d", refused.Message);
        Assert.Contains("Retrain", refused.Message);
    }

    [Fact]
    public void Training_needs_both_classes_and_matching_shapes()
    {
        Assert.Throws<ArgumentException>(() => GradientBoostingTrainer.Fit(new float[8], new bool[2], ["a", "b", "c", "d"], SmallOptions, "v"));
        Assert.Throws<ArgumentException>(() => GradientBoostingTrainer.Fit(new float[7], [true, false], ["a", "b", "c", "d"], SmallOptions, "v"));
        Assert.Throws<ArgumentException>(() => GradientBoostingTrainer.Fit(new float[8], [true, false], ["a", "b", "c", "d"], SmallOptions with { Leaves = 1 }, "v"));
    }

    private sealed class Prediction
    {
        public float Score { get; set; }

        public float Probability { get; set; }
    }
}
