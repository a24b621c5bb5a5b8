using Fraud.Simulation;

namespace Fraud.UnitTests.Simulation;

/// <summary>Live traffic begins with the simulated stretch before now that holds the wanted number of transactions.</summary>
public sealed class BackfillTests
{
    // A Thursday. In the population's local time (UTC+1): 13:00 is the lunch peak, 04:00 the dead of night.
    private static readonly DateTimeOffset Noon = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Night = new(2026, 12, 3, 3, 0, 0, TimeSpan.Zero);

    [Fact]
    public void No_transactions_means_no_backfill()
    {
        Assert.Equal(Noon, Backfill.StartFor(Noon, 50, 0));
    }

    [Fact]
    public void The_backfill_holds_the_wanted_transactions_by_the_daily_rhythm()
    {
        foreach (var now in new[] { Noon, Night, Noon.AddMinutes(17.5) })
        {
            var start = Backfill.StartFor(now, 50, 30_000);

            Assert.InRange(ExpectedTransactions(start, now, 50), 29_999, 30_001);
        }
    }

    [Fact]
    public void A_backfill_at_night_reaches_further_back_than_one_at_noon()
    {
        var atNoon = Noon - Backfill.StartFor(Noon, 50, 30_000);
        var atNight = Night - Backfill.StartFor(Night, 50, 30_000);

        Assert.InRange(atNoon, TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(10));
        Assert.True(atNight > 4 * atNoon, $"night {atNight}, noon {atNoon}");
    }

    [Fact]
    public void A_backfill_never_reaches_back_more_than_a_day()
    {
        Assert.Equal(Noon - Backfill.MaxSpan, Backfill.StartFor(Noon, 0.01, 100_000));
    }

    [Fact]
    public void The_simulator_started_there_sends_about_that_many_transactions_before_now_in_event_time_order()
    {
        var now = Noon.AddSeconds(0.123456);
        var options = new SimulationOptions { Users = SimulationOptions.UsersFor(50), Seed = 3 };
        var simulator = new TransactionSimulator(options with { Start = Backfill.StartFor(now, options.MeanTransactionsPerSecond, 5_000) });

        int before = 0;
        var previous = DateTimeOffset.MinValue;
        for (var next = simulator.Next(); next.Transaction.Ts < now; next = simulator.Next())
        {
            Assert.True(next.Transaction.Ts >= previous, "event times never go backwards");
            previous = next.Transaction.Ts;
            before++;
        }

        // Poisson: 5,000 expected (plus 0.75% fraud), standard deviation about 71.
        Assert.InRange(before, 4_700, 5_350);
    }

    /// <summary>Integrates the rhythm second by second: an independent check of the plan's exact walk over hours.</summary>
    private static double ExpectedTransactions(DateTimeOffset from, DateTimeOffset to, double perSecond)
    {
        double expected = 0;
        for (var at = from; at < to;)
        {
            var hourEnd = new DateTimeOffset(at.Year, at.Month, at.Day, at.Hour, 0, 0, TimeSpan.Zero).AddHours(1);
            var next = new[] { at.AddSeconds(1), hourEnd, to }.Min();
            expected += perSecond * (next - at).TotalSeconds * DailyRhythm.At(SimulationContext.ToMicroseconds(at));
            at = next;
        }

        return expected;
    }
}
