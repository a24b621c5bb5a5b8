using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Fraud.Core.Detection;
using Fraud.Core.Detection.Forest;
using Fraud.Core.Features;
using Microsoft.Extensions.Options;

namespace Fraud.Api.Models;

/// <summary>A model a trainer fitted, ready to store; <see cref="Kind"/> is <see cref="ModelKind.Forest"/> or <see cref="ModelKind.Classifier"/>.</summary>
internal sealed record TrainedModel(
    string Version,
    string Kind,
    byte[] Model,
    string ParametersJson,
    DateTimeOffset WindowStart,
    DateTimeOffset WindowEnd,
    int TrainingRows,
    string ValidationJson);

/// <summary>What a forest training run did: the model (stored, and activated only if it validated) and its validation, or why there is none.</summary>
internal sealed record TrainingOutcome(TrainedModel? Model, bool Activated, string? Problem, ModelValidation? Validation = null);

/// <summary>
/// Fits an Isolation Forest on the detectors' recent sample of feature vectors (<c>training_samples</c>), never on a
/// replay of the stream: the older rows of the window are fitted, the newest <see cref="TrainingOptions.HoldoutShare"/>
/// validate it (<see cref="ModelValidation"/>), so the check looks at traffic the model has not seen. The model is
/// stored either way, and activated only if it passes; detectors pick it up within seconds. One run at a time.
/// </summary>
internal sealed class ModelTrainer(ModelStore store, IOptions<TrainingOptions> options, TimeProvider time, ILogger<ModelTrainer> logger)
{
    private static readonly string Schema = string.Join(',', FeatureSchema.Names);
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);

    public async Task<TrainingOutcome> TrainAsync(string requestedBy, CancellationToken cancellationToken)
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

    private async Task<TrainingOutcome> TrainOnceAsync(string requestedBy, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var (samples, otherSchema) = await store.SamplesAsync(Schema, FeatureSchema.Count, settings.Window, cancellationToken);
        if (otherSchema > 0)
        {
            logger.LogWarning("Skipped {Count} sampled feature vectors computed with other features than this build's {Features}", otherSchema, FeatureSchema.Count);
        }

        if (samples.Count < settings.MinSamples)
        {
            return new TrainingOutcome(null, false,
                $"{samples.Count} sampled transactions in the last {settings.Window.TotalHours:0} h of traffic; at least {settings.MinSamples} are needed to train."
                + ModelStore.OtherSchemaNote(otherSchema));
        }

        // Time respected: fit on the older rows, validate on the newest.
        var featureNames = FeatureSchema.ForestDefaults;
        int[] columns = FeatureSchema.IndicesOf(featureNames);
        int holdoutRows = (int)Math.Ceiling(samples.Count * settings.HoldoutShare);
        var training = Rows(samples.Take(samples.Count - holdoutRows), columns);
        var holdout = Rows(samples.Skip(samples.Count - holdoutRows), columns);
        var forestOptions = new IsolationForestOptions
        {
            Estimators = settings.Estimators,
            MaxSamples = settings.MaxSamples,
            Contamination = settings.Contamination,
            Seed = 1,
        };
        var windowStart = samples[0].Ts;
        var windowEnd = samples[^1].Ts;
        string version = Version(windowEnd, training, forestOptions);
        var forest = IsolationForest.Fit(CollectionsMarshal.AsSpan(training), featureNames, forestOptions, version);
        var validation = ModelValidation.Of(forest, CollectionsMarshal.AsSpan(holdout), new ModelValidationLimits { MaxAnomalyRate = settings.MaxAnomalyRate });

        var trained = new TrainedModel(
            version,
            ModelKind.Forest,
            forest.Serialize(),
            JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["estimators"] = forestOptions.Estimators,
                ["max_samples"] = forestOptions.MaxSamples,
                ["contamination"] = forestOptions.Contamination,
                ["seed"] = forestOptions.Seed,
                ["features"] = featureNames,
                ["offset"] = forest.Offset,
                ["trained_at"] = time.GetUtcNow(),
            }),
            windowStart,
            windowEnd,
            forest.TrainingRows,
            JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["holdout_rows"] = validation.HoldoutRows,
                ["anomaly_rate"] = ModelVersions.Finite(validation.AnomalyRate),
                ["score_p01"] = ModelVersions.Finite(validation.ScoreP01),
                ["score_p50"] = ModelVersions.Finite(validation.ScoreP50),
                ["score_p99"] = ModelVersions.Finite(validation.ScoreP99),
                ["passed"] = validation.Passed,
                ["problems"] = validation.Problems,
            }));
        await store.StoreAsync(trained, activate: validation.Passed, requestedBy, cancellationToken);
        if (validation.Passed)
        {
            logger.LogInformation("Trained and activated {Version} on {Rows} samples ({Start:u} – {End:u}) for {RequestedBy}", version, forest.TrainingRows, windowStart, windowEnd, requestedBy);
        }
        else
        {
            logger.LogWarning("Trained {Version} but kept the active model: {Problems}", version, string.Join("; ", validation.Problems));
        }

        return new TrainingOutcome(trained, validation.Passed, null, validation);
    }

    private static List<float> Rows(IEnumerable<(float[] Features, DateTimeOffset Ts)> samples, int[] columns)
    {
        var rows = new List<float>();
        foreach (var (features, _) in samples)
        {
            foreach (int column in columns)
            {
                rows.Add(features[column]);
            }
        }

        return rows;
    }

    /// <summary><c>if-2025-09-13-14-1a2b3c4d</c>: see <see cref="ModelVersions.Of"/> (no labels).</summary>
    private static string Version(DateTimeOffset newest, List<float> rows, IsolationForestOptions options) =>
        ModelVersions.Of("if", newest, rows, [], string.Create(CultureInfo.InvariantCulture,
            $"|{options.Estimators}|{options.MaxSamples}|{options.Contamination}|{options.Seed}"));

}

/// <summary>
/// Trains the forest, then the classifier, on the schedule of <see cref="TrainingOptions.Every"/> (off when zero), on the
/// replica <see cref="TrainingLeadership"/> elected only. The classifier is skipped (logged) while there are too few
/// fraud labels.
/// </summary>
internal sealed class ScheduledTraining(
    ModelTrainer trainer, ClassifierTrainer classifierTrainer, TrainingLeadership leadership, TrainingMetrics metrics,
    IOptions<TrainingOptions> options, ILogger<ScheduledTraining> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.Every <= TimeSpan.Zero)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.Every);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (!leadership.IsLeader)
            {
                continue; // another replica trains
            }

            await RunAsync(ModelKind.Forest, async () => (await trainer.TrainAsync(ModelStore.Schedule, stoppingToken)).Problem);
            await RunAsync(ModelKind.Classifier, async () => (await classifierTrainer.TrainAsync(ModelStore.Schedule, stoppingToken)).Problem);
        }
    }

    private async Task RunAsync(string kind, Func<Task<string?>> train)
    {
        try
        {
            if (await train() is { } problem)
            {
                metrics.ScheduledRun(kind, "skipped");
                logger.LogInformation("Scheduled {Kind} training skipped: {Problem}", kind, problem);
            }
            else
            {
                metrics.ScheduledRun(kind, "trained");
            }
        }
        catch (Exception exception) when (exception is Npgsql.NpgsqlException or ArgumentException)
        {
            metrics.ScheduledRun(kind, "failed");
            logger.LogWarning("Scheduled {Kind} training failed: {Reason}", kind, exception.Message);
        }
    }
}
