using Fraud.Simulation;
using Fraud.Simulation.Handbook;

namespace Fraud.UnitTests.Simulation;

/// <summary>One transaction of a handbook run, with what the tests need beside it: its day (from the start) and second of that day.</summary>
internal sealed record HandbookRow(SimulatedTransaction Simulated, int Day, int Second)
{
    public int Customer => (int)Simulated.Transaction.UserId;

    public int Terminal => int.Parse(Simulated.Transaction.MerchantId!.AsSpan(2), System.Globalization.CultureInfo.InvariantCulture);

    public decimal Amount => Simulated.Transaction.Amount;

    public string? Scenario => Simulated.Label.Scenario;
}

/// <summary>A small handbook world run for whole days, shared by the handbook tests: generated once, read by many.</summary>
internal static class HandbookSamples
{
    /// <summary>
    /// 1,000 customers and 2,000 terminals (the handbook's ratio of 1 to 2, at a fifth of its size) for 60 days:
    /// about 115,000 transactions, and about 180 card and 120 terminal compromises whose windows end inside the run.
    /// </summary>
    public static readonly HandbookOptions SmallWorld = new() { Seed = 7, Customers = 1_000, Terminals = 2_000 };

    public const int SmallWorldDays = 60;

    private static readonly Lazy<(HandbookSimulator Simulator, IReadOnlyList<HandbookRow> Rows)> Small = new(() => Run(SmallWorld, SmallWorldDays));

    /// <summary>The simulator of <see cref="Rows"/>, for its world and its compromise schedule.</summary>
    public static HandbookSimulator Simulator => Small.Value.Simulator;

    public static IReadOnlyList<HandbookRow> Rows => Small.Value.Rows;

    private static (HandbookSimulator, IReadOnlyList<HandbookRow>) Run(HandbookOptions options, int days)
    {
        var simulator = new HandbookSimulator(options);
        var end = options.Start.AddDays(days);
        var rows = new List<HandbookRow>();
        for (var next = simulator.Next(); next.Transaction.Ts < end; next = simulator.Next())
        {
            var sinceStart = next.Transaction.Ts - options.Start;
            rows.Add(new HandbookRow(next, sinceStart.Days, (int)(sinceStart - TimeSpan.FromDays(sinceStart.Days)).TotalSeconds));
        }

        return (simulator, rows);
    }
}
