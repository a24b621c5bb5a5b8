using Fraud.Core.Evaluation;

namespace Fraud.UnitTests.Core.Evaluation;

public sealed class ClassifierValidationTests
{
    private static readonly ClassifierValidationLimits Limits = new() { MinFrauds = 2, MinRocAuc = 0.7 };

    [Fact]
    public void A_classifier_that_ranks_the_frauds_first_passes_with_its_figures()
    {
        double[] probabilities = [0.9, 0.8, 0.3, 0.2, 0.1];
        bool[] labels = [true, true, false, false, false];

        var validation = ClassifierValidation.Of(probabilities, labels, Limits);

        Assert.True(validation.Passed);
        Assert.Equal(5, validation.HoldoutRows);
        Assert.Equal(2, validation.HoldoutFrauds);
        Assert.Equal(1.0, validation.RocAuc, 10);
        Assert.Equal(1.0, validation.AveragePrecision, 10);
    }

    [Fact]
    public void A_ranking_no_better_than_chance_is_not_activated()
    {
        double[] probabilities = [0.1, 0.9, 0.2, 0.8];
        bool[] labels = [true, false, true, false];

        var validation = ClassifierValidation.Of(probabilities, labels, Limits);

        Assert.False(validation.Passed);
        Assert.Equal(0.0, validation.RocAuc, 10);
        Assert.Contains(validation.Problems, problem => problem.StartsWith("roc_auc: 0.000", StringComparison.Ordinal));
    }

    [Fact]
    public void Too_few_frauds_in_the_holdout_cannot_judge_a_classifier()
    {
        double[] probabilities = [0.9, 0.1, 0.2];
        bool[] labels = [true, false, false];

        var validation = ClassifierValidation.Of(probabilities, labels, Limits);

        Assert.False(validation.Passed);
        Assert.Equal(1.0, validation.RocAuc, 10);
        Assert.Equal(["holdout: 1 fraud rows among 3, at least 2 needed to judge the classifier"], validation.Problems);
    }

    [Fact]
    public void A_holdout_without_frauds_has_no_figures_and_fails()
    {
        var validation = ClassifierValidation.Of([0.5, 0.4], [false, false], Limits);

        Assert.False(validation.Passed);
        Assert.True(double.IsNaN(validation.RocAuc));
        Assert.True(double.IsNaN(validation.AveragePrecision));
    }
}
