namespace Fraud.LoadTest;

/// <summary>Everything one run measured; also what <c>--json</c> writes.</summary>
internal sealed record RunReport(
    DateTimeOffset StartedAt,
    Machine Machine,
    RunSettings Settings,
    double StartupSeconds,
    IReadOnlyList<PhaseReport> Phases,
    IReadOnlyList<GoalReport> Goals,
    long ResourceWarnings,
    long ResourceErrors);

/// <summary>The options a run was given.</summary>
internal sealed record RunSettings(
    IReadOnlyList<string> Rates,
    int Count,
    double DurationSeconds,
    double WarmupSeconds,
    int Seed,
    int Users,
    double FraudRate,
    string ScenarioMix,
    int? DetectorFetchWaitMs,
    IReadOnlyList<string> DetectorSettings,
    IReadOnlyList<string> SystemSettings,
    bool PostgresDurable);

/// <summary>One phase: a throughput phase ("max") or a latency phase at a fixed rate.</summary>
internal sealed record PhaseReport(
    string Name,
    double? LoadAverageStart,
    double? LoadAverageEnd,
    ThroughputFigures? Throughput,
    LatencyFigures? Latency,
    IReadOnlyList<ProcessUsage> Processes,
    IReadOnlyList<string> Problems)
{
    public bool Complete => Problems.Count == 0;
}

/// <summary>
/// The "max" phase. The detector's rate is N / (first produce → its committed offsets cover all N); the bare
/// consumer's is N / (assignment → N-th message), read afterwards from the same offsets with the detector idle (median of three reads).
/// The backlog rate is the detector's pace after sending ended, on what it had still to do: the part of the phase where
/// nothing but the detector's speed can set the pace. <see cref="DetectorKeptUp"/>: less than a tenth of N was left when
/// sending ended, so the detector rate is the sender's pace, a lower bound.
/// </summary>
internal sealed record ThroughputFigures(
    long Transactions,
    double ProduceSeconds,
    double ProducerRate,
    double? DetectorSeconds,
    double? DetectorRate,
    long DetectorCounted,
    long BacklogAtSendEnd,
    double? BacklogSeconds,
    double? BacklogRate,
    bool DetectorKeptUp,
    long BareRead,
    double? BareSeconds,
    double? BareRate,
    double? Ratio);

/// <summary>A phase at a fixed rate: what was sent, how the detector kept up, and the two latency measures.</summary>
internal sealed record LatencyFigures(
    double TargetRate,
    long Sent,
    double SendSeconds,
    double AchievedRate,
    double? DrainSeconds,
    long DetectorCounted,
    long AlertsMatched,
    LatencySummary? Detector,
    LatencySummary? External,
    IReadOnlyList<BatchStageTime> BatchStages,
    long Batches);

/// <summary>A detector micro-batch stage and its time per batch over a phase: the mean, and the p99 interpolated in the histogram's buckets.</summary>
internal sealed record BatchStageTime(string Stage, double MeanMs, double? P99Ms);

/// <summary>One of the goals, as measured in this run.</summary>
internal sealed record GoalReport(string Goal, string Measured, bool? Met);
