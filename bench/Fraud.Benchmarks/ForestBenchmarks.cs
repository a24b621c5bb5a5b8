using BenchmarkDotNet.Attributes;
using Fraud.Core.Detection.Forest;

namespace Fraud.Benchmarks;

/// <summary>Scoring one row with a 100-tree forest (ψ = 256) fitted on 100,000 transaction-like rows of 20 features.</summary>
[MemoryDiagnoser]
[MedianColumn]
public class ForestScoringBenchmarks
{
    private float[] _rows = [];
    private IsolationForest _forest = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _rows = TransactionLikeRows.Generate(100_000, seed: 1);
        _forest = IsolationForest.Fit(_rows, TransactionLikeRows.Names, new IsolationForestOptions(), "bench");
    }

    /// <summary>One row per call, cycling through 1,024 different training rows.</summary>
    [Benchmark]
    public double ScoreSample()
    {
        var d = TransactionLikeRows.Names.Length;
        return _forest.ScoreSample(_rows.AsSpan((_next++ & 1023) * d, d));
    }
}

/// <summary>
/// Fitting 100 trees (ψ = 256) on transaction-like rows of 20 features: "auto" contamination grows the trees only;
/// a contamination share also scores every training row (in parallel) for the offset quantile.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 10)]
public class ForestFitBenchmarks
{
    private float[] _rows = [];

    /// <summary>Training rows.</summary>
    [Params(100_000, 1_000_000)]
    public int Rows { get; set; }

    [GlobalSetup]
    public void Setup() => _rows = TransactionLikeRows.Generate(Rows, seed: 2);

    [Benchmark]
    public IsolationForest FitAuto() =>
        IsolationForest.Fit(_rows, TransactionLikeRows.Names, new IsolationForestOptions(), "bench");

    [Benchmark]
    public IsolationForest FitContamination() =>
        IsolationForest.Fit(_rows, TransactionLikeRows.Names, new IsolationForestOptions { Contamination = 0.01 }, "bench");
}

/// <summary>Rows shaped like per-transaction features: heavy-tailed amounts and gaps, small counts, flags, hour, channel.</summary>
internal static class TransactionLikeRows
{
    public static readonly string[] Names =
    [
        "amount", "amount_z", "amount_ratio", "count_1m", "count_1h", "count_24h", "sum_1m", "sum_1h", "sum_24h",
        "seconds_since_previous", "distance_km", "speed_kmh", "new_country", "new_device", "new_merchant", "hour",
        "weekend", "channel", "high_risk_mcc", "log_user_transactions",
    ];

    public static float[] Generate(int rows, int seed)
    {
        var random = new Random(seed);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        double LogNormal(double mu, double sigma) => Math.Exp(mu + sigma * Normal());
        double Exponential(double mean) => -mean * Math.Log(1 - random.NextDouble());
        float Flag(double p) => random.NextDouble() < p ? 1 : 0;

        var values = new float[rows * Names.Length];
        for (var i = 0; i < rows; i++)
        {
            var amount = LogNormal(3.5, 1.0);
            float[] row =
            [
                (float)amount, (float)Normal(), (float)LogNormal(0, 0.5),
                (float)Math.Floor(Exponential(0.3)), (float)Math.Floor(Exponential(2)), (float)Math.Floor(Exponential(8)),
                (float)(amount * Exponential(0.3)), (float)(amount * Exponential(2)), (float)(amount * Exponential(8)),
                (float)Exponential(3600), (float)Exponential(20), (float)Exponential(30),
                Flag(0.05), Flag(0.1), Flag(0.3), random.Next(24), Flag(2.0 / 7), random.Next(3), Flag(0.05),
                (float)Math.Log(1 + Exponential(200)),
            ];
            row.CopyTo(values.AsSpan(i * Names.Length));
        }
        return values;
    }
}
