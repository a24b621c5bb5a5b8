using Confluent.Kafka;
using Fraud.Messaging;
using Microsoft.Extensions.Options;

namespace Fraud.Detector.Pipeline;

/// <summary>
/// The detector's consume loop: consume into a micro-batch (bounded by size and time, closed early when nothing more
/// is waiting) → decided as it closes → <see cref="BatchProcessor"/> makes closed batches durable while the next ones
/// are decided → the base commits. Offsets are committed only after the batches' dead letters, alerts and user
/// checkpoints are durable, so a crash replays rather than loses; the sinks are idempotent, so a replay does not
/// duplicate. Thread, polling, overlap, commits and rebalances: <see cref="KafkaConsumerService{TKey,TValue}"/>.
/// </summary>
internal sealed class TransactionConsumer(
    KafkaClientFactory kafka,
    BatchProcessor processor,
    DetectorMetrics metrics,
    IOptions<DetectorOptions> options,
    TimeProvider time,
    ILogger<TransactionConsumer> logger) : KafkaConsumerService<string?, byte[]>(kafka, logger, time)
{
    private static readonly TimeSpan PartitionsReportInterval = TimeSpan.FromSeconds(1);
    private MicroBatch _open = new();
    private readonly List<MicroBatch> _closed = [];
    private DateTimeOffset _partitionsReportedAt;

    protected override ConsumerPlacement Placement { get; } = ConsumerPlacement.Group(options.Value.GroupId, options.Value.TransactionsTopic);

    // A quiet stream gets per-message latency, a busy one batches as large as it needs.
    protected override Batching Batching { get; } = new(options.Value.BatchSize, options.Value.BatchMaxWait, CloseWhenIdle: true);

    protected override Overlap Overlap { get; } = new(options.Value.MaxBatchesInFlight, options.Value.CheckpointInterval);

    protected override void Handle(ConsumeResult<string?, byte[]> message) => _open.Messages.Add(message);

    protected override void Close()
    {
        metrics.BatchStage("fill", Time.GetUtcNow() - HeldSince!.Value);
        processor.Decide(_open);
        _closed.Add(_open);
        _open = new MicroBatch();
    }

    protected override Task FlushAsync(CancellationToken cancellationToken)
    {
        List<MicroBatch> batches = [.. _closed];
        _closed.Clear();
        return PersistAsync(batches, cancellationToken);
    }

    private async Task PersistAsync(List<MicroBatch> batches, CancellationToken cancellationToken)
    {
        await processor.PersistAsync(batches, cancellationToken);
        foreach (var batch in batches)
        {
            Report(batch);
        }
    }

    protected override void CaptureForCommit() => processor.CaptureCheckpoints();

    protected override Task BeforeCommitAsync(CancellationToken cancellationToken) => processor.BeforeCommitAsync(cancellationToken);

    private void Report(MicroBatch batch)
    {
        metrics.Batch(batch.Messages.Count);
        metrics.Processed(batch.Processed);
        foreach (var deadLetter in batch.DeadLetters)
        {
            metrics.DeadLettered(deadLetter.Field);
            Logger.LogWarning("Dead-lettered {Topic}[{Partition}]@{Offset}: {Reason}",
                deadLetter.Source.Topic, deadLetter.Source.Partition.Value, deadLetter.Source.Offset.Value, deadLetter.Reason);
        }

        foreach (var rule in batch.Alerts.SelectMany(alert => alert.Alert.Rules))
        {
            metrics.AlertRaised(rule);
        }
    }

    protected override void OnCommitted(TimeSpan committing) => metrics.BatchStage("commit", committing);

    protected override void Abandon()
    {
        _open = new MicroBatch();
        _closed.Clear();
        processor.Abandon();
    }

    // Their users may now be decided elsewhere: forget them (they come back from their checkpoint).
    protected override void OnPartitionsGone(PartitionsGone how, int partitions)
    {
        processor.ForgetUsers();
        metrics.PartitionsReleased(how == PartitionsGone.Lost ? "lost" : "revoked", partitions);
    }

    protected override void OnPoll(IConsumer<string?, byte[]> consumer) => ReportPartitions(consumer);

    /// <summary>The partitions assigned, and the messages behind each one's high watermark (as last seen by the fetcher), once a second.</summary>
    private void ReportPartitions(IConsumer<string?, byte[]> consumer)
    {
        var now = Time.GetUtcNow();
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
}
