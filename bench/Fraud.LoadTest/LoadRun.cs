using System.Diagnostics;
using Confluent.Kafka;
using Fraud.Testing;

namespace Fraud.LoadTest;

/// <summary>
/// The phases of a run against one started system: a warm-up, throughput ("max") and latency (fixed rate). Each
/// phase (each run of "max") starts with the detector idle and ends when it has caught up, so phases do not overlap.
/// </summary>
internal sealed class LoadRun(FraudSystem system, TransactionFeed feed, BrokerProbe probe, AlertWatcher alerts, ProcessSampler sampler, Output output)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan ScrapeGrace = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan LagInterval = TimeSpan.FromSeconds(1);

    private readonly DetectorScraper _scraper = new(system.Detector);
    private readonly IReadOnlyList<TopicPartition> _partitions = probe.Partitions(TransactionFeed.Topic);
    private readonly IReadOnlyList<TopicPartition> _alertPartitions = probe.Partitions(AlertWatcher.Topic);

    /// <summary>The partitions of <c>transactions.v1</c>.</summary>
    public int Partitions => _partitions.Count;

    /// <summary>How long a phase may wait for the detector to catch up after sending ends.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Transactions at <paramref name="rate"/> for <paramref name="duration"/>, decided but not measured, so that no
    /// phase pays for JIT compilation, first connections or the services' start-up work. Measured here: right after
    /// start-up, a first phase used about three times the detector's CPU (several times the API's) of the same phase
    /// run later; a burst of 20,000 transactions (about a second) did not change that, 20 s at a steady rate mostly do.
    /// </summary>
    public async Task<IReadOnlyList<string>> WarmUpAsync(double rate, TimeSpan duration, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        var start = probe.High(_partitions);
        long expected = (long)Math.Round(rate * duration.TotalSeconds);
        await output.TrackAsync($"warm-up: {Output.Rate(rate)} tx/s for {duration.TotalSeconds:N0} s (not measured)", expected, async progress =>
        {
            var clock = Stopwatch.StartNew();
            var (sent, unacknowledged) = await feed.SendPacedAsync(rate, duration, [], progress, cancellationToken);
            if (unacknowledged > 0)
            {
                problems.Add($"{unacknowledged:N0} transactions not acknowledged by the broker ({feed.LastError})");
            }

            if (await WaitForDetectorAsync(start, sent, clock, _ => { }, cancellationToken) is null)
            {
                problems.Add($"the detector did not catch up within {DrainTimeout.TotalSeconds:N0} s");
            }
        });
        alerts.Take();
        return problems;
    }

    /// <summary>
    /// <paramref name="runs"/> runs, one after the other: each sends N = rate × duration fresh transactions (prepared
    /// beforehand) at <paramref name="rate"/> while the detector consumes them, then a bare consumer reads the same N
    /// messages from the same offsets with the system idle. The partitions must be enough for the broker to keep all N.
    /// </summary>
    public async Task<PhaseReport> ThroughputAsync(double rate, TimeSpan duration, int runs, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        double? loadStart = Machine.LoadAverage();
        var results = new List<ThroughputRun>();
        for (int run = 1; run <= runs && !cancellationToken.IsCancellationRequested; run++)
        {
            string label = runs > 1 ? $"max run {run}/{runs}" : "max";
            var runProblems = new List<string>();
            results.Add(await ThroughputRunAsync(label, rate, duration, runProblems, cancellationToken));
            problems.AddRange(runProblems.Select(problem => runs > 1 ? $"run {run}: {problem}" : problem));
        }

        var figures = ThroughputFigures.Of(rate, duration.TotalSeconds, _partitions.Count, results);
        return new PhaseReport(PhasePlan.Max, loadStart, Machine.LoadAverage(), figures, null, ProcessUsage.Combine(results.Select(run => run.Processes)), problems);
    }

    private async Task<ThroughputRun> ThroughputRunAsync(string label, double rate, TimeSpan duration, List<string> problems, CancellationToken cancellationToken)
    {
        long count = (long)Math.Round(rate * duration.TotalSeconds);
        List<Message<string, byte[]>> messages = [];
        await output.TrackAsync($"{label}: preparing {count:N0} transactions", count, progress =>
        {
            messages = feed.Prepare(count, progress);
            return Task.CompletedTask;
        });

        var before = await _scraper.ScrapeAsync(cancellationToken);
        var start = probe.High(_partitions);
        sampler.Begin();

        TimeSpan sendElapsed = default;
        TimeSpan? detectorElapsed = null;
        var timeline = new List<(TimeSpan At, long Done)>();
        await output.TrackAsync($"{label}: {count:N0} transactions at {Output.Rate(rate)} tx/s, detector", count, async progress =>
        {
            var clock = Stopwatch.StartNew();
            var done = WaitForDetectorAsync(start, count, clock, progress, cancellationToken, timeline);
            var (sent, unacknowledged) = await feed.SendPreparedAsync(messages, rate, cancellationToken);
            sendElapsed = clock.Elapsed;
            if (unacknowledged > 0)
            {
                problems.Add($"{unacknowledged:N0} transactions not acknowledged by the broker ({feed.LastError})");
            }

            if (sent < count)
            {
                problems.Add($"sending was stopped after {sent:N0} of {count:N0} transactions");
            }

            detectorElapsed = await done;
        });
        var processes = sampler.End();
        var end = probe.High(_partitions);
        if (end.Since(start) != count)
        {
            problems.Add($"the topic grew by {end.Since(start):N0} messages, not {count:N0}: something else is producing");
        }

        if (detectorElapsed is null)
        {
            problems.Add($"the detector did not catch up within {DrainTimeout.TotalSeconds:N0} s of the last send");
        }

        var after = await _scraper.ScrapeUntilAsync(Processed(before) + count, ScrapeGrace, cancellationToken);
        long counted = (long)(Processed(after) - Processed(before));
        if (counted != count)
        {
            problems.Add($"the detector counted {counted:N0} transactions processed, not {count:N0}");
        }

        alerts.Take();

        // The same messages, read again by a consumer that does nothing else — if the broker still holds them all.
        long bareRead = 0;
        TimeSpan? bareElapsed = null;
        if (!probe.Low(_partitions).AtOrBefore(start))
        {
            problems.Add($"the broker dropped some of the run's messages before the bare consumer read them (its per-partition cap): "
                + $"give transactions.v1 more than {_partitions.Count} partitions or send fewer");
        }
        else
        {
            await output.TrackAsync($"{label}: bare consumer, the same {count:N0} messages", count, progress =>
            {
                (bareRead, var elapsed) = BareConsumer.Read(system.KafkaBootstrap, start, end, DrainTimeout, progress);
                if (bareRead < end.Since(start))
                {
                    problems.Add($"the bare consumer read {bareRead:N0} of {end.Since(start):N0} messages within {DrainTimeout.TotalSeconds:N0} s");
                }
                else
                {
                    bareElapsed = elapsed;
                }

                return Task.CompletedTask;
            });
        }

        double? detectorRate = detectorElapsed is { } d ? count / d.TotalSeconds : null;
        double? bareRate = bareElapsed is { } b ? bareRead / b.TotalSeconds : null;

        // What the detector still had to do when the last send was acknowledged, and how fast it did it (the poll has ended).
        long doneAtSendEnd = timeline.LastOrDefault(sample => sample.At <= sendElapsed).Done;
        long backlog = count - doneAtSendEnd;
        bool keptUp = backlog < count / 10;
        TimeSpan? backlogElapsed = keptUp ? null : detectorElapsed - sendElapsed;
        return new ThroughputRun(
            count, sendElapsed.TotalSeconds, count / sendElapsed.TotalSeconds,
            detectorElapsed?.TotalSeconds, detectorRate, counted,
            backlog, backlogElapsed?.TotalSeconds, backlog / backlogElapsed?.TotalSeconds, keptUp,
            bareRead, bareElapsed?.TotalSeconds, bareRate,
            detectorRate / bareRate, processes);
    }

    /// <summary>
    /// Transactions at a fixed rate for a while; end-to-end latency from the detector's histogram and from alerts.v1, and the
    /// detector's lag sampled every second while the rate is held.
    /// </summary>
    public async Task<PhaseReport> LatencyAsync(double rate, TimeSpan duration, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        double? loadStart = Machine.LoadAverage();
        var sentAt = new Dictionary<string, long>(StringComparer.Ordinal);
        var before = await _scraper.ScrapeAsync(cancellationToken);
        var start = probe.High(_partitions);
        alerts.Take();
        sampler.Begin();

        long expected = (long)Math.Round(rate * duration.TotalSeconds);
        long sent = 0;
        TimeSpan sendElapsed = default;
        TimeSpan? drained = null;
        var lag = new List<LagSample>();
        await output.TrackAsync($"{Output.Rate(rate)} tx/s for {duration.TotalSeconds:N0} s", expected, async progress =>
        {
            var clock = Stopwatch.StartNew();
            using var sending = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var sampling = SampleLagAsync(start, clock, lag, sending.Token);
            (sent, long unacknowledged) = await feed.SendPacedAsync(rate, duration, sentAt, progress, cancellationToken);
            sendElapsed = clock.Elapsed;
            await sending.CancelAsync();
            await sampling;
            if (unacknowledged > 0)
            {
                problems.Add($"{unacknowledged:N0} transactions not acknowledged by the broker ({feed.LastError})");
            }

            drained = await WaitForDetectorAsync(start, sent, clock, _ => { }, cancellationToken) - sendElapsed;
        });
        if (drained is null)
        {
            problems.Add($"the detector did not catch up within {DrainTimeout.TotalSeconds:N0} s of the last send");
        }

        // Every alert of the phase is on alerts.v1 before the detector commits its offsets: read up to the topic's end.
        var alertsEnd = probe.High(_alertPartitions);
        var deadline = DateTime.UtcNow + ScrapeGrace;
        while (!alerts.HasRead(alertsEnd) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(PollInterval, cancellationToken);
        }

        if (!alerts.HasRead(alertsEnd))
        {
            problems.Add("the load tool did not read alerts.v1 to its end in time; the external latency misses some alerts");
        }

        var after = await _scraper.ScrapeUntilAsync(Processed(before) + sent, ScrapeGrace, cancellationToken);
        var processes = sampler.End();
        long counted = (long)(Processed(after) - Processed(before));
        if (counted != sent)
        {
            problems.Add($"the detector counted {counted:N0} transactions processed, not {sent:N0}");
        }

        var latencies = new List<double>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var alert in alerts.Take())
        {
            // A replayed batch publishes its alerts again: the first is when the alert became durable.
            if (sentAt.TryGetValue(alert.TxId, out long sentMs) && seen.Add(alert.TxId))
            {
                latencies.Add(alert.TimestampMs - sentMs);
            }
        }

        var stages = DetectorScraper.StagesBetween(before, after);
        var figures = new LatencyFigures(
            rate, sent, sendElapsed.TotalSeconds, sent / sendElapsed.TotalSeconds, drained?.TotalSeconds, counted, latencies.Count,
            LatencySummary.FromHistogramSeconds(before.Buckets(DetectorScraper.Latency), after.Buckets(DetectorScraper.Latency)),
            LatencySummary.Exact(latencies),
            LagFigures.Of(lag, rate),
            stages.Stages, stages.Batches);
        if (figures.AchievedRate < 0.95 * rate)
        {
            problems.Add($"the load tool sent {figures.AchievedRate:N0} tx/s, under 95% of {rate:N0}: the rate was not held");
        }

        return new PhaseReport(new PhasePlan(rate, duration.TotalSeconds).Name, loadStart, Machine.LoadAverage(), null, figures, processes, problems);
    }

    /// <summary>
    /// Every <see cref="LagInterval"/> until <paramref name="stop"/>: how many messages since <paramref name="start"/> the
    /// detector group has not committed yet (the high watermarks read after the committed offsets, so never negative).
    /// </summary>
    private async Task SampleLagAsync(Offsets start, Stopwatch clock, List<LagSample> samples, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(LagInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                var committed = await probe.CommittedAsync(SystemUnderLoad.DetectorGroup, _partitions);
                var high = probe.High(_partitions);
                samples.Add(new LagSample(Math.Round(clock.Elapsed.TotalSeconds, 2), high.Since(committed.AtLeast(start))));
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // sending ended
        }
    }

    private static double Processed(PrometheusText scrape) => scrape.Sum(DetectorScraper.Processed) ?? 0;

    /// <summary>
    /// Polls the detector group's committed offsets until they cover <paramref name="count"/> messages past
    /// <paramref name="start"/>. The detector commits a micro-batch only once its alerts are durable, so this is
    /// the moment the last transaction is fully handled, seen to within the poll interval.
    /// </summary>
    /// <returns>The <paramref name="clock"/> reading then, or null on timeout.</returns>
    private async Task<TimeSpan?> WaitForDetectorAsync(
        Offsets start, long count, Stopwatch clock, Action<long> progress, CancellationToken cancellationToken, List<(TimeSpan At, long Done)>? timeline = null)
    {
        await Task.Yield();   // the caller goes on sending while this polls
        TimeSpan? lastGrowth = null;
        long lastDone = -1;
        while (!cancellationToken.IsCancellationRequested)
        {
            var committed = await probe.CommittedAsync(SystemUnderLoad.DetectorGroup, _partitions);
            long done = committed.Since(start);
            var at = clock.Elapsed;
            timeline?.Add((at, done));

            progress(Math.Min(done, count));
            if (done >= count)
            {
                return at;
            }

            // Give up only when the detector has stopped making progress for the whole timeout.
            if (done != lastDone)
            {
                lastDone = done;
                lastGrowth = clock.Elapsed;
            }
            else if (clock.Elapsed - lastGrowth > DrainTimeout)
            {
                return null;
            }

            await Task.Delay(PollInterval, cancellationToken);
        }

        return null;
    }
}
