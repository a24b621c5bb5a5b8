using System.ComponentModel.DataAnnotations;

namespace Fraud.Producer;

/// <summary>Settings under <c>Producer:</c> for the live traffic sent while the system runs.</summary>
public sealed class LiveTrafficOptions
{
    public const string Section = "Producer";

    public bool Enabled { get; set; } = true;
    public string Topic { get; set; } = "transactions.v1";

    /// <summary>Transactions per second.</summary>
    [Range(0.1, 1_000_000)]
    public double Rate { get; set; } = 20;

    [Range(1, 10_000_000)]
    public int Users { get; set; } = 5_000;

    /// <summary>Share of transactions with an outsized amount, so the running system shows alerts.</summary>
    [Range(0.0, 1.0)]
    public double OutlierShare { get; set; } = 0.01;

    /// <summary>Fixes the random sequence; unset means a different sequence each start.</summary>
    public int? Seed { get; set; }
}
