namespace Fraud.Simulation;

/// <summary>
/// <c>account_takeover</c>: an attacker has the holder's online credentials and shops with the stored card for days,
/// alongside the holder, at a share of the holder's own pace and with inflated amounts. The attacker uses one device
/// of their own but hides behind a proxy in the holder's country, and often buys at the holder's usual stores.
/// </summary>
/// <remarks>Detectable by: a device new to the user, amounts several times the user's history, a higher daily count
/// than usual; the country looks normal.</remarks>
public sealed class AccountTakeover : FraudScenario
{
    /// <summary>The scenario's label.</summary>
    public const string ScenarioName = "account_takeover";

    /// <inheritdoc />
    public override string Name => ScenarioName;

    /// <summary>Shortest takeover (default 1 day).</summary>
    public TimeSpan MinWindow { get; init; } = TimeSpan.FromDays(1);

    /// <summary>Longest takeover (default 4 days).</summary>
    public TimeSpan MaxWindow { get; init; } = TimeSpan.FromDays(4);

    /// <summary>The attacker's pace as a share of the holder's daily transactions (default 0.5).</summary>
    public double ShareOfActivity { get; init; } = 0.5;

    /// <summary>Fewest fraudulent transactions in a takeover (default 2).</summary>
    public int MinTransactions { get; init; } = 2;

    /// <summary>Smallest multiplier on the holder's typical amount (default 2).</summary>
    public double MinAmountFactor { get; init; } = 2;

    /// <summary>Largest multiplier on the holder's typical amount (default 5).</summary>
    public double MaxAmountFactor { get; init; } = 5;

    /// <summary>Share of purchases at the holder's usual stores rather than high-value ones (default 0.5).</summary>
    public double UsualStoreShare { get; init; } = 0.5;

    internal override TimeSpan LongestEpisode => MaxWindow;

    internal override int Plan(SimulationContext context)
    {
        ref var random = ref context.Random;
        var victim = context.Population.SampleUniform(ref random);
        string device = context.NewDevice();
        long start = context.Now;
        long window = context.Delay(MinWindow, MaxWindow);
        double days = (double)window / SimulationContext.MicrosecondsPerDay;
        int count = Math.Max(MinTransactions, (int)Math.Round(ShareOfActivity * victim.ActivityPerDay * days * random.Between(0.7, 1.3)));
        for (int i = 0; i < count; i++)
        {
            long at = context.InstantWithin(start, start + window);
            int store = random.Chance(UsualStoreShare)
                ? context.Population.UsualStore(victim, random.NextInt(victim.UsualStores))
                : random.Pick(context.World.HighValueOnline);
            decimal amount = SimulationContext.Money((double)context.Purchase(victim) * random.Between(MinAmountFactor, MaxAmountFactor));
            context.Schedule(at, context.Online(string.Empty, victim, store, at, amount, device, victim.HomeCountry), Name);
        }

        return count;
    }
}
