namespace Fraud.Simulation;

/// <summary>
/// <c>impossible_travel</c>: a cloned card (skimmed magnetic stripe) is used in person far away, minutes after the
/// holder used the real card where they are. The holder's own purchase is legitimate; the clone's, at a shop or an
/// ATM at least <see cref="MinDistanceKm"/> away, is the fraud.
/// </summary>
/// <remarks>Detectable by: the speed needed between two consecutive card-present transactions of one card
/// (distance over time), far above any flight.</remarks>
public sealed class ImpossibleTravel : FraudScenario
{
    /// <summary>The scenario's label.</summary>
    public const string ScenarioName = "impossible_travel";

    /// <inheritdoc />
    public override string Name => ScenarioName;

    /// <summary>Shortest time between the holder's purchase and the clone's use (default 5 minutes).</summary>
    public TimeSpan MinDelay { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Longest time between the holder's purchase and the clone's use (default 50 minutes).</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromMinutes(50);

    /// <summary>Least distance between the two places (default 1,500 km: over 1,800 km/h at the longest delay).</summary>
    public double MinDistanceKm { get; init; } = 1500;

    /// <summary>Share of clones used at an ATM rather than in a shop (default 0.4).</summary>
    public double AtmShare { get; init; } = 0.4;

    /// <summary>Largest clone purchase as a multiple of the holder's mean (default 4; the smallest is 1).</summary>
    public double MaxAmountFactor { get; init; } = 4;

    internal override TimeSpan LongestEpisode => SimulationContext.LongestLeadIn + MaxDelay;

    internal override int Plan(SimulationContext context)
    {
        ref var random = ref context.Random;
        long ownAt = context.Now + context.Delay(TimeSpan.Zero, SimulationContext.LongestLeadIn);
        var victim = context.Population.SampleOnTheGround(ref random, ownAt);
        int here = context.Population.WhereIs(victim, ownAt).City;
        int ownShop = context.FamiliarShop(victim, here, ownAt);
        context.Schedule(ownAt, context.CardPresent(string.Empty, victim, ownShop, ownAt, context.Purchase(victim)), scenario: null);

        int there = FarCity(context, victim.HomeCountry, Cities.All[here]);
        long cloneAt = ownAt + context.Delay(MinDelay, MaxDelay);
        var clone = random.Chance(AtmShare)
            ? context.CardPresent(string.Empty, victim, random.Pick(context.World.AtmsIn(there)), cloneAt, context.Cash(victim))
            : context.CardPresent(string.Empty, victim, context.AnyShop(there, cloneAt), cloneAt,
                SimulationContext.Money(victim.AmountMean * random.Between(1, MaxAmountFactor)));
        context.Schedule(cloneAt, clone, Name);
        return 1;
    }

    private int FarCity(SimulationContext context, string homeCountry, City from)
    {
        // Most fraud origins are on other continents; retry the few that are close.
        while (true)
        {
            int city = context.World.PickFraudOrigin(ref context.Random, homeCountry);
            if (Cities.DistanceKm(from.Lat, from.Lon, Cities.All[city].Lat, Cities.All[city].Lon) >= MinDistanceKm)
            {
                return city;
            }
        }
    }
}
