using System.ComponentModel.DataAnnotations;

namespace Fraud.Api.Models;

/// <summary>
/// Settings under <c>Training:</c>: how the trainers fit and validate the forest (from <c>training_samples</c>) and the
/// supervised classifier (from labelled alerts and delayed samples), which replica trains, and the files the first
/// versions come from (<see cref="DetectionFileImport"/>).
/// </summary>
public sealed class TrainingOptions
{
    public const string Section = "Training";

    /// <summary>Train on the samples of this event-time window, back from the newest sampled hour.</summary>
    [Range(typeof(TimeSpan), "01:00:00", "90.00:00:00")]
    public TimeSpan Window { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often to train on a schedule; zero for only on request (<c>POST /models/train</c>).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "90.00:00:00")]
    public TimeSpan Every { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Fewer samples than this in the window are not enough to train.</summary>
    [Range(100, 10_000_000)]
    public int MinSamples { get; set; } = 1_000;

    /// <summary>The newest share of the samples is held out to validate the model, never fitted on.</summary>
    [Range(0.05, 0.5)]
    public double HoldoutShare { get; set; } = 0.2;

    /// <summary>The forest's threshold: the share of training rows it calls anomalous.</summary>
    [Range(0.0001, 0.5)]
    public double Contamination { get; set; } = 0.01;

    /// <summary>The largest share of the holdout the model may call anomalous and still be activated.</summary>
    [Range(0.0001, 1)]
    public double MaxAnomalyRate { get; set; } = 0.05;

    [Range(1, 1000)]
    public int Estimators { get; set; } = 100;

    [Range(2, 100_000)]
    public int MaxSamples { get; set; } = 256;

    /// <summary>
    /// Classifier: how long after a transaction its label is taken as known. Samples newer than this (back from the
    /// newest sample) are not trained on, since their frauds may not be reported yet and would be learnt as legitimate.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "90.00:00:00")]
    public TimeSpan LabelDelay { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Classifier: fewer fraud rows than this are not enough to train (a 422).</summary>
    [Range(2, 10_000_000)]
    public int MinFraudLabels { get; set; } = 50;

    /// <summary>Classifier: the lowest ROC-AUC on the holdout that is activated.</summary>
    [Range(0.5, 1)]
    public double MinClassifierAuc { get; set; } = 0.7;

    /// <summary>Classifier: fewer fraud rows than this in the holdout cannot judge it, so it is not activated.</summary>
    [Range(1, 100_000)]
    public int MinHoldoutFrauds { get; set; } = 5;

    /// <summary>How often each API replica tries to become the one that trains, or checks that it still is
    /// (<see cref="TrainingLeadership"/>): a failover takes up to this long.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan LeaderCheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The Isolation Forest model file (written by the detector's <c>train</c>); relative paths are resolved beside the
    /// API's binaries. It is stored as the first active forest, and a replaced file is stored and activated. Empty: none.
    /// </summary>
    public string ModelPath { get; set; } = "models/iforest.model";

    /// <summary>The rule set (JSON) stored as the first active version; relative paths are resolved beside the binaries. Empty: none.</summary>
    public string RulesPath { get; set; } = "rules.json";

    /// <summary>
    /// When no forest is stored and the model file does not exist, train one on simulated traffic (and write it to the
    /// model file, if any), so that a fresh installation scores with a forest from its first transaction.
    /// </summary>
    public bool BootstrapModel { get; set; } = true;

    /// <summary>How many simulated transactions the bootstrap model is trained on.</summary>
    [Range(1_000, 10_000_000)]
    public int BootstrapTransactions { get; set; } = 50_000;

    /// <summary>How often the leader checks the model file for a replacement.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan FileCheckInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>A path setting resolved beside the binaries; null when empty.</summary>
    public static string? ResolvePath(string? path) =>
        string.IsNullOrWhiteSpace(path) ? null : Path.GetFullPath(path, AppContext.BaseDirectory);

    /// <summary>Classifier: boosting rounds.</summary>
    [Range(1, 10_000)]
    public int ClassifierTrees { get; set; } = 100;
}
