using Fraud.Core.Evaluation;

namespace Fraud.Detector.Offline;

/// <summary>The <c>evaluate --json</c> report: undefined figures (no frauds, no alerts) are null.</summary>
internal sealed class EvaluationJson
{
    public required MetricsJson Overall { get; init; }

    public required Dictionary<string, MetricsJson> Scenarios { get; init; }

    public required int CardsPerDay { get; init; }

    public required long SkippedLines { get; init; }

    public static EvaluationJson From(EvaluationReport report, long skippedLines) => new()
    {
        Overall = MetricsJson.From(report.Overall),
        Scenarios = report.Scenarios.ToDictionary(scenario => scenario.Key, scenario => MetricsJson.From(scenario.Value), StringComparer.Ordinal),
        CardsPerDay = report.CardsPerDay,
        SkippedLines = skippedLines,
    };
}

/// <summary>One population's figures in the JSON report.</summary>
internal sealed class MetricsJson
{
    public int Transactions { get; init; }

    public int Frauds { get; init; }

    public int Alerts { get; init; }

    public double? RocAuc { get; init; }

    public double? AveragePrecision { get; init; }

    public double? Precision { get; init; }

    public double? Recall { get; init; }

    public double? CardPrecisionAtK { get; init; }

    public static MetricsJson From(MetricSet metrics) => new()
    {
        Transactions = metrics.Transactions,
        Frauds = metrics.Frauds,
        Alerts = metrics.Alerts,
        RocAuc = Defined(metrics.RocAuc),
        AveragePrecision = Defined(metrics.AveragePrecision),
        Precision = Defined(metrics.Precision),
        Recall = Defined(metrics.Recall),
        CardPrecisionAtK = metrics.CardPrecisionAtK is { } value ? Defined(value) : null,
    };

    private static double? Defined(double value) => double.IsNaN(value) ? null : Math.Round(value, 6);
}
