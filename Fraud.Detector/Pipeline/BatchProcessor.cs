using System.Diagnostics;
using Confluent.Kafka;
using Fraud.Core;
using Fraud.Core.Decision;
using Fraud.Core.Features;
using Fraud.Detector.Detection;
using Fraud.Detector.Health;
using Fraud.Detector.Merchants;
using Fraud.Detector.Sampling;
using Fraud.Detector.Sinks;
using Fraud.Detector.State;
using Fraud.Messaging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Fraud.Detector.Pipeline;

/// <summary>
/// Decides a micro-batch when it closes, on the consume loop's thread (<see cref="Decide"/>): parse → restore users from
/// their checkpoint → merchant risk for the batch's day → decide with the same <see cref="DecisionEngine"/> as the
/// offline <c>score</c>. Then makes closed batches durable, in order, up to (not including) the offset commit, while the
/// loop decides the next ones (<see cref="PersistAsync"/>): dead letters → alerts in Postgres, then Redis and the alerts
/// topic. Once per commit, what is kept per commit rather than per flush: when the commit captures its batches, the
/// snapshots of the users they decided (<see cref="CaptureCheckpoints"/>); once they are durable, beside the next flush
/// (<see cref="BeforeCommitAsync"/>), every transaction since the last commit counted at its merchant (one Postgres
/// transaction), then those snapshots written. Every decision is offered to the training sample, which writes on its own.
/// The engine and its feature state belong to the loop's thread; a flush reads only its batches.
/// </summary>
internal sealed class BatchProcessor(
    DetectionProfileSource profiles,
    UserStateCheckpoint checkpoint,
    AlertSink alertSink,
    MerchantCountStore merchantCounts,
    Retry retry,
    IOptions<DetectorOptions> options,
    DeadLetterPublisher deadLetters,
    TrainingSampler sampler,
    DetectorMetrics metrics,
    MerchantRiskSource merchantRisk,
    SinkHealth health,
    TimeProvider time,
    ILogger<BatchProcessor> logger)
{
    private static readonly ActivitySource Tracing = new(DetectorMetrics.MeterName);
    private static readonly string ProcessSpanName = $"{Topics.Transactions.Name} process";

    // Restored users whose checkpoint is ahead of the committed offset: their transactions up to that position were
    // decided (and their alerts stored) before a crash, so a replay must not fold them in again.
    private readonly Dictionary<long, StatePosition> _checkpointedUpTo = [];
    private readonly List<(Transaction Transaction, ConsumeResult<string?, byte[]> Source)> _valid = [];
    private DetectionProfile? _profile;
    private DecisionEngine? _engine;

    // The users decided since the last capture, each with the position of its last transaction. The loop's thread only.
    private readonly Dictionary<long, StatePosition> _touched = [];
    // Their snapshots, captured for the next commit, written by its BeforeCommitAsync; then the next capture's buffer.
    private CapturedCheckpoints? _captured;
    private CapturedCheckpoints? _spareCheckpoints;

    // The transactions of durable batches to count at their merchants before the next commit: filled by flushes,
    // swapped out by BeforeCommitAsync, which runs beside the next flush. _countLock guards the swap.
    private readonly Lock _countLock = new();
    private MerchantVisits _uncounted = new();
    private MerchantVisits? _spareVisits = new();

    /// <summary>Decides a closed batch. On the loop's thread; blocks for the few reads it needs (restores, a new day's merchant risk).</summary>
    public void Decide(MicroBatch batch)
    {
        long stage = Stopwatch.GetTimestamp();
        Parse(batch);
        stage = metrics.BatchStage("parse", stage);
        var engine = CurrentEngineAsync(CancellationToken.None).GetAwaiter().GetResult();
        stage = metrics.BatchStage("merchant_risk", stage);
        Restore(engine);
        stage = metrics.BatchStage("restore", stage);
        Decide(engine, batch);
        metrics.BatchStage("decide", stage);
    }

    /// <summary>
    /// A commit captures every batch decided so far: snapshots every user they decided, as they left it (the loop's
    /// thread; never while a commit runs, so the buffer is free).
    /// </summary>
    public void CaptureCheckpoints()
    {
        long started = Stopwatch.GetTimestamp();
        _captured ??= Interlocked.Exchange(ref _spareCheckpoints, null) ?? new CapturedCheckpoints();
        if (_engine is not null)
        {
            UserStateCheckpoint.Capture(_engine.Features, _touched, _captured);
        }

        _touched.Clear();
        metrics.BatchStage("capture", started);
    }

    /// <summary>Makes decided batches durable, in their order; their merchant visits then wait for the next <see cref="BeforeCommitAsync"/>.</summary>
    public async Task PersistAsync(IReadOnlyList<MicroBatch> batches, CancellationToken cancellationToken)
    {
        long stage = Stopwatch.GetTimestamp();
        using var activity = StartBatchActivity(batches);
        await deadLetters.PublishAsync([.. batches.SelectMany(batch => batch.DeadLetters)], cancellationToken);
        stage = metrics.BatchStage("dead_letters", stage);
        await alertSink.WriteAsync([.. batches.SelectMany(batch => batch.Alerts)], cancellationToken);
        var durableAt = time.GetUtcNow();
        metrics.BatchStage("alerts", stage);

        lock (_countLock)
        {
            foreach (var batch in batches)
            {
                _uncounted.AddRange(batch.Visits);
            }
        }

        foreach (var message in batches.SelectMany(batch => batch.Messages))
        {
            metrics.EndToEnd(durableAt - message.Message.Timestamp.UtcDateTime);
        }
    }

    /// <summary>
    /// Before a commit, what its batches, durable now, leave to keep (a batch made durable since may join the counts: their
    /// partition positions keep them exact either way). First their transactions counted at their merchants, retried
    /// until Postgres takes them, since the commit must not pass a transaction not counted; then the checkpoints
    /// captured with the batches, best effort: while Redis is down the users keep their state in memory.
    /// </summary>
    public async Task BeforeCommitAsync(CancellationToken cancellationToken)
    {
        var checkpoints = _captured;
        _captured = null;
        MerchantVisits visits;
        lock (_countLock)
        {
            visits = _uncounted;
            _uncounted = _spareVisits ?? new MerchantVisits();
            _spareVisits = null;
        }

        long stage = Stopwatch.GetTimestamp();
        if (visits.Count > 0)
        {
            int counted = await retry.UntilSuccessAsync(
                "postgres", () => merchantCounts.CountAsync(options.Value.TransactionsTopic, visits, cancellationToken), cancellationToken);
            metrics.MerchantVisitsCounted(counted);
        }

        // Kept for the next commit only once written: a statement given up may still be reading them.
        visits.Clear();
        lock (_countLock)
        {
            _spareVisits = visits;
        }

        stage = metrics.BatchStage("merchant_counts", stage);
        if (checkpoints is { Count: > 0 })
        {
            try
            {
                await checkpoint.SaveAsync(checkpoints).WaitAsync(cancellationToken);
                health.Succeeded("redis");
                checkpoints.Clear();
                Volatile.Write(ref _spareCheckpoints, checkpoints);
            }
            catch (Exception exception) when (exception is RedisException or TimeoutException)
            {
                // The state stays in memory; only a restart before Redis returns would lose these users' latest history.
                // The buffer is not used again: a command still queued may read it.
                metrics.SinkFailed("state");
                health.Failed("redis", exception.Message);
                logger.LogWarning("Redis unavailable, {Count} users not checkpointed: {Reason}", checkpoints.Count, exception.Message);
            }
        }

        metrics.BatchStage("checkpoint", stage);
    }

    /// <summary>Drops what was captured or counted and not written, and who was decided since: their batches are given up, and read again.</summary>
    public void Abandon()
    {
        _captured = null;
        _touched.Clear();
        lock (_countLock)
        {
            _uncounted.Clear();
        }
    }

    /// <summary>Forgets every user in memory: after a rebalance they may be decided elsewhere, so they come back from their checkpoint.</summary>
    public void ForgetUsers()
    {
        _engine?.Features.Clear();
        _checkpointedUpTo.Clear();
    }

    /// <summary>
    /// The engine for the current profile and merchant risk; a reloaded profile or a rebuilt merchant risk takes over
    /// here, between two batches, keeping the feature state.
    /// </summary>
    private async Task<DecisionEngine> CurrentEngineAsync(CancellationToken cancellationToken)
    {
        var profile = profiles.Current;
        var merchants = _engine?.Merchants;
        if (_valid.Count > 0)
        {
            var newestDay = DateOnly.FromDateTime(_valid.Max(entry => entry.Transaction.Ts).UtcDateTime);
            var labelDelay = profile.Classifier?.MerchantLabelDelay ?? new MerchantRiskOptions().LabelDelay;
            merchants = await merchantRisk.CurrentAsync(newestDay, labelDelay, cancellationToken);
        }

        if (_engine is null || !ReferenceEquals(profile, _profile) || !ReferenceEquals(merchants, _engine.Merchants))
        {
            _engine = _engine is null
                ? new DecisionEngine(profile.Model, profile.Rules, profile.Decision, classifier: profile.Classifier, merchants: merchants)
                : new DecisionEngine(profile.Model, profile.Rules, profile.Decision, _engine.Features, profile.Classifier, merchants);
            _profile = profile;
        }

        return _engine;
    }

    private void Parse(MicroBatch batch)
    {
        _valid.Clear();
        foreach (var message in batch.Messages)
        {
            if (TransactionJson.TryParse(message.Message.Value, out var transaction, out var error))
            {
                _valid.Add((transaction, message));
                if (transaction.MerchantId is { } merchantId)
                {
                    batch.Visits.Add(MerchantVisit.Of(message.Partition.Value, message.Offset.Value, merchantId, transaction.Ts));
                }
            }
            else
            {
                batch.DeadLetters.Add(new DeadLetter(message, error));
            }
        }
    }

    private void Restore(DecisionEngine engine)
    {
        var missing = _valid.Select(entry => entry.Transaction.UserId).Where(userId => !engine.Features.Contains(userId)).Distinct().ToList();
        if (missing.Count == 0)
        {
            return;
        }

        RedisValue[] values;
        try
        {
            values = checkpoint.LoadAsync(missing).GetAwaiter().GetResult();
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            metrics.StateRestore("unavailable", missing.Count);
            health.Failed("redis", exception.Message);
            logger.LogWarning("Redis unavailable, {Count} users start from an empty history: {Reason}", missing.Count, exception.Message);
            return;
        }

        for (int i = 0; i < missing.Count; i++)
        {
            if (values[i].IsNull)
            {
                metrics.StateRestore("absent");
            }
            else if (UserStateCheckpoint.TryRestore(engine.Features, missing[i], (byte[])values[i]!, out var position))
            {
                _checkpointedUpTo[missing[i]] = position;
                metrics.StateRestore("restored");
            }
            else
            {
                metrics.StateRestore("refused");
            }
        }
    }

    private void Decide(DecisionEngine engine, MicroBatch batch)
    {
        var now = time.GetUtcNow();
        foreach (var (transaction, source) in _valid)
        {
            if (_checkpointedUpTo.TryGetValue(transaction.UserId, out var checkpointed))
            {
                // A position names a message only in the log it was read from: a broker that came back empty (the local
                // one keeps no data) numbers new messages from 0 again, below the old checkpoints. A replayed message is
                // folded into the checkpoint, so it is no newer than the user's latest activity; a new one is decided.
                if (checkpointed.Partition == source.Partition.Value && source.Offset.Value <= checkpointed.Offset
                    && transaction.Ts <= engine.Features.LatestActivity(transaction.UserId))
                {
                    metrics.ReplaySkipped();
                    continue;
                }

                _checkpointedUpTo.Remove(transaction.UserId);
            }

            long started = Stopwatch.GetTimestamp();
            var alert = engine.Evaluate(transaction, now);
            metrics.Decided(Stopwatch.GetElapsedTime(started));
            sampler.Offer(transaction, engine.LastFeatures);
            batch.Processed++;
            _touched[transaction.UserId] = new StatePosition(source.Partition.Value, source.Offset.Value);
            if (alert is not null)
            {
                batch.Alerts.Add(new BatchAlert(alert, transaction.MerchantId, engine.LastFeatures.ToArray(), source));
            }
        }
    }

    /// <summary>
    /// One span per flush that stores alerts, in the trace of its first alert's transaction (so producer → detector →
    /// Postgres reads as one trace) and linked to the other alerts' traces.
    /// </summary>
    private static Activity? StartBatchActivity(IReadOnlyList<MicroBatch> batches)
    {
        if (!batches.Any(batch => batch.Alerts.Count > 0) || !Tracing.HasListeners())
        {
            return null;
        }

        var contexts = batches.SelectMany(batch => batch.Alerts).Select(alert => KafkaTraceContext.Extract(alert.Source.Message.Headers)).ToList();
        var activity = Tracing.StartActivity(
            ActivityKind.Consumer,
            parentContext: contexts[0],
            tags: [new("messaging.system", "kafka"), new("messaging.batch.message_count", batches.Sum(batch => batch.Messages.Count)), new("fraud.alerts", contexts.Count)],
            links: contexts.Skip(1).Where(context => context != default).Select(context => new ActivityLink(context)),
            name: ProcessSpanName);
        return activity;
    }
}
