namespace Fraud.Core.Alerting;

/// <summary>Exponential backoff: <c>initial × 2^(attempt−1)</c>, capped at <c>max</c>; attempt 1 is the first retry.</summary>
public sealed record RetryBackoff(TimeSpan Initial, TimeSpan Max)
{
    /// <summary>The wait before retry number <paramref name="retry"/> (from 1).</summary>
    public TimeSpan DelayBefore(int retry)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retry, 1);
        var factor = Math.Pow(2, Math.Min(retry - 1, 30)); // 2^30 × any initial ≥ 1 ms is past any sensible cap
        var delay = TimeSpan.FromTicks((long)Math.Min(Initial.Ticks * factor, Max.Ticks));
        return delay < TimeSpan.Zero ? TimeSpan.Zero : delay;
    }
}
