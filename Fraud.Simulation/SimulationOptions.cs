namespace Fraud.Simulation;

/// <summary>What a simulation run is made of. The same options, seed included, always give the same transactions.</summary>
public sealed record SimulationOptions
{
    /// <summary>Where the event clock starts unless told otherwise: a fixed instant, so that runs are reproducible.</summary>
    public static readonly DateTimeOffset DefaultStart = new(2025, 9, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Card holders, ids 1..Users.</summary>
    public const int DefaultUsers = 10_000;

    /// <summary>Merchants (shops, ATMs, online stores) unless told otherwise.</summary>
    public const int DefaultMerchants = 20_000;

    /// <summary>The share of fraudulent transactions unless told otherwise (0.75%).</summary>
    public const double DefaultFraudRate = 0.0075;

    /// <summary>Fixes every random choice; also part of every <c>tx_id</c> (<c>tx_{seed}_{sequence}</c>). Not negative.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>How many card holders (1 to 100,000,000). Together with their habits this sets the traffic per simulated day.</summary>
    public int Users { get; init; } = DefaultUsers;

    /// <summary>How many merchants (shops, ATMs, online stores; 1,000 to 1,000,000).</summary>
    public int Merchants { get; init; } = DefaultMerchants;

    /// <summary>Share of all transactions that are fraudulent, in [0, 0.5].</summary>
    public double FraudRate { get; init; } = DefaultFraudRate;

    /// <summary>How fraud splits between scenarios.</summary>
    public ScenarioMix ScenarioMix { get; init; } = ScenarioMix.Default;

    /// <summary>The event time of the first transaction; the clock only moves forward from here.</summary>
    public DateTimeOffset Start { get; init; } = DefaultStart;

    /// <summary>Everyday transactions per simulated second, averaged over a week (the daily rhythm varies it by hour).</summary>
    public double MeanTransactionsPerSecond => Users * Population.MeanActivity / 86_400;

    /// <summary>How many users make <paramref name="transactionsPerSecond"/> on average, for a clock that runs in real time.</summary>
    /// <param name="transactionsPerSecond">The wanted average rate, above 0.</param>
    /// <returns>The population size (at least 1).</returns>
    public static int UsersFor(double transactionsPerSecond) =>
        (int)Math.Clamp(Math.Round(transactionsPerSecond * 86_400 / Population.MeanActivity), 1, 100_000_000);

    /// <summary>The first option out of range, as <c>"&lt;option&gt;: &lt;reason&gt;"</c>; null when all are valid.</summary>
    /// <returns>The problem, or null.</returns>
    public string? Validate() => this switch
    {
        { Seed: < 0 } => "seed: must not be negative",
        { Users: < 1 or > 100_000_000 } => "users: must be between 1 and 100,000,000",
        { Merchants: < 1_000 or > 1_000_000 } => "merchants: must be between 1,000 and 1,000,000",
        { FraudRate: < 0 or > 0.5 } or { FraudRate: double.NaN } => "fraud-rate: must be between 0 and 0.5",
        _ when Start < DateTimeOffset.UnixEpoch || Start.Year >= 9000 => "start: must be between 1970 and 9000",
        _ => null,
    };
}
