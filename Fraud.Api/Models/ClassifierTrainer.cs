using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Fraud.Api.Labels;
using Fraud.Core.Detection;
using Fraud.Core.Detection.Supervised;
using Fraud.Core.Evaluation;
using Fraud.Core.Features;
using Fraud.Training;
using Microsoft.Extensions.Options;

namespace Fraud.Api.Models;

/// <summary>What a classifier training run did: the model (stored, activated only if it validated) and its figures, or why there is none.</summary>
internal sealed record ClassifierTrainingOutcome(TrainedModel? Model, bool Activated, string? Problem, ClassifierValidation? Validation = null, int TrainingFrauds = 0);

/// <summary>
/// Fits the supervised classifier (gradient-boosted trees, <see cref="GradientBoostingTrainer"/>) on labelled feature
/// vectors: reviewed alerts and samples old enough for their labels to be known (<see cref="LabelStore.TrainingRowsAsync"/>).
/// Time is respected: the rows are ordered by event time, the older part is fitted and the newest
/// <see cref="TrainingOptions.HoldoutShare"/> validates it (<see cref="ClassifierValidation"/>: ROC-AUC and average
/// precision), so the check scores transactions newer than anything the model learnt from. Stored either way,
/// activated only if it passes; detectors pick it up within seconds. One run at a time.
/// </summary>
internal sealed class ClassifierTrainer(
    LabelStore labels, ModelStore store, IOptions<TrainingOptions> options, TimeProvider time, ILogger<ClassifierTrainer> logger)
{
    private static readonly string Schema = string.Join(',', FeatureSchema.Names);
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);

    public async Task<ClassifierTrainingOutcome> TrainAsync(string requestedBy, CancellationToken cancellationToken)
    {
        await _oneAtATime.WaitAsync(cancellationToken);
        try
        {
            return await TrainOnceAsync(requestedBy, cancellationToken);
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    private async Task<ClassifierTrainingOutcome> TrainOnceAsync(string requestedBy, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var (rows, otherSchema) = await labels.TrainingRowsAsync(Schema, FeatureSchema.Count, settings.LabelDelay, settings.Window, cancellationToken);
        if (otherSchema > 0)
        {
            logger.LogWarning("Skipped {Count} labelled feature vectors computed with other features than this build's {Features}", otherSchema, FeatureSchema.Count);
        }

        int frauds = rows.Count(row => row.IsFraud);
        if (frauds < settings.MinFraudLabels)
        {
            return new ClassifierTrainingOutcome(null, false,
                $"{frauds} fraud rows among {rows.Count} labelled ones (labelled alerts, and samples older than the label delay of "
                + $"{settings.LabelDelay.TotalDays:0.##} days); at least {settings.MinFraudLabels} are needed to train the classifier."
                + ModelStore.OtherSchemaNote(otherSchema));
        }

        // Time respected: fit on the older rows, validate on the newest.
        int holdoutRows = (int)Math.Ceiling(rows.Count * settings.HoldoutShare);
        var training = rows.Take(rows.Count - holdoutRows).ToList();
        var holdout = rows.Skip(rows.Count - holdoutRows).ToList();
        int trainingFrauds = training.Count(row => row.IsFraud);
        if (trainingFrauds == 0 || trainingFrauds == training.Count)
        {
            return new ClassifierTrainingOutcome(null, false,
                $"The older {training.Count} rows hold {trainingFrauds} frauds; training needs both fraud and legitimate rows before the newest {holdoutRows}.");
        }

        var boosting = new GradientBoostingOptions { Trees = settings.ClassifierTrees, Seed = 1 };
        var trainingFeatures = Flatten(training);
        var trainingLabels = training.Select(row => row.IsFraud).ToArray();
        string version = Version(rows[^1].Ts, trainingFeatures, trainingLabels, boosting);
        var classifier = GradientBoostingTrainer.Fit(CollectionsMarshal.AsSpan(trainingFeatures), trainingLabels, FeatureSchema.Names, boosting, version);
        var probabilities = holdout.Select(row => classifier.Probability(row.Features)).ToArray();
        var validation = ClassifierValidation.Of(probabilities, holdout.Select(row => row.IsFraud).ToArray(),
            new ClassifierValidationLimits { MinFrauds = settings.MinHoldoutFrauds, MinRocAuc = settings.MinClassifierAuc });

        var trained = new TrainedModel(
            version,
            ModelKind.Classifier,
            classifier.Serialize(),
            JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["trees"] = boosting.Trees,
                ["leaves"] = boosting.Leaves,
                ["min_rows_per_leaf"] = boosting.MinRowsPerLeaf,
                ["learning_rate"] = boosting.LearningRate,
                ["seed"] = boosting.Seed,
                ["features"] = FeatureSchema.Names,
                ["label_delay"] = settings.LabelDelay.ToString("c", CultureInfo.InvariantCulture),
                ["training_frauds"] = trainingFrauds,
                ["trained_at"] = time.GetUtcNow(),
            }),
            rows[0].Ts,
            rows[^1].Ts,
            training.Count,
            JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["holdout_rows"] = validation.HoldoutRows,
                ["holdout_frauds"] = validation.HoldoutFrauds,
                ["roc_auc"] = ModelVersions.Finite(validation.RocAuc),
                ["average_precision"] = ModelVersions.Finite(validation.AveragePrecision),
                ["passed"] = validation.Passed,
                ["problems"] = validation.Problems,
            }));
        await store.StoreAsync(trained, activate: validation.Passed, requestedBy, cancellationToken);
        if (validation.Passed)
        {
            logger.LogInformation("Trained and activated classifier {Version} on {Rows} rows ({Frauds} frauds), holdout ROC-AUC {Auc:0.000}, for {RequestedBy}",
                version, training.Count, trainingFrauds, validation.RocAuc, requestedBy);
        }
        else
        {
            logger.LogWarning("Trained classifier {Version} but kept the active one: {Problems}", version, string.Join("; ", validation.Problems));
        }

        return new ClassifierTrainingOutcome(trained, validation.Passed, null, validation, trainingFrauds);
    }

    private static List<float> Flatten(List<LabelledRow> rows)
    {
        var flat = new List<float>(rows.Count * FeatureSchema.Count);
        foreach (var row in rows)
        {
            flat.AddRange(row.Features);
        }

        return flat;
    }

    /// <summary><c>gb-2025-09-13-14-1a2b3c4d</c>: see <see cref="ModelVersions.Of"/>.</summary>
    private static string Version(DateTimeOffset newest, List<float> rows, bool[] labels, GradientBoostingOptions options) =>
        ModelVersions.Of("gb", newest, rows, labels, string.Create(CultureInfo.InvariantCulture,
            $"|{options.Trees}|{options.Leaves}|{options.MinRowsPerLeaf}|{options.LearningRate}|{options.Seed}"));

}
