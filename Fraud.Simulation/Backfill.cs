namespace Fraud.Simulation;

/// <summary>
/// Where live traffic's event clock starts so that it begins with recent history: the simulated stretch before
/// "now" that holds a given number of transactions, which a live producer sends at once with their past event times
/// before it follows the wall clock. Without it every card holder starts with no history, and the per-user signals
/// (velocity, amount against history, new device) stay silent until the population has lived a while.
/// </summary>
public static class Backfill
{
    /// <summary>The furthest back a backfill reaches, however slow the traffic.</summary>
    public static readonly TimeSpan MaxSpan = TimeSpan.FromDays(1);

    private const long MicrosecondsPerHour = 3_600 * SimulationContext.MicrosecondsPerSecond;

    /// <summary>
    /// The instant before <paramref name="now"/> from which traffic averaging <paramref name="transactionsPerSecond"/>
    /// over the week is expected to make <paramref name="transactions"/> transactions by <paramref name="now"/>,
    /// following the daily rhythm (so a backfill at night reaches further back than one at noon); at most
    /// <see cref="MaxSpan"/> back.
    /// </summary>
    /// <param name="now">Where the backfill ends and the wall clock takes over.</param>
    /// <param name="transactionsPerSecond">The traffic's weekly average, above 0.</param>
    /// <param name="transactions">How many transactions the backfill should hold; 0 means none (the start is now).</param>
    /// <returns>The event time of the backfill's beginning, whole microseconds.</returns>
    public static DateTimeOffset StartFor(DateTimeOffset now, double transactionsPerSecond, long transactions)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(transactionsPerSecond);
        ArgumentOutOfRangeException.ThrowIfNegative(transactions);

        long end = SimulationContext.ToMicroseconds(now);
        long earliest = end - SimulationContext.ToMicroseconds(MaxSpan);
        double remaining = transactions;
        long cursor = end;
        while (remaining > 0 && cursor > earliest)
        {
            // The rhythm is constant within an hour: take the stretch back to the start of the hour before the
            // cursor whole, or only the part of it that holds what remains.
            long from = Math.Max((cursor - 1) / MicrosecondsPerHour * MicrosecondsPerHour, earliest);
            double perMicrosecond = transactionsPerSecond * DailyRhythm.At(from) / SimulationContext.MicrosecondsPerSecond;
            double inStretch = perMicrosecond * (cursor - from);
            if (inStretch >= remaining)
            {
                return SimulationContext.ToTimestamp(cursor - (long)Math.Ceiling(remaining / perMicrosecond));
            }

            remaining -= inStretch;
            cursor = from;
        }

        return SimulationContext.ToTimestamp(cursor);
    }
}
