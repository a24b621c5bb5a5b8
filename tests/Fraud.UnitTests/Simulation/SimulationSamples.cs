using Fraud.Simulation;

namespace Fraud.UnitTests.Simulation;

/// <summary>Simulated runs shared by the simulation tests: generated once, read by many.</summary>
internal static class SimulationSamples
{
    /// <summary>
    /// A long run of a small population with a high fraud rate: 200,000 transactions over about two months, about 200
    /// per user, 6,000 fraudulent. Long enough that scenarios lasting days are rarely cut off at the end, and every
    /// user has a history to compare fraud with.
    /// </summary>
    public static readonly SimulationOptions LongRunOptions = new() { Seed = 11, Users = 1_000, FraudRate = 0.03 };

    private static readonly Lazy<IReadOnlyList<SimulatedTransaction>> LongRunSample = new(() => Generate(LongRunOptions, 200_000));

    private static readonly Lazy<IReadOnlyList<SimulatedTransaction>> DefaultSample = new(() => Generate(new SimulationOptions(), 50_000));

    public static IReadOnlyList<SimulatedTransaction> LongRun => LongRunSample.Value;

    /// <summary>The first 50,000 transactions with every option at its default.</summary>
    public static IReadOnlyList<SimulatedTransaction> Defaults => DefaultSample.Value;

    public static List<SimulatedTransaction> Generate(SimulationOptions options, int count)
    {
        var simulator = new TransactionSimulator(options);
        var transactions = new List<SimulatedTransaction>(count);
        for (int i = 0; i < count; i++)
        {
            transactions.Add(simulator.Next());
        }

        return transactions;
    }
}
