using System.Runtime.InteropServices;
using Fraud.Core;
using Fraud.Core.Detection.Supervised;
using Fraud.Core.Features;

namespace Fraud.Training;

/// <summary>
/// The rows a classifier learns from: each labelled transaction's features, computed by the same per-user
/// <see cref="FeatureState"/> as the detector, then folded into it. Every transaction passes through, labelled or
/// not (its label unknown yet, or never given), so that the histories are those the detector saw. Merchant features
/// come from <see cref="Merchants"/>: every transaction is counted there, and the caller records each known fraud
/// (<see cref="MerchantRisk.RecordFraud"/>) as it goes; the classifier records the label delay they were computed with.
/// Feed transactions in event-time order.
/// </summary>
public sealed class LabelledTrainingSet
{
    private readonly int[] _columns;
    private readonly float[] _vector = new float[FeatureSchema.Count];
    private readonly List<float> _rows = [];
    private readonly List<bool> _labels = [];

    /// <summary>Creates an empty set over <paramref name="featureNames"/>.</summary>
    /// <param name="featureNames">The features to learn from, of <see cref="FeatureSchema"/>; all of them when null.</param>
    /// <param name="featureOptions">Bounds of the feature state; the defaults when null.</param>
    /// <param name="merchantOptions">Label delay and bounds of the merchant risk; the defaults when null.</param>
    /// <exception cref="ArgumentException">A name is not a feature.</exception>
    public LabelledTrainingSet(
        IReadOnlyList<string>? featureNames = null, FeatureStateOptions? featureOptions = null, MerchantRiskOptions? merchantOptions = null)
    {
        FeatureNames = featureNames ?? FeatureSchema.Names;
        _columns = FeatureSchema.IndicesOf(FeatureNames);
        Features = new FeatureState(featureOptions);
        Merchants = new MerchantRisk(merchantOptions);
    }

    /// <summary>The features each row holds, in column order.</summary>
    public IReadOnlyList<string> FeatureNames { get; }

    /// <summary>The feature state the rows were computed with.</summary>
    public FeatureState Features { get; }

    /// <summary>The merchants' risk the rows' merchant features come from.</summary>
    public MerchantRisk Merchants { get; }

    /// <summary>Labelled rows added so far.</summary>
    public int RowCount => _labels.Count;

    /// <summary>How many of them are fraud.</summary>
    public int FraudCount { get; private set; }

    /// <summary>Folds <paramref name="transaction"/> into its user's history and, when its label is known, adds its row.</summary>
    /// <param name="transaction">The next transaction in event-time order.</param>
    /// <param name="isFraud">Its label; null when it is not known (yet).</param>
    public void Add(Transaction transaction, bool? isFraud)
    {
        Features.Update(transaction, _vector);
        Merchants.WriteFeatures(transaction, _vector);
        Merchants.RecordTransaction(transaction);
        if (isFraud is not { } fraud)
        {
            return;
        }

        foreach (int column in _columns)
        {
            _rows.Add(_vector[column]);
        }

        _labels.Add(fraud);
        FraudCount += fraud ? 1 : 0;
    }

    /// <summary>Fits a classifier on the rows (<see cref="GradientBoostingTrainer.Fit"/>), recording the merchant risk's label delay.</summary>
    /// <param name="options">Boosting parameters; its merchant label delay is taken from <see cref="Merchants"/>.</param>
    /// <param name="version">The model version to record.</param>
    /// <returns>The classifier.</returns>
    /// <exception cref="InvalidOperationException">The rows lack fraud or legitimate examples.</exception>
    public GradientBoostedClassifier Fit(GradientBoostingOptions options, string version) =>
        FraudCount == 0 || FraudCount == RowCount
            ? throw new InvalidOperationException($"Training needs both fraud and legitimate labelled transactions; got {FraudCount:N0} fraud of {RowCount:N0}.")
            : GradientBoostingTrainer.Fit(
                CollectionsMarshal.AsSpan(_rows),
                CollectionsMarshal.AsSpan(_labels),
                FeatureNames,
                options with { MerchantLabelDelay = Merchants.Options.LabelDelay },
                version);
}
