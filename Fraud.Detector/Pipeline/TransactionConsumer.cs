using Confluent.Kafka;
using Fraud.Messaging;
using Microsoft.Extensions.Options;

namespace Fraud.Detector.Pipeline;

/// <summary>
/// The detector's consume loop: consume into a micro-batch (bounded by size and time, closed early when nothing more
/// is waiting) → <see cref="BatchProcessor"/> makes it durable → the base commits. Offsets are committed only after
/// the batch's dead letters and alerts are durable, so a crash replays rather than loses; the sinks are idempotent, so
/// a replay does not duplicate. Thread, polling, commits and rebalances: <see cref="KafkaConsumerService{TKey,TValue}"/>.
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
    private readonly MicroBatch _batch = new();
    private DateTimeOffset _partitionsReportedAt;

    protected override ConsumerPlacement Placement { get; } = ConsumerPlacement.Group(options.Value.GroupId, options.Value.TransactionsTopic);

    // A quiet stream gets per-message latency, a busy one batches as large as it needs.
    protected override Batching Batching { get; } = new(options.Value.BatchSize, options.Value.BatchMaxWait, CloseWhenIdle: true);

    protected override void Handle(ConsumeResult<string?, byte[]> message) => _batch.Messages.Add(message);

    protected override Task FlushAsync(CancellationToken cancellationToken)
    {
        metrics.BatchStage("fill", Time.GetUtcNow() - HeldSince!.Value);
        return processor.ProcessAsync(_batch, cancellationToken);
    }

    protected override void OnFlushed(TimeSpan committing)
    {
        metrics.BatchStage("commit", committing);
        metrics.Batch(_batch.Messages.Count);
        metrics.Processed(_batch.Processed);
        foreach (var deadLetter in _batch.DeadLetters)
        {
            metrics.DeadLettered(deadLetter.Field);
            Logger.LogWarning("Dead-lettered {Topic}[{Partition}]@{Offset}: {Reason}",
                deadLetter.Source.Topic, deadLetter.Source.Partition.Value, deadLetter.Source.Offset.Value, deadLetter.Reason);
        }

        foreach (var rule in _batch.Alerts.SelectMany(alert => alert.Alert.Rules))
        {
            metrics.AlertRaised(rule);
        }

        _batch.Clear();
    }

    protected override void Abandon() => _batch.Clear();

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
