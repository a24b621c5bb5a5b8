using Fraud.Core;
using Fraud.Core.Features;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Fraud.Detector.Sampling;

/// <summary>
/// Keeps training data from real traffic: every decided transaction's feature vector is offered to an
/// <see cref="HourlyReservoir"/> (K = <see cref="DetectorOptions.TrainingSamplePerHour"/> per event-time hour), and
/// once a second the slots that changed are upserted into <c>training_samples</c> under this instance's
/// <c>source</c>. Hours past <see cref="DetectorOptions.TrainingSampleRetention"/> (before the newest hour seen) are
/// deleted at most once per <see cref="DetectorOptions.TrainingSampleCleanupInterval"/>. Best effort, like the Redis
/// checkpoint: a failed write is logged and counted and its slots stay pending for the next one.
/// <para>
/// The writes run on their own loop, never in the consume loop's way: a write per micro-batch cost the batch a
/// Postgres round trip (about 5 ms of a 20 ms batch at 5,000 tx/s), and once a second the same rows go in fewer,
/// larger statements. The consume loop offers under a lock that a write holds only to take the changed slots.
/// </para>
/// </summary>
internal sealed class TrainingSampler : BackgroundService
{
    private static readonly TimeSpan WriteInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(5);

    private readonly HourlyReservoir? _reservoir;
    private readonly Lock _reservoirLock = new();
    private readonly TrainingSampleStore _store;
    private readonly DetectorMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<TrainingSampler> _logger;
    private readonly TimeSpan _retention;
    private readonly TimeSpan _cleanupInterval;
    private DateTimeOffset _lastCleanup = DateTimeOffset.MinValue;
    // Each write's slots; filled again by the next write once this one succeeded.
    private ReservoirSamples _changed = new();

    public TrainingSampler(IOptions<DetectorOptions> options, TrainingSampleStore store, DetectorMetrics metrics, TimeProvider time, ILogger<TrainingSampler> logger)
    {
        var settings = options.Value;
        Source = string.IsNullOrWhiteSpace(settings.InstanceId) ? $"{Environment.MachineName}-{Environment.ProcessId}" : settings.InstanceId;
        _reservoir = settings.TrainingSamplePerHour > 0 ? new HourlyReservoir(settings.TrainingSamplePerHour, settings.TrainingSampleOpenHours, Random.Shared.Next()) : null;
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
    public void Offer(Transaction transaction, ReadOnlySpan<float> features)
    {
        if (_reservoir is null)
        {
            return;
        }

        lock (_reservoirLock)
        {
            _reservoir.Offer(transaction, features);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_reservoir is null)
        {
            return;
        }

        using var timer = new PeriodicTimer(WriteInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await WriteAsync(_reservoir, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        // The last second's changes, on the way out.
        await WriteAsync(_reservoir, CancellationToken.None);
    }

    /// <summary>Upserts the slots changed since the last write, and deletes old hours when due. Never throws for a database failure.</summary>
    private async Task WriteAsync(HourlyReservoir reservoir, CancellationToken cancellationToken)
    {
        var changed = _changed;
        DateTimeOffset? deleteBefore;
        var now = _time.GetUtcNow();
        lock (_reservoirLock)
        {
            if (reservoir.NewestHour is not { } newest)
            {
                return;
            }

            deleteBefore = now - _lastCleanup >= _cleanupInterval ? newest - _retention : null;
            if (reservoir.ChangedCount == 0 && deleteBefore is null)
            {
                return;
            }

            reservoir.DrainChanged(changed);
        }

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
        catch (Exception exception) when (exception is NpgsqlException or TimeoutException or OperationCanceledException)
        {
            lock (_reservoirLock)
            {
                reservoir.Requeue(changed);
            }

            _changed = new ReservoirSamples();   // a statement given up may still be reading that one

            _metrics.SinkFailed("training_samples");
            _logger.LogWarning("Training samples not written ({Count} slots kept for the next write): {Reason}", changed.Count, exception.Message);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }
}
