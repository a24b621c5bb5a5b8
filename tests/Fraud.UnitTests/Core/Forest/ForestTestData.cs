namespace Fraud.UnitTests.Core.Forest;

/// <summary>Training data for the forest tests: a standard Gaussian cloud, optionally with far-away planted outliers.</summary>
internal static class ForestTestData
{
    /// <summary>Row-major rows: <paramref name="inliers"/> N(0, 1) rows, then <paramref name="outliers"/> rows at ±<paramref name="distance"/> in every feature.</summary>
    public static float[] Rows(int inliers, int features, int outliers = 0, float distance = 10, int seed = 1)
    {
        var random = new Random(seed);
        var rows = new float[(inliers + outliers) * features];
        for (var i = 0; i < inliers * features; i++)
        {
            // Box–Muller
            rows[i] = (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        }
        for (var i = inliers * features; i < rows.Length; i++)
        {
            rows[i] = random.Next(2) == 0 ? -distance : distance;
        }
        return rows;
    }

    /// <summary>f0, f1, … for <paramref name="features"/> features.</summary>
    public static string[] Names(int features) => [.. Enumerable.Range(0, features).Select(i => $"f{i}")];

    /// <summary>Scores of every row of <paramref name="rows"/>.</summary>
    public static double[] Scores(Fraud.Core.Detection.Forest.IsolationForest forest, float[] rows)
    {
        var d = forest.FeatureNames.Count;
        return [.. Enumerable.Range(0, rows.Length / d).Select(i => forest.ScoreSample(rows.AsSpan(i * d, d)))];
    }
}
