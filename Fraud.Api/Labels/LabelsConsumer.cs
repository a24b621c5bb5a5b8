using Confluent.Kafka;
using Fraud.Core;
using Fraud.Messaging;
using Microsoft.Extensions.Options;
using Npgsql;
using Polly;
using Polly.Retry;

namespace Fraud.Api.Labels;

/// <summary>
/// Stores the simulator's labels (<see cref="ApiOptions.LabelsTopic"/>) in <c>labels</c>, in batches, for the
/// classifier's training. Its own consumer group (<see cref="GroupId"/>: every label is stored once, whichever API
/// replica reads it); offsets are committed only after the batch is stored, and the upsert is idempotent, so a replay
/// is harmless. An invalid message is logged, counted (<see cref="LabelsMetrics"/>) and skipped, never retried forever.
/// </summary>
internal sealed class LabelsConsumer(
    KafkaClientFactory kafka, LabelStore store, LabelsMetrics metrics, IOptions<ApiOptions> options, ILogger<LabelsConsumer> logger)
    : KafkaConsumerService<Ignore, byte[]>(kafka, logger)
{
    public const string GroupId = "fraud-api-labels";
    private readonly List<Label> _batch = [];

    protected override bool Enabled => !string.IsNullOrWhiteSpace(options.Value.LabelsTopic);

    protected override ConsumerPlacement Placement { get; } = ConsumerPlacement.Group(GroupId, options.Value.LabelsTopic);

    protected override Batching Batching { get; } = new(MaxMessages: 1_000, MaxWait: TimeSpan.FromMilliseconds(200), CloseWhenIdle: false);

    protected override void Handle(ConsumeResult<Ignore, byte[]> message)
    {
        if (LabelJson.TryParse(message.Message.Value, out var label, out var error))
        {
            _batch.Add(label);
        }
        else
        {
            metrics.Invalid(1);
            Logger.LogWarning("Skipped an invalid label at {Partition}@{Offset}: {Error}", message.Partition.Value, message.Offset.Value, error);
        }
    }

    /// <summary>Postgres is the point: retried with backoff until the batch is stored (or the loop gives it up), never skipped.</summary>
    protected override async Task FlushAsync(CancellationToken cancellationToken)
    {
        await StoreRetry.ExecuteAsync(async token => await store.UpsertSimulatorAsync(_batch, token), cancellationToken);
        metrics.Stored(_batch.Count);
    }

    protected override void OnFlushed() => _batch.Clear();

    protected override void Abandon() => _batch.Clear();

    private ResiliencePipeline StoreRetry => field ??= new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<NpgsqlException>().Handle<TimeoutException>(),
            MaxRetryAttempts = int.MaxValue,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromMilliseconds(200),
            MaxDelay = TimeSpan.FromSeconds(10),
            OnRetry = retry =>
            {
                Logger.LogWarning("Cannot store {Count} labels, retrying in {Backoff}: {Reason}", _batch.Count, retry.RetryDelay, retry.Outcome.Exception!.Message);
                return default;
            },
        })
        .Build();
}
