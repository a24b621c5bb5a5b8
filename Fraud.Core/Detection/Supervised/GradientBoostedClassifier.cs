namespace Fraud.Core.Detection.Supervised;

/// <summary>
/// A gradient-boosted tree ensemble that turns a feature vector into a fraud probability, learned from labelled
/// transactions (<c>Fraud.Training.GradientBoostingTrainer</c>, ML.NET's FastTree). Scoring walks the trees here rather than
/// through ML.NET, so the detector's hot path allocates nothing and a model file is plain data:
/// <c>margin = bias + Σₜ weightₜ · leaf value of tree t</c> (a tree sends a row left when
/// <c>x[feature] ≤ threshold</c>), then Platt's calibration <c>p = 1 / (1 + exp(slope · margin + offset))</c>.
/// Immutable, so scoring is safe from any number of threads. Read and written by <see cref="Serialize"/> and
/// <see cref="Deserialize"/>.
/// </summary>
public sealed class GradientBoostedClassifier
{
    private readonly BoostedTrees _trees;
    private readonly string[] _featureNames;

    internal GradientBoostedClassifier(
        string version,
        string[] featureNames,
        BoostedTrees trees,
        double plattSlope,
        double plattOffset,
        int trainingRows,
        int trainingFrauds,
        TimeSpan? merchantLabelDelay = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        if (trees.MaxFeature >= featureNames.Length)
        {
            throw new ArgumentException($"A tree splits on feature {trees.MaxFeature}, but the model names {featureNames.Length} features.", nameof(trees));
        }

        if (!double.IsFinite(plattSlope) || !double.IsFinite(plattOffset))
        {
            throw new ArgumentException("The calibration must be finite.", nameof(plattSlope));
        }

        if (Features.FeatureSchema.UsesMerchantRisk(featureNames) && merchantLabelDelay is null)
        {
            throw new ArgumentException(
                "The classifier reads merchant features but does not record the label delay they were computed with; train it again.", nameof(merchantLabelDelay));
        }

        Version = version;
        MerchantLabelDelay = merchantLabelDelay;
        _featureNames = featureNames;
        FeatureNames = featureNames.AsReadOnly();
        _trees = trees;
        PlattSlope = plattSlope;
        PlattOffset = plattOffset;
        TrainingRows = trainingRows;
        TrainingFrauds = trainingFrauds;
    }

    /// <summary>Model version id given at training, recorded on alerts as <c>classifier_version</c>.</summary>
    public string Version { get; }

    /// <summary>Names of the features, in the order <see cref="Probability"/> expects them.</summary>
    public IReadOnlyList<string> FeatureNames { get; }

    /// <summary>
    /// The label delay its merchant features were computed with, which scoring must use too; null when it reads no
    /// merchant feature.
    /// </summary>
    public TimeSpan? MerchantLabelDelay { get; }

    /// <summary>Number of labelled rows the model learned from.</summary>
    public int TrainingRows { get; }

    /// <summary>How many of them were fraud.</summary>
    public int TrainingFrauds { get; }

    /// <summary>Number of trees.</summary>
    public int TreeCount => _trees.TreeCount;

    internal double PlattSlope { get; }

    internal double PlattOffset { get; }

    internal BoostedTrees Trees => _trees;

    internal string[] FeatureNameArray => _featureNames;

    /// <summary>The ensemble's raw output before calibration (FastTree's <c>Score</c>); higher is more likely fraud.</summary>
    /// <param name="row">One value per <see cref="FeatureNames"/>.</param>
    /// <returns>The margin.</returns>
    public double Margin(ReadOnlySpan<float> row)
    {
        if (row.Length != _featureNames.Length)
        {
            throw new ArgumentException($"Expected {_featureNames.Length} features, got {row.Length}.", nameof(row));
        }

        return _trees.Margin(row);
    }

    /// <summary>The calibrated probability that the row is fraud, in [0, 1]. Allocates nothing.</summary>
    /// <param name="row">One value per <see cref="FeatureNames"/>.</param>
    /// <returns>The probability.</returns>
    public double Probability(ReadOnlySpan<float> row) => 1 / (1 + Math.Exp((PlattSlope * Margin(row)) + PlattOffset));

    /// <summary>The model file's bytes (JSON, see <see cref="GradientBoostedClassifierFile"/>).</summary>
    /// <returns>The bytes.</returns>
    public byte[] Serialize() => GradientBoostedClassifierFile.Write(this);

    /// <summary>Reads a model file written by <see cref="Serialize"/>, checking every index a walk relies on.</summary>
    /// <param name="bytes">The file's bytes.</param>
    /// <returns>The model.</returns>
    /// <exception cref="InvalidDataException">The bytes are not a usable model file.</exception>
    public static GradientBoostedClassifier Deserialize(ReadOnlySpan<byte> bytes) => GradientBoostedClassifierFile.Read(bytes);
}
