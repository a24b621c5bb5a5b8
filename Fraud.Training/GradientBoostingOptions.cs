namespace Fraud.Training;

/// <summary>Parameters of <see cref="GradientBoostingTrainer"/>, passed to ML.NET's FastTree.</summary>
public sealed record GradientBoostingOptions
{
    /// <summary>Number of boosting rounds (trees).</summary>
    public int Trees { get; init; } = 100;

    /// <summary>Leaves per tree.</summary>
    public int Leaves { get; init; } = 16;

    /// <summary>A leaf holds at least this many training rows, which keeps rare fraud patterns from being memorised.</summary>
    public int MinRowsPerLeaf { get; init; } = 20;

    /// <summary>Shrinkage of each tree's contribution.</summary>
    public double LearningRate { get; init; } = 0.1;

    /// <summary>Makes training deterministic.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>
    /// The label delay the merchant features of the rows were computed with (<see cref="Fraud.Core.Features.MerchantRiskOptions.LabelDelay"/>):
    /// the classifier records it, so that it is scored with merchant risk computed the same way. Default 7 days.
    /// </summary>
    public TimeSpan MerchantLabelDelay { get; init; } = TimeSpan.FromDays(7);

    /// <summary>Every problem with the values; empty when they are valid.</summary>
    /// <returns>The problems.</returns>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (Trees is < 1 or > 10_000)
        {
            problems.Add($"trees: must be between 1 and 10000, got {Trees}");
        }

        if (Leaves is < 2 or > 1_024)
        {
            problems.Add($"leaves: must be between 2 and 1024, got {Leaves}");
        }

        if (MinRowsPerLeaf < 1)
        {
            problems.Add($"min_rows_per_leaf: must be at least 1, got {MinRowsPerLeaf}");
        }

        if (!(LearningRate > 0 && LearningRate <= 1))
        {
            problems.Add($"learning_rate: must be greater than 0 and at most 1, got {LearningRate}");
        }

        return problems;
    }
}
