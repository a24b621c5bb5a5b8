using System.ComponentModel.DataAnnotations;

namespace Fraud.Detector;

/// <summary>Settings under <c>Detector:</c>.</summary>
public sealed class DetectorOptions
{
    public const string Section = "Detector";

    public string GroupId { get; set; } = "fraud-detector";
    public string TransactionsTopic { get; set; } = "transactions.v1";
    public string DeadLetterTopic { get; set; } = "transactions.v1.dlq";
    public string AlertsTopic { get; set; } = "alerts.v1";

    /// <summary>Alert on amounts above this (the skeleton's only rule).</summary>
    [Range(typeof(decimal), "0.01", "1000000000")]
    public decimal AmountThreshold { get; set; } = 1000m;

    /// <summary>A micro-batch closes at this many messages…</summary>
    [Range(1, 100_000)]
    public int BatchSize { get; set; } = 500;

    /// <summary>…or this long after its first message, whichever comes first.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:01:00")]
    public TimeSpan BatchMaxWait { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How long the Redis dedup key <c>fraud:{tx_id}</c> lives.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "365.00:00:00")]
    public TimeSpan DedupTtl { get; set; } = TimeSpan.FromDays(7);
}
