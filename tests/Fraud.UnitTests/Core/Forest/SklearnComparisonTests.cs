using System.Globalization;
using System.Text.Json;
using Fraud.Core.Detection.Forest;
using Fraud.Core.Evaluation;
using Xunit.Abstractions;

namespace Fraud.UnitTests.Core.Forest;

/// <summary>
/// Our forest against scikit-learn's <c>IsolationForest(n_estimators=100, max_samples=256)</c> on the same data with
/// planted outliers. The fixture and scikit-learn's figures come from Fixtures/IsolationForest/make_reference.py;
/// both sides average over seeds 0..9 (their random_state, our Seed), since one forest's AUC varies by ~0.01.
/// </summary>
public sealed class SklearnComparisonTests(ITestOutputHelper output)
{
    private static readonly string FixtureDirectory = Path.Combine(AppContext.BaseDirectory, "Fixtures", "IsolationForest");
    private static readonly (float[] Rows, string[] Names, bool[] IsOutlier) Data = ReadCsv(Path.Combine(FixtureDirectory, "planted_outliers.csv"));
    private static readonly JsonElement Reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(FixtureDirectory, "sklearn_reference.json"))).RootElement;
    private static readonly int[] Seeds = [.. Enumerable.Range(0, 10)];

    [Fact]
    public void Our_roc_auc_is_within_0_02_of_scikit_learns()
    {
        var perSeed = Seeds.Select(seed => RankingMetrics.RocAuc(AnomalyScores(Fit(seed)), Data.IsOutlier)).ToArray();

        var ours = perSeed.Average();
        var sklearn = Reference.GetProperty("roc_auc").GetProperty("mean").GetDouble();
        output.WriteLine(FormattableString.Invariant(
            $"ROC-AUC over seeds 0..9: ours mean {ours:F6} (min {perSeed.Min():F6}, max {perSeed.Max():F6}); scikit-learn mean {sklearn:F6}"));
        Assert.True(Math.Abs(ours - sklearn) <= 0.02, $"ROC-AUC: ours {ours:F6}, scikit-learn {sklearn:F6}");
    }

    [Fact]
    public void Our_scores_have_scikit_learns_scale()
    {
        var scores = Seeds.Select(seed => ForestTestData.Scores(Fit(seed), Data.Rows)).ToArray();

        var inliers = scores.Average(s => s.Where((_, i) => !Data.IsOutlier[i]).Average());
        var outliers = scores.Average(s => s.Where((_, i) => Data.IsOutlier[i]).Average());
        var expected = Reference.GetProperty("mean_score_samples");
        var (expectedInliers, expectedOutliers) = (expected.GetProperty("inliers").GetDouble(), expected.GetProperty("outliers").GetDouble());
        output.WriteLine(FormattableString.Invariant(
            $"mean score_samples: ours inliers {inliers:F6}, outliers {outliers:F6}; scikit-learn inliers {expectedInliers:F6}, outliers {expectedOutliers:F6}"));
        Assert.Equal(expectedInliers, inliers, tolerance: 0.01);
        Assert.Equal(expectedOutliers, outliers, tolerance: 0.01);
    }

    [Fact]
    public void Our_contamination_offset_is_close_to_scikit_learns()
    {
        var ours = Seeds.Average(seed => Fit(seed, contamination: 0.05).Offset);

        var sklearn = Reference.GetProperty("offset_contamination_0_05").GetProperty("mean").GetDouble();
        output.WriteLine(FormattableString.Invariant($"offset_ for contamination 0.05: ours {ours:F6}; scikit-learn {sklearn:F6}"));
        Assert.Equal(sklearn, ours, tolerance: 0.01);
    }

    private static IsolationForest Fit(int seed, double? contamination = null) =>
        IsolationForest.Fit(Data.Rows, Data.Names, new IsolationForestOptions { Seed = seed, Contamination = contamination }, $"sklearn-comparison-{seed}");

    /// <summary>−score_samples: higher is more anomalous, the orientation ROC-AUC expects for label 1 = outlier.</summary>
    private static double[] AnomalyScores(IsolationForest forest) => [.. ForestTestData.Scores(forest, Data.Rows).Select(score => -score)];

    private static (float[] Rows, string[] Names, bool[] IsOutlier) ReadCsv(string path)
    {
        var lines = File.ReadAllLines(path);
        var header = lines[0].Split(',');
        var names = header[..^1];
        var rows = new List<float>();
        var labels = new List<bool>();
        foreach (var line in lines.Skip(1))
        {
            var fields = line.Split(',');
            // Parsed as double, then rounded to float: the path numpy's float64 → float32 cast takes in scikit-learn.
            rows.AddRange(fields[..^1].Select(field => (float)double.Parse(field, CultureInfo.InvariantCulture)));
            labels.Add(fields[^1] == "1");
        }
        return ([.. rows], names, [.. labels]);
    }
}
