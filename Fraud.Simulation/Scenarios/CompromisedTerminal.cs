namespace Fraud.Simulation;

/// <summary>
/// <c>compromised_terminal</c>: a shop's card reader is tampered with; every transaction at it is fraudulent for a
/// window of days. The terminal keeps its usual pace (several card-present purchases a day, following the daily
/// rhythm) from card holders living in its city, at their usual amounts; the shop's regulars are elsewhere meanwhile.
/// </summary>
/// <remarks>Detectable by: the terminal, not the card: a terminal whose recent transactions were confirmed as fraud
/// (analyst feedback), holders who never shopped there before. Nothing in a single transaction stands out.</remarks>
public sealed class CompromisedTerminal : FraudScenario
{
    /// <summary>The scenario's label.</summary>
    public const string ScenarioName = "compromised_terminal";

    /// <inheritdoc />
    public override string Name => ScenarioName;

    /// <summary>Shortest compromise (default 1 day).</summary>
    public TimeSpan MinWindow { get; init; } = TimeSpan.FromDays(1);

    /// <summary>Longest compromise (default 5 days).</summary>
    public TimeSpan MaxWindow { get; init; } = TimeSpan.FromDays(5);

    /// <summary>Fewest transactions at the terminal per day (default 4).</summary>
    public double MinPerDay { get; init; } = 4;

    /// <summary>Most transactions at the terminal per day (default 12).</summary>
    public double MaxPerDay { get; init; } = 12;

    internal override TimeSpan LongestEpisode => MaxWindow;

    internal override int Plan(SimulationContext context)
    {
        ref var random = ref context.Random;
        long start = context.Now;
        // Skimmers go where card holders are: a shop in a city weighted by residents.
        int city = context.World.PickHome(ref random);
        int terminal = context.AnyShop(city, start);
        long window = context.Delay(MinWindow, MaxWindow);
        long end = start + window;
        context.Compromise(terminal, end);

        int count = Math.Max(1, (int)Math.Round((double)window / SimulationContext.MicrosecondsPerDay * random.Between(MinPerDay, MaxPerDay)));
        for (int i = 0; i < count; i++)
        {
            long at = context.InstantWithin(start, end);
            // Card holders at home: a holder abroad paying here would look like impossible travel, which this is not.
            var holder = context.Population.SampleResidentPresent(ref random, city, at);
            context.Schedule(at, context.CardPresent(string.Empty, holder, terminal, at, context.Purchase(holder)), Name);
        }

        return count;
    }
}
