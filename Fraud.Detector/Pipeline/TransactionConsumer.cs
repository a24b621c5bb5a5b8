using Confluent.Kafka;
using Fraud.Core;
using Fraud.Core.Detection;
using Fraud.Detector.Sinks;
using Microsoft.Extensions.Options;

namespace Fraud.Detector.Pipeline;

/// <summary>
/// The consume loop: consume → decide (Core) → sink the micro-batch → commit. Offsets are committed only after
/// the batch's dead letters and alerts are durable, so a crash replays rather than loses; the sinks are
/// idempotent, so a replay does not duplicate.
/// </summary>
internal sealed class TransactionConsumer(
    KafkaClientFactory kafka,
    AmountThresholdDetector detector,
    AlertSink alertSink,
    DeadLetterPublisher deadLetters,
    DetectorMetrics metrics,
    IOptions<DetectorOptions> options,
    TimeProvider time,
    ILogger<TransactionConsumer> logger) : BackgroundService
{
    private static readonly TimeSpan ShutdownFlushTimeout = TimeSpan.FromSeconds(5);
    private readonly DetectorOptions _options = options.Value;
    private readonly MicroBatch _batch = new();

    // Consume() blocks, so the loop gets its own thread instead of a pool thread.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => RunAsync(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        using var consumer = kafka.CreateConsumerBuilder<string?, byte[]>(_options.GroupId)
            // Before partitions move to another consumer, finish and commit what we hold of them.
            .SetPartitionsRevokedHandler((c, _) => FlushAsync(c, stoppingToken).GetAwaiter().GetResult())
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
                    Decide(result);
                }
                if (_batch.Consumed >= _options.BatchSize || (!_batch.IsEmpty && time.GetUtcNow() - _batch.OpenedAt >= _options.BatchMaxWait))
                {
                    await FlushAsync(consumer, stoppingToken);
                }
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
            return consumer.Consume(_batch.IsEmpty ? TimeSpan.FromMilliseconds(500) : _options.BatchMaxWait);
        }
        catch (ConsumeException ex) when (!ex.Error.IsFatal)
        {
            // E.g. the broker went away: librdkafka reconnects by itself; keep polling.
            logger.LogWarning("Consume failed: {Reason}", ex.Error.Reason);
            return null;
        }
    }

    private void Decide(ConsumeResult<string?, byte[]> result)
    {
        var now = time.GetUtcNow();
        _batch.Track(result.TopicPartitionOffset, now);
        if (!TransactionJson.TryParse(result.Message.Value, out var transaction, out var error))
        {
            _batch.DeadLetters.Add(new DeadLetter(result, error));
            return;
        }
        _batch.Processed++;
        if (detector.Evaluate(transaction, now) is { } alert)
        {
            _batch.Alerts.Add(alert);
        }
    }

    private async Task FlushAsync(IConsumer<string?, byte[]> consumer, CancellationToken cancellationToken)
    {
        if (_batch.IsEmpty)
        {
            return;
        }
        await deadLetters.PublishAsync(_batch.DeadLetters, cancellationToken);
        await alertSink.WriteAsync(_batch.Alerts, cancellationToken);
        Commit(consumer);

        metrics.Processed(_batch.Processed);
        foreach (var deadLetter in _batch.DeadLetters)
        {
            metrics.DeadLettered(deadLetter.Field);
            logger.LogWarning("Dead-lettered {Topic}[{Partition}]@{Offset}: {Reason}",
                deadLetter.Source.Topic, deadLetter.Source.Partition.Value, deadLetter.Source.Offset.Value, deadLetter.Reason);
        }
        foreach (var rule in _batch.Alerts.SelectMany(alert => alert.Rules))
        {
            metrics.AlertRaised(rule);
        }
        _batch.Clear();
    }

    private void Commit(IConsumer<string?, byte[]> consumer)
    {
        try
        {
            consumer.Commit(_batch.OffsetsToCommit());
        }
        catch (KafkaException ex)
        {
            // Typically a rebalance took the partitions: their new owner replays from the last commit and the
            // idempotent sinks absorb the repeat.
            logger.LogWarning("Offset commit failed, the batch will be replayed: {Reason}", ex.Error.Reason);
        }
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
            logger.LogWarning("Shutting down with an unflushed batch of {Count} messages; they will be replayed", _batch.Consumed);
        }
    }
}
