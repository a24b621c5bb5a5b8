namespace Fraud.Simulation;

/// <summary>
/// <c>card_testing</c>: a fraudster checks that a stolen card number works with a burst of tiny online payments
/// (digital goods, donations, subscriptions) seconds apart, then cashes out with one large purchase minutes later.
/// All from the fraudster's device, usually from abroad.
/// </summary>
/// <remarks>Detectable by: many transactions within minutes, tiny amounts at many distinct stores, a new device,
/// then a jump to an amount far above the user's history.</remarks>
public sealed class CardTesting : FraudScenario
{
    /// <summary>The scenario's label.</summary>
    public const string ScenarioName = "card_testing";

    /// <inheritdoc />
    public override string Name => ScenarioName;

    /// <summary>Fewest test payments (default 3).</summary>
    public int MinTests { get; init; } = 3;

    /// <summary>Most test payments (default 12).</summary>
    public int MaxTests { get; init; } = 12;

    /// <summary>Smallest test amount (default 0.50 EUR).</summary>
    public double MinTestAmount { get; init; } = 0.5;

    /// <summary>Largest test amount (default 2.99 EUR).</summary>
    public double MaxTestAmount { get; init; } = 2.99;

    /// <summary>Shortest time between test payments (default 5 seconds).</summary>
    public TimeSpan MinTestGap { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest time between test payments (default 90 seconds).</summary>
    public TimeSpan MaxTestGap { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>Shortest wait before the cash-out (default 2 minutes).</summary>
    public TimeSpan MinCashOutDelay { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Longest wait before the cash-out (default 40 minutes).</summary>
    public TimeSpan MaxCashOutDelay { get; init; } = TimeSpan.FromMinutes(40);

    /// <summary>Smallest cash-out amount (default 250 EUR); drawn uniformly on a log scale.</summary>
    public double MinCashOut { get; init; } = 250;

    /// <summary>Largest cash-out amount (default 2500 EUR).</summary>
    public double MaxCashOut { get; init; } = 2500;

    /// <summary>Share of episodes run through a proxy in the holder's own country rather than from abroad (default 0.3).</summary>
    public double HomeCountryShare { get; init; } = 0.3;

    internal override TimeSpan LongestEpisode => (MaxTestGap * MaxTests) + MaxCashOutDelay;

    internal override int Plan(SimulationContext context)
    {
        ref var random = ref context.Random;
        var victim = context.Population.SampleUniform(ref random);
        string country = random.Chance(HomeCountryShare)
            ? victim.HomeCountry
            : Cities.All[context.World.PickFraudOrigin(ref random, victim.HomeCountry)].Country;
        string device = context.NewDevice();
        int tests = random.Between(MinTests, MaxTests);
        long at = context.Now;
        for (int i = 0; i < tests; i++)
        {
            at += context.Delay(MinTestGap, MaxTestGap);
            decimal amount = SimulationContext.Money(random.Between(MinTestAmount, MaxTestAmount));
            int store = random.Pick(context.World.CardTestingOnline);
            context.Schedule(at, context.Online(string.Empty, victim, store, at, amount, device, country), Name);
        }

        at += context.Delay(MinCashOutDelay, MaxCashOutDelay);
        decimal cashOut = SimulationContext.Money(random.LogUniform(MinCashOut, MaxCashOut));
        context.Schedule(at, context.Online(string.Empty, victim, random.Pick(context.World.HighValueOnline), at, cashOut, device, country), Name);
        return tests + 1;
    }
}
