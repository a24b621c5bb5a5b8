using Fraud.Core.Detection.Supervised;
using Fraud.Core.Features;
using Microsoft.ML;
using Microsoft.ML.Calibrators;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;

namespace Fraud.Training;

/// <summary>
/// Trains a <see cref="GradientBoostedClassifier"/> on labelled feature vectors with ML.NET's FastTree (MART
/// gradient boosting with Platt calibration), then copies the trees and the calibration out of ML.NET so scoring
/// needs no ML.NET at all. Computation only, no I/O: the same call serves the API's trainer, the offline verbs and
/// the tests.
/// </summary>
public static class GradientBoostingTrainer
{
    /// <summary>Fits a classifier.</summary>
    /// <param name="rows">Training rows, row-major: labels.Length × featureNames.Count finite values.</param>
    /// <param name="labels">Per row, whether it is fraud; both classes must occur.</param>
    /// <param name="featureNames">Distinct, non-empty names of the columns.</param>
    /// <param name="options">Parameters; the seed makes the result deterministic.</param>
    /// <param name="version">Model version id to record.</param>
    /// <returns>The classifier.</returns>
    /// <exception cref="ArgumentException">Shapes do not match, a class is missing, or the options are invalid.</exception>
    public static GradientBoostedClassifier Fit(
        ReadOnlySpan<float> rows, ReadOnlySpan<bool> labels, IReadOnlyList<string> featureNames, GradientBoostingOptions options, string version) =>
        FitWithMlNet(rows, labels, featureNames, options, version).Classifier;

    /// <summary><see cref="Fit"/>, also returning ML.NET's own model, so tests can check our scoring against it.</summary>
    internal static (GradientBoostedClassifier Classifier, MLContext Ml, ITransformer MlNetModel) FitWithMlNet(
        ReadOnlySpan<float> rows, ReadOnlySpan<bool> labels, IReadOnlyList<string> featureNames, GradientBoostingOptions options, string version)
    {
        ArgumentNullException.ThrowIfNull(featureNames);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        if (options.Problems() is [var problem, ..])
        {
            throw new ArgumentException($"Invalid options: {problem}", nameof(options));
        }

        int width = featureNames.Count;
        if (width == 0 || featureNames.Distinct(StringComparer.Ordinal).Count() != width || featureNames.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException("Feature names must be distinct and non-empty.", nameof(featureNames));
        }

        if (rows.Length != labels.Length * width)
        {
            throw new ArgumentException($"{labels.Length} labels need {labels.Length * width} values, got {rows.Length}.", nameof(rows));
        }

        int frauds = labels.Count(true);
        if (frauds == 0 || frauds == labels.Length)
        {
            throw new ArgumentException($"Training needs both fraud and legitimate rows; got {frauds} fraud of {labels.Length}.", nameof(labels));
        }

        var examples = new Example[labels.Length];
        for (int row = 0; row < labels.Length; row++)
        {
            examples[row] = new Example { Features = rows.Slice(row * width, width).ToArray(), Label = labels[row] };
        }

        var ml = new MLContext(options.Seed);
        var schema = SchemaDefinition.Create(typeof(Example));
        schema[nameof(Example.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        var data = ml.Data.LoadFromEnumerable(examples, schema);
        var trainer = ml.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
        {
            NumberOfTrees = options.Trees,
            NumberOfLeaves = options.Leaves,
            MinimumExampleCountPerLeaf = options.MinRowsPerLeaf,
            LearningRate = options.LearningRate,
            Seed = options.Seed,
            NumberOfThreads = 1,   // the same rows and seed give the same trees, so model versions are reproducible
        });
        var transformer = trainer.Fit(data);
        return (FromMlNet(transformer.Model, featureNames.ToArray(), version, labels.Length, frauds, options.MerchantLabelDelay), ml, transformer);
    }

    /// <summary>Copies FastTree's ensemble and Platt calibration into our own flat arrays.</summary>
    private static GradientBoostedClassifier FromMlNet(
        CalibratedModelParametersBase<FastTreeBinaryModelParameters, PlattCalibrator> model,
        string[] featureNames,
        string version,
        int rows,
        int frauds,
        TimeSpan merchantLabelDelay)
    {
        var ensemble = model.SubModel.TrainedTreeEnsemble;
        var trees = new List<BoostedTree>(ensemble.Trees.Count);
        for (int t = 0; t < ensemble.Trees.Count; t++)
        {
            var tree = ensemble.Trees[t];
            if (tree.CategoricalSplitFlags.Any(categorical => categorical))
            {
                throw new InvalidOperationException("FastTree made a categorical split; every feature here is numeric.");
            }

            trees.Add(new BoostedTree(
                ensemble.TreeWeights[t],
                tree.NumericalSplitFeatureIndexes.ToArray(),
                tree.NumericalSplitThresholds.ToArray(),
                tree.LeftChild.ToArray(),
                tree.RightChild.ToArray(),
                tree.LeafValues.ToArray()));
        }

        return new GradientBoostedClassifier(
            version,
            featureNames,
            new BoostedTrees(ensemble.Bias, trees),
            model.Calibrator.Slope,
            model.Calibrator.Offset,
            rows,
            frauds,
            FeatureSchema.UsesMerchantRisk(featureNames) ? merchantLabelDelay : null);
    }

    /// <summary>One training row as ML.NET reads it.</summary>
    internal sealed class Example
    {
        public float[] Features { get; set; } = [];

        public bool Label { get; set; }
    }
}
