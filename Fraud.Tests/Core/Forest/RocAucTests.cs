namespace Fraud.Tests.Core.Forest;

public sealed class RocAucTests
{
    [Fact]
    public void Perfect_ranking_is_one_and_reversed_ranking_is_zero()
    {
        Assert.Equal(1.0, RocAuc.Compute([0.1, 0.2, 0.8, 0.9], [false, false, true, true]));
        Assert.Equal(0.0, RocAuc.Compute([0.9, 0.8, 0.2, 0.1], [false, false, true, true]));
    }

    [Fact]
    public void All_tied_scores_give_one_half() =>
        Assert.Equal(0.5, RocAuc.Compute([0.3, 0.3, 0.3, 0.3, 0.3], [true, false, false, true, false]));

    [Fact]
    public void It_matches_scikit_learns_documented_example() =>
        // roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75
        Assert.Equal(0.75, RocAuc.Compute([0.1, 0.4, 0.35, 0.8], [false, false, true, true]));

    [Fact]
    public void Ties_between_a_positive_and_a_negative_count_one_half() =>
        // roc_auc_score([0, 1, 0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9, 0.7, 0.7]) == 0.7777777777777778 (scikit-learn 1.2.1)
        Assert.Equal(7.0 / 9, RocAuc.Compute([0.5, 0.5, 0.2, 0.9, 0.7, 0.7], [false, true, false, true, false, true]), precision: 15);

    [Fact]
    public void Labels_of_one_class_only_are_rejected() =>
        Assert.Throws<ArgumentException>(() => RocAuc.Compute([0.1, 0.2], [true, true]));
}
