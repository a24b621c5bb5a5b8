using Fraud.Core;
using Fraud.Core.Features;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Fraud.Detector.Sampling;

/// <summary>
/// Keeps training data from real traffic: every decided transaction's feature vector is offered to an
/// <see cref="HourlyReservoir"/> (K = <see cref="DetectorOptions.TrainingSamplePerHour"/> per event-time hour), and
/// after each durable batch the slots that changed are upserted into <c>training_samples</c> under this instance's
/// <c>source</c>. Hours past <see cref="DetectorOptions.TrainingSampleRetention"/> (before the newest hour seen) are
/// deleted at most once per <see cref="DetectorOptions.TrainingSampleCleanupInterval"/>. Best effort, like the Redis
/// checkpoint: a failed write is logged and counted, its slots stay pending for the next batch, and detection never
/// waits for it beyond a short timeout. Used by the consume loop's thread only.
/// </summary>
internal sealed class TrainingSampler
{
    /// <summary>Event-time hours kept in memory: enough for partitions a few hours apart in event time.</summary>
    public const int OpenHours = 4;

    private static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(5);

    private readonly HourlyReservoir? _reservoir;
    private readonly TrainingSampleStore _store;
    private readonly DetectorMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<TrainingSampler> _logger;
    private readonly TimeSpan _retention;
    private readonly TimeSpan _cleanupInterval;
    private DateTimeOffset _lastCleanup = DateTimeOffset.MinValue;

    public TrainingSampler(IOptions<DetectorOptions> options, TrainingSampleStore store, DetectorMetrics metrics, TimeProvider time, ILogger<TrainingSampler> logger)
    {
        var settings = options.Value;
        Source = string.IsNullOrWhiteSpace(settings.InstanceId) ? $"{Environment.MachineName}-{Environment.ProcessId}" : settings.InstanceId;
        _reservoir = settings.TrainingSamplePerHour > 0 ? new HourlyReservoir(settings.TrainingSamplePerHour, OpenHours, Random.Shared.Next()) : null;
        _retention = settings.TrainingSampleRetention;
        _cleanupInterval = settings.TrainingSampleCleanupInterval;
        _store = store;
        _metrics = metrics;
        _time = time;
        _logger = logger;
    }

    /// <summary>This instance's <c>training_samples.source</c>.</summary>
    public string Source { get; }

    /// <summary>Offers a decided transaction's full feature vector; copied only if its hour's reservoir takes it.</summary>
    public void Offer(Transaction transaction, ReadOnlySpan<float> features) => _reservoir?.Offer(transaction, features);

    /// <summary>Upserts the slots changed since the last write, and deletes old hours when due. Never throws for a database failure.</summary>
    public async Task WriteAsync(CancellationToken cancellationToken)
    {
        if (_reservoir?.NewestHour is not { } newest)
        {
            return;
        }

        var now = _time.GetUtcNow();
        DateTimeOffset? deleteBefore = now - _lastCleanup >= _cleanupInterval ? newest - _retention : null;
        if (_reservoir.ChangedCount == 0 && deleteBefore is null)
        {
            return;
        }

        var changed = _reservoir.DrainChanged();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(WriteTimeout);
        try
        {
            await _store.UpsertAsync(Source, changed, deleteBefore, timeout.Token);
            _metrics.TrainingSamplesWritten(changed.Count);
            if (deleteBefore is not null)
            {
                _lastCleanup = now;
            }
        }
        catch (Exception exception) when (exception is NpgsqlException or TimeoutException
            || (exception is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            _reservoir.Requeue(changed);
            _metrics.SinkFailed("training_samples");
            _logger.LogWarning("Training samples not written ({Count} slots kept for the next batch): {Reason}", changed.Count, exception.Message);
        }
    }
}
