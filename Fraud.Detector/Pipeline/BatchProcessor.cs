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
/// Makes a micro-batch durable, up to (not including) the offset commit: parse → restore users from their
/// checkpoint → merchant risk for the batch's day → decide with the same <see cref="DecisionEngine"/> as the offline
/// <c>score</c> → dead letters → alerts (Postgres, Redis, alerts topic) → count the transactions at their merchants →
/// checkpoint the users it touched. Every decision is offered to the
/// training sample, which writes on its own. Owns the engine and its feature state, so it is used by the consume
/// loop's thread only.
/// </summary>
internal sealed class BatchProcessor(
    DetectionProfileSource profiles,
    UserStateCheckpoint checkpoint,
    AlertSink alertSink,
    DeadLetterPublisher deadLetters,
    TrainingSampler sampler,
    DetectorMetrics metrics,
    MerchantRiskSource merchantRisk,
    MerchantCountStore merchantCounts,
    Retry retry,
    SinkHealth health,
    TimeProvider time,
    IOptions<DetectorOptions> options,
    ILogger<BatchProcessor> logger)
{
    private static readonly ActivitySource Tracing = new(DetectorMetrics.MeterName);
    private static readonly string ProcessSpanName = $"{Topics.Transactions.Name} process";

    // Restored users whose checkpoint is ahead of the committed offset: their transactions up to that position were
    // decided (and their alerts stored) before a crash, so a replay must not fold them in again.
    private readonly Dictionary<long, StatePosition> _checkpointedUpTo = [];
    private readonly List<(Transaction Transaction, ConsumeResult<string?, byte[]> Source)> _valid = [];
    private readonly List<MerchantVisit> _visits = [];
    private DetectionProfile? _profile;
    private DecisionEngine? _engine;

    public async Task ProcessAsync(MicroBatch batch, CancellationToken cancellationToken)
    {
        long stage = Stopwatch.GetTimestamp();
        Parse(batch);
        stage = metrics.BatchStage("parse", stage);
        var engine = await CurrentEngineAsync(cancellationToken);
        stage = Stopwatch.GetTimestamp();
        await RestoreAsync(engine, cancellationToken);
        stage = metrics.BatchStage("restore", stage);
        Decide(engine, batch);
        stage = metrics.BatchStage("decide", stage);

        using var activity = StartBatchActivity(batch);
        await deadLetters.PublishAsync(batch.DeadLetters, cancellationToken);
        stage = metrics.BatchStage("dead_letters", stage);
        await alertSink.WriteAsync(batch.Alerts, cancellationToken);
        var durableAt = time.GetUtcNow();
        stage = metrics.BatchStage("alerts", stage);
        await CountAtMerchantsAsync(cancellationToken);
        stage = metrics.BatchStage("merchant_counts", stage);
        await CheckpointAsync(engine, batch);
        metrics.BatchStage("checkpoint", stage);

        foreach (var message in batch.Messages)
        {
            metrics.EndToEnd(durableAt - message.Message.Timestamp.UtcDateTime);
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

    /// <summary>
    /// Counts every parsed transaction at its merchant, the replayed ones included: the store counts each offset once,
    /// whoever decided it. Retried until done, since the offsets are committed after it.
    /// </summary>
    private async Task CountAtMerchantsAsync(CancellationToken cancellationToken)
    {
        _visits.Clear();
        foreach (var (transaction, source) in _valid)
        {
            if (transaction.MerchantId is { } merchantId)
            {
                _visits.Add(MerchantVisit.Of(source.Partition.Value, source.Offset.Value, merchantId, transaction.Ts));
            }
        }

        int counted = await retry.UntilSuccessAsync(
            "merchant_counts", () => merchantCounts.CountAsync(options.Value.TransactionsTopic, _visits, cancellationToken), cancellationToken);
        metrics.MerchantVisitsCounted(counted);
    }

    private void Parse(MicroBatch batch)
    {
        _valid.Clear();
        foreach (var message in batch.Messages)
        {
            if (TransactionJson.TryParse(message.Message.Value, out var transaction, out var error))
            {
                _valid.Add((transaction, message));
            }
            else
            {
                batch.DeadLetters.Add(new DeadLetter(message, error));
            }
        }
    }

    private async Task RestoreAsync(DecisionEngine engine, CancellationToken cancellationToken)
    {
        var missing = _valid.Select(entry => entry.Transaction.UserId).Where(userId => !engine.Features.Contains(userId)).Distinct().ToList();
        if (missing.Count == 0)
        {
            return;
        }

        RedisValue[] values;
        try
        {
            values = await checkpoint.LoadAsync(missing).WaitAsync(cancellationToken);
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
            batch.Touched[transaction.UserId] = new StatePosition(source.Partition.Value, source.Offset.Value);
            if (alert is not null)
            {
                batch.Alerts.Add(new BatchAlert(alert, transaction.MerchantId, engine.LastFeatures.ToArray(), source));
            }
        }
    }

    /// <summary>
    /// One span per batch write, in the trace of its first alert's transaction (so producer → detector → Postgres
    /// reads as one trace) and linked to the other alerts' traces.
    /// </summary>
    private static Activity? StartBatchActivity(MicroBatch batch)
    {
        if (batch.Alerts.Count == 0 || !Tracing.HasListeners())
        {
            return null;
        }

        var contexts = batch.Alerts.Select(alert => KafkaTraceContext.Extract(alert.Source.Message.Headers)).ToList();
        var activity = Tracing.StartActivity(
            ActivityKind.Consumer,
            parentContext: contexts[0],
            tags: [new("messaging.system", "kafka"), new("messaging.batch.message_count", batch.Messages.Count), new("fraud.alerts", batch.Alerts.Count)],
            links: contexts.Skip(1).Where(context => context != default).Select(context => new ActivityLink(context)),
            name: ProcessSpanName);
        return activity;
    }

    private async Task CheckpointAsync(DecisionEngine engine, MicroBatch batch)
    {
        if (batch.Touched.Count == 0)
        {
            return;
        }

        try
        {
            await checkpoint.SaveAsync(engine.Features, batch.Touched);
            health.Succeeded("redis");
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            // The state stays in memory; only a restart before Redis returns would lose these users' latest history.
            metrics.SinkFailed("state");
            health.Failed("redis", exception.Message);
            logger.LogWarning("Redis unavailable, {Count} users not checkpointed: {Reason}", batch.Touched.Count, exception.Message);
        }
    }
}
