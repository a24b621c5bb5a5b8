namespace Fraud.UnitTests.Simulation;

/// <summary>Card use follows the day and the week, in the population's local time (UTC+1).</summary>
public sealed class DailyRhythmTests
{
    private static readonly TimeSpan LocalOffset = TimeSpan.FromHours(1);

    [Fact]
    public void Daytime_hours_are_several_times_busier_than_night_hours()
    {
        var perHour = new long[24];
        foreach (var (transaction, _) in SimulationSamples.LongRun)
        {
            perHour[transaction.Ts.ToOffset(LocalOffset).Hour]++;
        }

        double day = perHour[10..20].Average();
        double night = perHour[1..5].Average();

        Assert.True(day > 4 * night, $"day {day:F0} per hour, night {night:F0} per hour");
    }

    [Fact]
    public void Sundays_are_quieter_than_weekdays()
    {
        var perDay = SimulationSamples.LongRun
            .GroupBy(t => t.Transaction.Ts.ToOffset(LocalOffset).Date)
            .Skip(1).SkipLast(1) // whole days only
            .ToDictionary(day => day.Key, day => day.Count());

        double sunday = perDay.Where(d => d.Key.DayOfWeek == DayOfWeek.Sunday).Average(d => d.Value);
        double weekday = perDay.Where(d => d.Key.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday)).Average(d => d.Value);

        Assert.True(sunday < 0.8 * weekday, $"Sunday {sunday:F0}, weekday {weekday:F0}");
    }
}
