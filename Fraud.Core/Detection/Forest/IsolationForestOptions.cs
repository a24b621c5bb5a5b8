namespace Fraud.Core.Detection.Forest;

/// <summary>
/// Parameters of an <see cref="IsolationForest"/>, named after scikit-learn's <c>IsolationForest</c>; the
/// defaults are the paper's and scikit-learn's (t = 100 trees, ψ = 256 samples per tree).
/// </summary>
public sealed record IsolationForestOptions
{
    /// <summary>Number of isolation trees, t in the paper (scikit-learn's <c>n_estimators</c>).</summary>
    public int Estimators { get; init; } = 100;

    /// <summary>
    /// Subsample size ψ drawn without replacement for each tree (scikit-learn's <c>max_samples</c>);
    /// min(MaxSamples, training rows) is used, as scikit-learn's <c>"auto"</c> does with 256.
    /// </summary>
    public int MaxSamples { get; init; } = 256;

    /// <summary>
    /// Share of the features drawn without replacement for each tree, in (0, 1]: max(1, ⌊MaxFeatures · d⌋) of the
    /// d features (scikit-learn's float <c>max_features</c>).
    /// </summary>
    public double MaxFeatures { get; init; } = 1.0;

    /// <summary>
    /// Expected share of outliers in the training data, in (0, 0.5], or null for scikit-learn's <c>"auto"</c>:
    /// null sets <see cref="IsolationForest.Offset"/> to −0.5 (the paper's anomaly score 0.5); a share sets it to
    /// that quantile of the training rows' scores.
    /// </summary>
    public double? Contamination { get; init; }

    /// <summary>Seed of the random draws (subsamples, features, split values): the same seed gives the same forest.</summary>
    public int Seed { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> when a parameter is outside its documented range.</summary>
    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Estimators, 1, nameof(Estimators));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxSamples, 1, nameof(MaxSamples));
        if (!(MaxFeatures > 0 && MaxFeatures <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(MaxFeatures), MaxFeatures, "MaxFeatures must be in (0, 1].");
        }
        if (Contamination is { } share && !(share > 0 && share <= 0.5))
        {
            throw new ArgumentOutOfRangeException(nameof(Contamination), share, "Contamination must be in (0, 0.5], or null for \"auto\".");
        }
    }
}
