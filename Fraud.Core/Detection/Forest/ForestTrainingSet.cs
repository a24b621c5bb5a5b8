using System.Runtime.InteropServices;
using Fraud.Core.Features;

namespace Fraud.Core.Detection.Forest;

/// <summary>
/// The rows a forest is fitted on: each transaction's features, computed by the same per-user
/// <see cref="FeatureState"/> as the detector, then folded into it, so that training sees exactly what scoring will.
/// Feed transactions in event-time order. Used by the <c>train</c> command and the detector's bootstrap model.
/// </summary>
public sealed class ForestTrainingSet
{
    private readonly int[] _columns;
    private readonly float[] _vector = new float[FeatureSchema.Count];
    private readonly List<float> _rows = [];

    /// <summary>Creates an empty set over <paramref name="featureNames"/>.</summary>
    /// <param name="featureNames">The features to train on, of <see cref="FeatureSchema"/>; the defaults when null.</param>
    /// <param name="featureOptions">Bounds of the feature state; the defaults when null.</param>
    /// <exception cref="ArgumentException">A name is not a feature, or is a merchant feature (those come from labels: the classifier's).</exception>
    public ForestTrainingSet(IReadOnlyList<string>? featureNames = null, FeatureStateOptions? featureOptions = null)
    {
        FeatureNames = featureNames ?? FeatureSchema.ForestDefaults;
        _columns = FeatureSchema.IndicesOf(FeatureNames);
        if (FeatureSchema.UsesMerchantRisk(FeatureNames))
        {
            throw new ArgumentException(
                $"The merchant features ({string.Join(", ", FeatureSchema.MerchantNames)}) come from fraud labels; a forest learns without labels.",
                nameof(featureNames));
        }

        Features = new FeatureState(featureOptions);
    }

    /// <summary>The features each row holds, in column order.</summary>
    public IReadOnlyList<string> FeatureNames { get; }

    /// <summary>The feature state the rows were computed with.</summary>
    public FeatureState Features { get; }

    /// <summary>Rows added so far.</summary>
    public int RowCount => _rows.Count / _columns.Length;

    /// <summary>Adds the row of <paramref name="transaction"/> and folds it into its user's history.</summary>
    /// <param name="transaction">The next transaction in event-time order.</param>
    public void Add(Transaction transaction)
    {
        Features.Update(transaction, _vector);
        foreach (int column in _columns)
        {
            _rows.Add(_vector[column]);
        }
    }

    /// <summary>Folds <paramref name="transaction"/> into its user's history without adding a row, e.g. before the training period.</summary>
    /// <param name="transaction">The next transaction in event-time order.</param>
    public void Fold(Transaction transaction) => Features.Update(transaction, _vector);

    /// <summary>Fits a forest on the rows (<see cref="IsolationForest.Fit"/>).</summary>
    /// <param name="options">Forest parameters.</param>
    /// <param name="version">The model version to record.</param>
    /// <returns>The forest.</returns>
    /// <exception cref="InvalidOperationException">No row was added.</exception>
    public IsolationForest Fit(IsolationForestOptions options, string version) =>
        RowCount == 0
            ? throw new InvalidOperationException("No transaction to train on.")
            : IsolationForest.Fit(CollectionsMarshal.AsSpan(_rows), FeatureNames, options, version);
}
