namespace Fraud.Core.Evaluation;

/// <summary>
/// How a freshly trained supervised classifier ranks labelled traffic newer than anything it was fitted on, and
/// whether that is good enough to activate: the holdout needs at least <see cref="ClassifierValidationLimits.MinFrauds"/>
/// frauds (fewer cannot tell a good ranking from luck) and a ROC-AUC of at least
/// <see cref="ClassifierValidationLimits.MinRocAuc"/>. Average precision is reported beside it: with fraud this rare it
/// says more about the alerts analysts would see, but its level depends on the fraud rate, so it is no gate.
/// </summary>
/// <param name="HoldoutRows">Rows scored.</param>
/// <param name="HoldoutFrauds">Fraud rows among them.</param>
/// <param name="RocAuc">Area under the ROC curve of the probabilities; NaN without both classes.</param>
/// <param name="AveragePrecision">Average precision of the probabilities; NaN without frauds.</param>
/// <param name="Problems">Why it must not be activated; empty when it passes.</param>
public sealed record ClassifierValidation(int HoldoutRows, int HoldoutFrauds, double RocAuc, double AveragePrecision, IReadOnlyList<string> Problems)
{
    /// <summary>Whether the classifier may be activated.</summary>
    public bool Passed => Problems.Count == 0;

    /// <summary>Judges the classifier's fraud probabilities on the holdout rows against their labels.</summary>
    /// <param name="probabilities">One fraud probability per holdout row.</param>
    /// <param name="labels">Whether each holdout row is fraud.</param>
    /// <param name="limits">The limits; the defaults when null.</param>
    /// <returns>The figures and the verdict.</returns>
    public static ClassifierValidation Of(ReadOnlySpan<double> probabilities, ReadOnlySpan<bool> labels, ClassifierValidationLimits? limits = null)
    {
        if (probabilities.Length != labels.Length)
        {
            throw new ArgumentException($"{labels.Length} labels need as many probabilities, got {probabilities.Length}.", nameof(probabilities));
        }

        limits ??= new ClassifierValidationLimits();
        int frauds = labels.Count(true);
        double auc = RankingMetrics.RocAuc(probabilities, labels);
        double averagePrecision = RankingMetrics.AveragePrecision(probabilities, labels);
        var problems = new List<string>();
        if (frauds < limits.MinFrauds)
        {
            problems.Add($"holdout: {frauds} fraud rows among {labels.Length}, at least {limits.MinFrauds} needed to judge the classifier");
        }
        else if (!(auc >= limits.MinRocAuc))
        {
            problems.Add($"roc_auc: {auc:0.000} on the holdout, at least {limits.MinRocAuc} needed");
        }

        return new ClassifierValidation(labels.Length, frauds, auc, averagePrecision, problems);
    }
}

/// <summary>What <see cref="ClassifierValidation"/> accepts.</summary>
public sealed record ClassifierValidationLimits
{
    /// <summary>Fewer fraud rows than this in the holdout cannot judge a classifier: it fails.</summary>
    public int MinFrauds { get; init; } = 5;

    /// <summary>The lowest ROC-AUC on the holdout that may be activated (0.5 is chance).</summary>
    public double MinRocAuc { get; init; } = 0.7;
}
