namespace Fraud.Core.Alerting;

/// <summary>When the anomaly-rate alarm fires and clears.</summary>
/// <param name="FireAbove">Fires when the rate rises above this (0–1).</param>
/// <param name="ClearBelow">Clears when the rate falls below this; lower than <paramref name="FireAbove"/> (hysteresis),
/// so a rate hovering around the limit does not flap.</param>
/// <param name="MinTransactions">Below this many transactions in the window the rate means little: the alarm holds its state.</param>
/// <param name="Cooldown">The least time between two changes of state, so one incident gives one "firing" and one "resolved".</param>
public sealed record AlarmThresholds(double FireAbove, double ClearBelow, long MinTransactions, TimeSpan Cooldown)
{
    /// <returns>What is wrong with the thresholds, or null.</returns>
    public string? Validate() =>
        FireAbove is <= 0 or > 1 ? $"the limit must be in (0, 1]; got {FireAbove}"
        : ClearBelow < 0 || ClearBelow > FireAbove ? $"the clear level must be in [0, limit {FireAbove}]; got {ClearBelow}"
        : MinTransactions < 1 ? $"the minimum of transactions must be at least 1; got {MinTransactions}"
        : Cooldown < TimeSpan.Zero ? $"the cool-down must not be negative; got {Cooldown}"
        : null;
}

/// <summary>The alarm's state.</summary>
public enum AlarmState
{
    /// <summary>No incident.</summary>
    Ok,

    /// <summary>An incident: the rate went above the limit and has not yet fallen below the clear level.</summary>
    Firing,
}

/// <summary>A change of the alarm's state: what to notify.</summary>
public sealed record AlarmTransition(AlarmState To, WindowCounts Counts, DateTimeOffset At, DateTimeOffset? FiringSince);

/// <summary>
/// The anomaly-rate alarm: a two-state machine with hysteresis and a cool-down. From <see cref="AlarmState.Ok"/> it
/// fires when the rate exceeds <see cref="AlarmThresholds.FireAbove"/>; from <see cref="AlarmState.Firing"/> it
/// resolves when the rate falls below <see cref="AlarmThresholds.ClearBelow"/>. Either change waits until
/// <see cref="AlarmThresholds.Cooldown"/> has passed since the previous one (the condition must still hold then).
/// A window with too few transactions changes nothing.
/// </summary>
public sealed class AnomalyAlarm(AlarmThresholds thresholds)
{
    private DateTimeOffset? _changedAt;

    /// <summary>The current state (Ok at start).</summary>
    public AlarmState State { get; private set; } = AlarmState.Ok;

    /// <summary>When the current incident started (null while Ok).</summary>
    public DateTimeOffset? FiringSince { get; private set; }

    /// <returns>The transition to notify, or null when the state stays.</returns>
    public AlarmTransition? Evaluate(WindowCounts counts, DateTimeOffset now)
    {
        if (counts.Transactions < thresholds.MinTransactions || counts.Rate is not { } rate)
        {
            return null;
        }
        if (_changedAt is { } changedAt && now - changedAt < thresholds.Cooldown)
        {
            return null;
        }

        switch (State)
        {
            case AlarmState.Ok when rate > thresholds.FireAbove:
                State = AlarmState.Firing;
                FiringSince = now;
                _changedAt = now;
                return new AlarmTransition(AlarmState.Firing, counts, now, now);
            case AlarmState.Firing when rate < thresholds.ClearBelow:
                var since = FiringSince;
                State = AlarmState.Ok;
                FiringSince = null;
                _changedAt = now;
                return new AlarmTransition(AlarmState.Ok, counts, now, since);
            default:
                return null;
        }
    }
}
