using System.Diagnostics;
using Confluent.Kafka;
using Fraud.Messaging;
using Microsoft.Extensions.Options;

namespace Fraud.Detector.Pipeline;

/// <summary>
/// The consume loop: consume into a micro-batch (bounded by size and time, closed early when nothing more is waiting) → <see cref="BatchProcessor"/> makes it
/// durable → commit. Offsets are committed only after the batch's dead letters and alerts are durable, so a crash
/// replays rather than loses; the sinks are idempotent, so a replay does not duplicate.
/// </summary>
internal sealed class TransactionConsumer(
    KafkaClientFactory kafka,
    BatchProcessor processor,
    DetectorMetrics metrics,
    IOptions<DetectorOptions> options,
    TimeProvider time,
    ILogger<TransactionConsumer> logger) : BackgroundService
{
    private static readonly TimeSpan ShutdownFlushTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan PartitionsReportInterval = TimeSpan.FromSeconds(1);
    private readonly DetectorOptions _options = options.Value;
    private static readonly TimeSpan CommitRetryInterval = TimeSpan.FromSeconds(1);
    private readonly MicroBatch _batch = new();

    // Offsets whose batch is durable but whose commit failed (e.g. during a rebalance that left us the partition):
    // retried while idle, so a quiet partition does not keep an old commit, and a restart does not replay it.
    private readonly Dictionary<TopicPartition, TopicPartitionOffset> _uncommitted = [];
    private DateTimeOffset _commitRetriedAt;
    private DateTimeOffset _partitionsReportedAt;

    // Consume() blocks, so the loop gets its own thread instead of a pool thread.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => RunAsync(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        using var consumer = kafka.CreateConsumerBuilder<string?, byte[]>(_options.GroupId)
            // Before partitions move to another consumer, finish and commit what we hold; their users may now be
            // decided elsewhere, so forget them (they come back from their checkpoint).
            .SetPartitionsRevokedHandler((c, _) =>
            {
                FlushAsync(c, stoppingToken).GetAwaiter().GetResult();
                _uncommitted.Clear();   // no longer ours: the new owner replays from the last commit
                processor.ForgetUsers();
            })
            // Lost (e.g. the session timed out): someone else may already own them; the batch cannot be committed.
            .SetPartitionsLostHandler((_, lost) =>
            {
                logger.LogWarning("Lost {Count} partitions; {Messages} uncommitted messages will be replayed by their new owner", lost.Count, _batch.Messages.Count);
                _batch.Clear();
                _uncommitted.Clear();
                processor.ForgetUsers();
            })
            .Build();
        consumer.Subscribe(_options.TransactionsTopic);
        logger.LogInformation("Consuming {Topic} in group {Group}", _options.TransactionsTopic, _options.GroupId);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var result = Consume(consumer);
                if (result is { IsPartitionEOF: false })
                {
                    _batch.Add(result, time.GetUtcNow());
                }

                // A batch closes when it is full, when it has waited long enough, or as soon as nothing more is
                // waiting: a quiet stream gets per-message latency, a busy one gets batches as large as it needs.
                if (!_batch.IsEmpty && (result is null || _batch.Messages.Count >= _options.BatchSize || time.GetUtcNow() - _batch.OpenedAt >= _options.BatchMaxWait))
                {
                    await FlushAsync(consumer, stoppingToken);
                }
                else if (result is null && _uncommitted.Count > 0 && time.GetUtcNow() - _commitRetriedAt >= CommitRetryInterval)
                {
                    CommitPending(consumer);
                }

                ReportPartitions(consumer);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            await FlushOnShutdownAsync(consumer);
            consumer.Close();
        }
    }

    private ConsumeResult<string?, byte[]>? Consume(IConsumer<string?, byte[]> consumer)
    {
        try
        {
            // With a batch open, only take what the client has already fetched.
            return consumer.Consume(_batch.IsEmpty ? TimeSpan.FromMilliseconds(500) : TimeSpan.Zero);
        }
        catch (ConsumeException ex) when (!ex.Error.IsFatal)
        {
            // E.g. the broker went away: librdkafka reconnects by itself; keep polling.
            logger.LogWarning("Consume failed: {Reason}", ex.Error.Reason);
            return null;
        }
    }

    private async Task FlushAsync(IConsumer<string?, byte[]> consumer, CancellationToken cancellationToken)
    {
        if (_batch.IsEmpty)
        {
            return;
        }

        if (_batch.OpenedAt is { } openedAt)
        {
            metrics.BatchStage("fill", time.GetUtcNow() - openedAt);
        }

        await processor.ProcessAsync(_batch, cancellationToken);
        long committing = Stopwatch.GetTimestamp();
        Commit(consumer);
        metrics.BatchStage("commit", committing);

        metrics.Batch(_batch.Messages.Count);
        metrics.Processed(_batch.Processed);
        foreach (var deadLetter in _batch.DeadLetters)
        {
            metrics.DeadLettered(deadLetter.Field);
            logger.LogWarning("Dead-lettered {Topic}[{Partition}]@{Offset}: {Reason}",
                deadLetter.Source.Topic, deadLetter.Source.Partition.Value, deadLetter.Source.Offset.Value, deadLetter.Reason);
        }

        foreach (var rule in _batch.Alerts.SelectMany(alert => alert.Alert.Rules))
        {
            metrics.AlertRaised(rule);
        }

        _batch.Clear();
    }

    private void Commit(IConsumer<string?, byte[]> consumer)
    {
        foreach (var offset in _batch.OffsetsToCommit())
        {
            _uncommitted[offset.TopicPartition] = offset;   // batches go in order: a later offset replaces an earlier one
        }

        CommitPending(consumer);
    }

    /// <summary>Commits the durable offsets not committed yet, of the partitions this consumer still owns.</summary>
    private void CommitPending(IConsumer<string?, byte[]> consumer)
    {
        _commitRetriedAt = time.GetUtcNow();
        var offsets = _uncommitted.Values.Where(offset => consumer.Assignment.Contains(offset.TopicPartition)).ToList();
        try
        {
            if (offsets.Count > 0)
            {
                consumer.Commit(offsets);
            }

            _uncommitted.Clear();
        }
        catch (KafkaException ex)
        {
            // Typically a rebalance in progress. If it takes the partitions, their new owner replays from the last
            // commit (the checkpoints skip what was already folded in, the idempotent sinks absorb the rest); if it
            // leaves them here, the commit is retried once the loop is idle.
            logger.LogWarning("Offset commit failed, retrying while idle unless the partitions move: {Reason}", ex.Error.Reason);
        }
    }

    /// <summary>The partitions assigned, and the messages behind each one's high watermark (as last seen by the fetcher), once a second.</summary>
    private void ReportPartitions(IConsumer<string?, byte[]> consumer)
    {
        var now = time.GetUtcNow();
        if (now - _partitionsReportedAt < PartitionsReportInterval)
        {
            return;
        }

        _partitionsReportedAt = now;
        var lag = new Dictionary<(string Topic, int Partition), long>();
        foreach (var partition in consumer.Assignment)
        {
            var watermarks = consumer.GetWatermarkOffsets(partition);
            var position = consumer.Position(partition);
            if (watermarks.High != Offset.Unset && position != Offset.Unset)
            {
                lag[(partition.Topic, partition.Partition.Value)] = Math.Max(0, watermarks.High.Value - position.Value);
            }
        }

        metrics.PartitionsAssigned(consumer.Assignment.Count);
        metrics.Lag(lag);
    }

    private async Task FlushOnShutdownAsync(IConsumer<string?, byte[]> consumer)
    {
        using var timeout = new CancellationTokenSource(ShutdownFlushTimeout);
        try
        {
            await FlushAsync(consumer, timeout.Token);
        }
        catch (OperationCanceledException)
        {
            logger.LogWarning("Shutting down with an unflushed batch of {Count} messages; they will be replayed", _batch.Messages.Count);
        }

        if (_uncommitted.Count > 0)
        {
            CommitPending(consumer);
        }
    }
}
