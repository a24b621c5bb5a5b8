using Confluent.Kafka;
using Fraud.Core;
using Fraud.Messaging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Fraud.Api.Labels;

/// <summary>
/// Stores the simulator's labels (<see cref="ApiOptions.LabelsTopic"/>) in <c>labels</c>, in batches, for the
/// classifier's training. Its own consumer group (<see cref="GroupId"/>: every label is stored once, whichever API
/// replica reads it); offsets are committed only after the batch is stored, and the upsert is idempotent, so a replay
/// is harmless. An invalid message is logged, counted (<see cref="LabelsMetrics"/>) and skipped, never retried forever.
/// </summary>
internal sealed class LabelsConsumer(
    KafkaClientFactory kafka, LabelStore store, LabelsMetrics metrics, IOptions<ApiOptions> options, ILogger<LabelsConsumer> logger) : BackgroundService
{
    public const string GroupId = "fraud-api-labels";
    private const int MaxBatch = 1_000;
    private static readonly TimeSpan BatchWindow = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(10);

    // Consume() blocks, so the reader gets its own thread instead of a pool thread.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        string.IsNullOrWhiteSpace(options.Value.LabelsTopic)
            ? Task.CompletedTask
            : Task.Factory.StartNew(() => Read(options.Value.LabelsTopic, stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Read(string topic, CancellationToken stoppingToken)
    {
        using var consumer = kafka.CreateConsumerBuilder<Ignore, byte[]>(GroupId).Build();
        consumer.Subscribe(topic);
        logger.LogInformation("Storing labels from {Topic}", topic);
        var batch = new List<Label>(MaxBatch);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (Fill(consumer, batch, topic, stoppingToken) is null)
                {
                    continue;
                }

                StoreUntilDone(batch, stoppingToken);
                batch.Clear();
                try
                {
                    consumer.Commit();
                }
                catch (KafkaException ex)
                {
                    // E.g. a rebalance took the partitions: whoever gets them replays, and the upsert absorbs it.
                    logger.LogWarning("Committing {Topic} offsets failed: {Reason}", topic, ex.Error.Reason);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            consumer.Close();
        }
    }

    /// <summary>Reads up to <see cref="MaxBatch"/> labels or for <see cref="BatchWindow"/>, storing each offset for the next commit.</summary>
    /// <returns>The last message read, or null when none was.</returns>
    private ConsumeResult<Ignore, byte[]>? Fill(IConsumer<Ignore, byte[]> consumer, List<Label> batch, string topic, CancellationToken stoppingToken)
    {
        ConsumeResult<Ignore, byte[]>? last = null;
        var deadline = DateTime.UtcNow + BatchWindow;
        while (batch.Count < MaxBatch && DateTime.UtcNow < deadline)
        {
            ConsumeResult<Ignore, byte[]>? result;
            try
            {
                // Never a negative timeout: librdkafka would read it as "wait forever".
                result = consumer.Consume(TimeSpan.FromTicks(Math.Max(0, (deadline - DateTime.UtcNow).Ticks)));
            }
            catch (ConsumeException ex) when (!ex.Error.IsFatal)
            {
                logger.LogWarning("Reading {Topic} failed: {Reason}", topic, ex.Error.Reason);
                continue;
            }

            stoppingToken.ThrowIfCancellationRequested();
            if (result is not { IsPartitionEOF: false, Message: not null })
            {
                continue;
            }

            last = result;
            consumer.StoreOffset(result);
            if (LabelJson.TryParse(result.Message.Value, out var label, out var error))
            {
                batch.Add(label);
            }
            else
            {
                metrics.Invalid(1);
                logger.LogWarning("Skipped an invalid label at {Partition}@{Offset}: {Error}", result.Partition.Value, result.Offset.Value, error);
            }
        }

        return last;
    }

    /// <summary>Postgres is the point: retry with backoff until the batch is stored (or the API stops), never skip it.</summary>
    private void StoreUntilDone(List<Label> batch, CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.FromMilliseconds(200);
        while (true)
        {
            try
            {
                store.UpsertSimulatorAsync(batch, stoppingToken).GetAwaiter().GetResult();
                metrics.Stored(batch.Count);
                return;
            }
            catch (Exception exception) when (exception is NpgsqlException or TimeoutException)
            {
                logger.LogWarning("Cannot store {Count} labels, retrying in {Backoff}: {Reason}", batch.Count, backoff, exception.Message);
                stoppingToken.WaitHandle.WaitOne(backoff);
                stoppingToken.ThrowIfCancellationRequested();
                backoff = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, backoff.Ticks * 2));
            }
        }
    }
}
