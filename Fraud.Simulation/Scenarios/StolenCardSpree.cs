namespace Fraud.Simulation;

/// <summary>
/// <c>stolen_card</c>: card details stolen (phishing, a breached shop) are spent online from abroad. A spree of
/// several high-value purchases minutes apart, from a device the card holder never used, located in a country that
/// is not theirs, at stores selling electronics, jewellery, travel or gift cards. The holder's own traffic goes on.
/// </summary>
/// <remarks>Detectable by: a new device, a foreign country for card-not-present, amounts far above the user's
/// history, several purchases within an hour, unusual categories.</remarks>
public sealed class StolenCardSpree : FraudScenario
{
    /// <summary>The scenario's label.</summary>
    public const string ScenarioName = "stolen_card";

    /// <inheritdoc />
    public override string Name => ScenarioName;

    /// <summary>Fewest purchases in a spree (default 3).</summary>
    public int MinTransactions { get; init; } = 3;

    /// <summary>Most purchases in a spree (default 8).</summary>
    public int MaxTransactions { get; init; } = 8;

    /// <summary>Shortest time between two purchases (default 2 minutes).</summary>
    public TimeSpan MinGap { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Longest time between two purchases (default 25 minutes).</summary>
    public TimeSpan MaxGap { get; init; } = TimeSpan.FromMinutes(25);

    /// <summary>Smallest amount as a multiple of the holder's mean purchase (default 3).</summary>
    public double MinAmountFactor { get; init; } = 3;

    /// <summary>Largest amount as a multiple of the holder's mean purchase (default 12).</summary>
    public double MaxAmountFactor { get; init; } = 12;

    /// <summary>Floor on every amount (default 80 EUR): a frugal holder's card still buys something worth reselling.</summary>
    public decimal MinAmount { get; init; } = 80m;

    internal override TimeSpan LongestEpisode => MaxGap * MaxTransactions;

    internal override int Plan(SimulationContext context)
    {
        ref var random = ref context.Random;
        var victim = context.Population.SampleUniform(ref random);
        string country = Cities.All[context.World.PickFraudOrigin(ref random, victim.HomeCountry)].Country;
        string device = context.NewDevice();
        int count = random.Between(MinTransactions, MaxTransactions);
        long at = context.Now;
        for (int i = 0; i < count; i++)
        {
            at += context.Delay(MinGap, MaxGap);
            decimal amount = Math.Max(MinAmount, SimulationContext.Money(victim.AmountMean * random.Between(MinAmountFactor, MaxAmountFactor)));
            int store = random.Pick(context.World.HighValueOnline);
            context.Schedule(at, context.Online(string.Empty, victim, store, at, amount, device, country), Name);
        }

        return count;
    }
}
