using Fraud.Core.Detection.Forest;

namespace Fraud.UnitTests.Core.Forest;

public sealed class ModelValidationTests
{
    private static readonly string[] Names = ["a", "b"];

    /// <summary>Rows spread evenly around (centre, centre), from a fixed seed.</summary>
    private static float[] Uniform(int rows, int seed, float centre = 0)
    {
        var random = new Random(seed);
        var values = new float[rows * 2];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = centre + (float)((random.NextDouble() - 0.5) * 2);
        }

        return values;
    }

    private static IsolationForest Fit() => IsolationForest.Fit(Uniform(2_000, 1), Names, new IsolationForestOptions { Seed = 7, Contamination = 0.02 }, "if-test");

    [Fact]
    public void A_forest_on_traffic_like_its_training_passes()
    {
        var validation = ModelValidation.Of(Fit(), Uniform(1_000, 2));

        Assert.True(validation.Passed, string.Join("; ", validation.Problems));
        Assert.Equal(1_000, validation.HoldoutRows);
        Assert.InRange(validation.AnomalyRate, 0, 0.10);
        Assert.True(validation.ScoreP01 <= validation.ScoreP50 && validation.ScoreP50 <= validation.ScoreP99);
    }

    [Fact]
    public void A_forest_that_calls_recent_traffic_anomalous_fails()
    {
        var validation = ModelValidation.Of(Fit(), Uniform(1_000, 3, centre: 50));

        Assert.False(validation.Passed);
        Assert.Equal(1.0, validation.AnomalyRate);
        Assert.Contains(validation.Problems, problem => problem.StartsWith("anomaly_rate:", StringComparison.Ordinal));
    }

    [Fact]
    public void Too_few_holdout_rows_cannot_judge_a_model()
    {
        var validation = ModelValidation.Of(Fit(), Uniform(10, 4), new ModelValidationLimits { MinHoldoutRows = 50 });

        Assert.False(validation.Passed);
        Assert.Equal(["holdout: 10 rows, at least 50 needed to judge the model"], validation.Problems);
    }
}
