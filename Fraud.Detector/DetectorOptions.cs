using System.ComponentModel.DataAnnotations;
using Fraud.Messaging;

namespace Fraud.Detector;

/// <summary>Settings under <c>Detector:</c>.</summary>
public sealed class DetectorOptions
{
    public const string Section = "Detector";

    public string GroupId { get; set; } = "fraud-detector";
    public string TransactionsTopic { get; set; } = Topics.Transactions.Name;
    public string DeadLetterTopic { get; set; } = Topics.DeadLetters.Name;
    public string AlertsTopic { get; set; } = Topics.Alerts.Name;

    /// <summary>Decision options (JSON, as <c>score --decision</c>); empty for the defaults. Reloaded when it changes.</summary>
    public string DecisionPath { get; set; } = "";

    /// <summary>How often the active model, rule set and classifier (in Postgres) and the decision file are checked for changes.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan ReloadInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How often the merchant risk is rebuilt from the shared day counts and labels besides at each new event-time day,
    /// so that labels that arrive late still count. Each rebuild reads every merchant's last five weeks.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan MerchantRiskRefresh { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>A micro-batch closes at this many messages…</summary>
    [Range(1, 100_000)]
    public int BatchSize { get; set; } = 5000;

    /// <summary>…or this long after its first message (it closes sooner when no further message is waiting).</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:01:00")]
    public TimeSpan BatchMaxWait { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Micro-batches decided and not yet durable before the detector stops reading: while one flush writes, the next
    /// batches are decided (the next flush takes them all).
    /// </summary>
    [Range(1, 1_000)]
    public int MaxBatchesInFlight { get; set; } = 8;

    /// <summary>
    /// How often, at most, the users decided since the last commit are checkpointed to Redis and the offsets committed:
    /// each user written once per interval, whatever its traffic. A crash replays at most this much more (exactly: the
    /// checkpoints' positions skip what they hold).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long the Redis dedup key <c>fraud:{tx_id}</c> lives.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "365.00:00:00")]
    public TimeSpan DedupTtl { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// K: the most feature vectors kept per event-time hour in <c>training_samples</c> (a uniform sample of the hour's
    /// traffic, per detector instance), for training on real traffic. 0: no sampling.
    /// </summary>
    [Range(0, 1_000_000)]
    public int TrainingSamplePerHour { get; set; } = 2000;

    /// <summary>
    /// Event-time hours whose reservoirs stay in memory (K × hours × 80 bytes). A transaction older than all of them
    /// (a partition lagging that far behind the others, as in a replay of history) is not sampled.
    /// </summary>
    [Range(1, 168)]
    public int TrainingSampleOpenHours { get; set; } = 4;

    /// <summary>Sampled hours older than this, before the newest hour seen, are deleted.</summary>
    [Range(typeof(TimeSpan), "01:00:00", "3650.00:00:00")]
    public TimeSpan TrainingSampleRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often, at most, the hours beyond the retention are deleted.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan TrainingSampleCleanupInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// This detector instance in <c>training_samples.source</c> (each keeps its own reservoir); empty: the machine
    /// name and process id, so a restarted or another replica's reservoir never overwrites this one's rows.
    /// </summary>
    public string InstanceId { get; set; } = "";

    /// <summary>Resolves a configured file path: absolute as is, relative beside the binaries; null when empty.</summary>
    public static string? ResolvePath(string? path) =>
        string.IsNullOrWhiteSpace(path) ? null : Path.GetFullPath(path, AppContext.BaseDirectory);
}
