namespace Fraud.Simulation;

/// <summary>
/// <c>large_outlier</c>: a single purchase far above the holder's profile, otherwise ordinary: where the holder is,
/// at a usual shop in person or a usual store online from the holder's own device.
/// </summary>
/// <remarks>Detectable by: the amount alone, against the user's history (z-score, ratio to the mean).</remarks>
public sealed class LargeOutlier : FraudScenario
{
    /// <summary>The scenario's label.</summary>
    public const string ScenarioName = "large_outlier";

    /// <inheritdoc />
    public override string Name => ScenarioName;

    /// <summary>Smallest amount as a multiple of the holder's mean purchase (default 10).</summary>
    public double MinAmountFactor { get; init; } = 10;

    /// <summary>Largest amount as a multiple of the holder's mean purchase (default 30).</summary>
    public double MaxAmountFactor { get; init; } = 30;

    /// <summary>Share of outliers made online rather than in a shop (default 0.5).</summary>
    public double OnlineShare { get; init; } = 0.5;

    internal override TimeSpan LongestEpisode => SimulationContext.LongestLeadIn;

    internal override int Plan(SimulationContext context)
    {
        ref var random = ref context.Random;
        var victim = context.Population.SampleUniform(ref random);
        long at = context.Now + context.Delay(TimeSpan.Zero, SimulationContext.LongestLeadIn);
        decimal amount = SimulationContext.Money(victim.AmountMean * random.Between(MinAmountFactor, MaxAmountFactor));
        var where = context.Population.WhereIs(victim, at);
        var population = context.Population;
        var outlier = where.InTransit || random.Chance(OnlineShare)
            ? context.Online(string.Empty, victim, population.UsualStore(victim, 0), at, amount, population.Device(victim, 0), Cities.All[where.City].Country)
            : context.CardPresent(string.Empty, victim, context.FamiliarShop(victim, where.City, at), at, amount);
        context.Schedule(at, outlier, Name);
        return 1;
    }
}
