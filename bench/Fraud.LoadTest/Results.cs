namespace Fraud.LoadTest;

/// <summary>Everything one run measured; also what <c>--json</c> writes.</summary>
internal sealed record RunReport(
    DateTimeOffset StartedAt,
    Machine Machine,
    RunSettings Settings,
    IReadOnlyList<SystemStart> Starts,
    IReadOnlyList<PhaseReport> Phases,
    IReadOnlyList<GoalReport> Goals,
    long ResourceWarnings,
    long ResourceErrors);

/// <summary>
/// One start of the system and the phases it ran: the fixed-rate phases keep the AppHost's partitions of
/// <c>transactions.v1</c>, the 'max' phase gets as many as the local broker needs to keep all of its messages.
/// </summary>
internal sealed record SystemStart(int TransactionsPartitions, double StartupSeconds, IReadOnlyList<string> Phases);

/// <summary>The options a run was given.</summary>
internal sealed record RunSettings(
    IReadOnlyList<PhasePlan> Phases,
    double MaxRate,
    double MaxSeconds,
    int MaxRuns,
    double WarmupSeconds,
    int Seed,
    int Users,
    double FraudRate,
    string ScenarioMix,
    int? DetectorFetchWaitMs,
    int TrainingSamplePerHour,
    IReadOnlyList<string> DetectorSettings,
    IReadOnlyList<string> SystemSettings,
    bool PostgresDurable)
{
    /// <summary>Transactions in one run of the 'max' phase.</summary>
    public long MaxCount => (long)Math.Round(MaxRate * MaxSeconds);
}

/// <summary>A phase of <c>--rates</c>: a rate held for a while (<see cref="Rate"/> tx/s for <see cref="Seconds"/>), or the throughput phase ('max', no rate).</summary>
internal sealed record PhasePlan(double? Rate, double Seconds)
{
    public const string Max = "max";

    public bool IsMax => Rate is null;

    public string Name => Rate is { } rate ? $"{Output.Rate(rate)}@{Seconds:0.##}s" : Max;
}

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
/// The "max" phase: <see cref="Runs"/> runs of the same size one after the other, and the median and spread of
/// their detector rate, bare-consumer rate and ratio (over the runs that measured them).
/// </summary>
internal sealed record ThroughputFigures(
    double SendRate,
    double SendSeconds,
    int Partitions,
    IReadOnlyList<ThroughputRun> Runs,
    Spread? DetectorRate,
    Spread? BareRate,
    Spread? Ratio)
{
    public static ThroughputFigures Of(double sendRate, double sendSeconds, int partitions, IReadOnlyList<ThroughputRun> runs) => new(
        sendRate, sendSeconds, partitions, runs,
        Spread.Of(runs.Select(run => run.DetectorRate)),
        Spread.Of(runs.Select(run => run.BareRate)),
        Spread.Of(runs.Select(run => run.Ratio)));
}

/// <summary>
/// One run of the "max" phase. The detector's rate is N / (first send → its committed offsets cover all N); the bare
/// consumer's is N / (assignment → N-th message), read afterwards from the same offsets with the detector idle.
/// The backlog rate is the detector's pace after sending ended, on what it had still to do: the part of the run where
/// nothing but the detector's speed can set the pace. <see cref="DetectorKeptUp"/>: less than a tenth of N was left when
/// sending ended, so the detector rate is the sender's pace, a lower bound.
/// </summary>
internal sealed record ThroughputRun(
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
    double? Ratio,
    IReadOnlyList<ProcessUsage> Processes);

/// <summary>The median of some runs' values and their range.</summary>
internal sealed record Spread(double Median, double Min, double Max, int Count)
{
    /// <returns>Null when no value is known.</returns>
    public static Spread? Of(IEnumerable<double?> values)
    {
        var known = values.OfType<double>().Order().ToList();
        if (known.Count == 0)
        {
            return null;
        }

        int middle = known.Count / 2;
        double median = known.Count % 2 == 1 ? known[middle] : (known[middle - 1] + known[middle]) / 2;
        return new Spread(median, known[0], known[^1], known.Count);
    }
}

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
    LagFigures? Lag,
    IReadOnlyList<BatchStageTime> BatchStages,
    long Batches);

/// <summary>The detector's lag sampled while a fixed rate was held: messages past its committed offsets, <see cref="AtSeconds"/> after the first send.</summary>
internal sealed record LagSample(double AtSeconds, long Messages);

/// <summary>
/// The detector's lag over a fixed-rate phase: the first, middle and last sample, and the slope of the least-squares
/// line through all of them. <see cref="Grows"/>: the slope is more than <see cref="GrowthShare"/> of the rate, i.e. the
/// detector falls further behind than batching can explain (a batch in flight moves the lag by its size, not steadily).
/// </summary>
internal sealed record LagFigures(long Start, long Middle, long End, double SlopePerSecond, bool Grows, IReadOnlyList<LagSample> Samples)
{
    public const double GrowthShare = 0.01;

    /// <returns>Null with fewer than two samples.</returns>
    public static LagFigures? Of(IReadOnlyList<LagSample> samples, double rate)
    {
        if (samples.Count < 2)
        {
            return null;
        }

        double meanAt = samples.Average(sample => sample.AtSeconds);
        double meanLag = samples.Average(sample => (double)sample.Messages);
        double covariance = samples.Sum(sample => (sample.AtSeconds - meanAt) * (sample.Messages - meanLag));
        double variance = samples.Sum(sample => (sample.AtSeconds - meanAt) * (sample.AtSeconds - meanAt));
        double slope = variance > 0 ? covariance / variance : 0;
        return new LagFigures(samples[0].Messages, samples[samples.Count / 2].Messages, samples[^1].Messages, slope, slope > GrowthShare * rate, samples);
    }
}

/// <summary>A detector micro-batch stage and its time per batch over a phase: the mean, and the p99 interpolated in the histogram's buckets.</summary>
/// <summary>One detector stage between two scrapes: how often it ran, and its mean and p99 time.</summary>
internal sealed record BatchStageTime(string Stage, long Count, double MeanMs, double? P99Ms);

/// <summary>One of the goals, as measured in this run.</summary>
internal sealed record GoalReport(string Goal, string Measured, bool? Met);
