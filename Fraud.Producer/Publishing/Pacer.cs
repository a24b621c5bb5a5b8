namespace Fraud.Producer.Publishing;

/// <summary>
/// Holds messages back to a pace: as fast as possible, a fixed number per second, or the event clock (each
/// transaction sent when the wall clock reaches its event time, compressed by a speed-up factor).
/// </summary>
internal sealed class Pacer
{
    // Sleeping for less than this costs more than it paces; such small leads are caught up by the next wait.
    private static readonly TimeSpan MinimumWait = TimeSpan.FromMilliseconds(2);

    private readonly TimeProvider _time;
    private readonly Func<long, DateTimeOffset, TimeSpan>? _dueAfterStart;
    private long? _started;

    private Pacer(TimeProvider time, Func<long, DateTimeOffset, TimeSpan>? dueAfterStart)
    {
        _time = time;
        _dueAfterStart = dueAfterStart;
    }

    /// <summary>No waiting at all.</summary>
    public static Pacer Unpaced { get; } = new(TimeProvider.System, dueAfterStart: null);

    /// <summary><paramref name="perSecond"/> messages per second; 0 means as fast as possible.</summary>
    public static Pacer PerSecond(double perSecond, TimeProvider time) =>
        perSecond > 0 ? new(time, (sequence, _) => TimeSpan.FromSeconds(sequence / perSecond)) : Unpaced;

    /// <summary>Event time runs <paramref name="speedup"/> times faster than the wall clock from <paramref name="eventStart"/>.</summary>
    public static Pacer EventClock(double speedup, DateTimeOffset eventStart, TimeProvider time) =>
        new(time, (_, eventTime) => (eventTime - eventStart) / speedup);

    /// <summary>Waits until message number <paramref name="sequence"/> (from 0), of event time <paramref name="eventTime"/>, is due.</summary>
    /// <returns>A task that completes when it is due, or is cancelled with <paramref name="cancellationToken"/>.</returns>
    public Task WaitAsync(long sequence, DateTimeOffset eventTime, CancellationToken cancellationToken)
    {
        if (_dueAfterStart is null)
        {
            return Task.CompletedTask;
        }

        // The clock starts with the first message, not at construction: connecting to the broker is not pacing.
        _started ??= _time.GetTimestamp();
        var wait = _dueAfterStart(sequence, eventTime) - _time.GetElapsedTime(_started.Value);
        return wait >= MinimumWait ? Task.Delay(wait, _time, cancellationToken) : Task.CompletedTask;
    }
}
