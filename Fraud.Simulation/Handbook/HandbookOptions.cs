using System.Globalization;

namespace Fraud.Simulation.Handbook;

/// <summary>
/// What a run of the handbook world is made of. The defaults are the dataset of the Fraud Detection Handbook
/// (Le Borgne et al., chapter 3, "Transaction data simulator"): 5,000 customers and 10,000 terminals from
/// 2018-04-01. The same options, seed included, always give the same transactions.
/// </summary>
public sealed record HandbookOptions
{
    /// <summary>The handbook's first day, 2018-04-01 at midnight UTC.</summary>
    public static readonly DateTimeOffset DefaultStart = new(2018, 4, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The handbook's number of customers.</summary>
    public const int DefaultCustomers = 5_000;

    /// <summary>The handbook's number of terminals.</summary>
    public const int DefaultTerminals = 10_000;

    /// <summary>
    /// Each customer keeps the terminals within reach in memory, about 0.8% of all terminals (π·5² of the
    /// 100×100 grid): this bounds customers × terminals, so that list stays within about 60 MB.
    /// </summary>
    public const long MaxCustomerTerminalPairs = 2_000_000_000;

    /// <summary>Fixes every random choice; also part of every <c>tx_id</c> (<c>tx_{seed}_{sequence}</c>). Not negative.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>How many customers (card holders, ids 0..Customers-1; 1 to 1,000,000).</summary>
    public int Customers { get; init; } = DefaultCustomers;

    /// <summary>How many terminals (ids <c>t_000000</c>..; 1 to 1,000,000).</summary>
    public int Terminals { get; init; } = DefaultTerminals;

    /// <summary>The start of the first simulated day; days are counted from here.</summary>
    public DateTimeOffset Start { get; init; } = DefaultStart;

    /// <summary>The first option out of range, as <c>"&lt;option&gt;: &lt;reason&gt;"</c>; null when all are valid.</summary>
    /// <returns>The problem, or null.</returns>
    public string? Validate() => this switch
    {
        { Seed: < 0 } => "seed: must not be negative",
        { Customers: < 1 or > 1_000_000 } => "customers: must be between 1 and 1,000,000",
        { Terminals: < 1 or > 1_000_000 } => "terminals: must be between 1 and 1,000,000",
        _ when (long)Customers * Terminals > MaxCustomerTerminalPairs =>
            string.Create(CultureInfo.InvariantCulture, $"terminals: at most {MaxCustomerTerminalPairs / Customers:N0} with {Customers:N0} customers (each keeps the terminals within its reach in memory)"),
        _ when Start < DateTimeOffset.UnixEpoch || Start.Year >= 9000 => "start: must be between 1970 and 9000",
        _ => null,
    };
}
