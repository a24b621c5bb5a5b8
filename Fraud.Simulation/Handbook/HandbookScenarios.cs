namespace Fraud.Simulation.Handbook;

/// <summary>The handbook's three fraud scenarios, as they appear in labels (<c>scenario</c>).</summary>
public static class HandbookScenarios
{
    /// <summary>Scenario 1: any transaction of more than <see cref="HandbookSimulator.LargeAmountThreshold"/> is fraud.</summary>
    public const string LargeAmount = "large_amount";

    /// <summary>Scenario 2: every transaction at a compromised terminal is fraud, for 28 days.</summary>
    public const string CompromisedTerminal = "compromised_terminal";

    /// <summary>Scenario 3: a third of a compromised customer's transactions over 14 days are five times larger and fraud.</summary>
    public const string CompromisedCard = "compromised_card";

    /// <summary>Every scenario name, in the handbook's order.</summary>
    public static IReadOnlyList<string> Names { get; } = [LargeAmount, CompromisedTerminal, CompromisedCard];
}
