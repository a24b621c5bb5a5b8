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
        Scenarios = ScenariosOf(report),
        CardsPerDay = report.CardsPerDay,
        SkippedLines = skippedLines,
    };

    public static Dictionary<string, MetricsJson> ScenariosOf(EvaluationReport report) =>
        report.Scenarios.ToDictionary(scenario => scenario.Key, scenario => MetricsJson.From(scenario.Value), StringComparer.Ordinal);
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

    /// <summary>The change from <paramref name="active"/> to <paramref name="candidate"/>; null where either is undefined.</summary>
    public static MetricsJson Delta(MetricSet active, MetricSet candidate) => new()
    {
        Transactions = candidate.Transactions - active.Transactions,
        Frauds = candidate.Frauds - active.Frauds,
        Alerts = candidate.Alerts - active.Alerts,
        RocAuc = Defined(candidate.RocAuc - active.RocAuc),
        AveragePrecision = Defined(candidate.AveragePrecision - active.AveragePrecision),
        Precision = Defined(candidate.Precision - active.Precision),
        Recall = Defined(candidate.Recall - active.Recall),
        CardPrecisionAtK = (active.CardPrecisionAtK, candidate.CardPrecisionAtK) is ({ } before, { } after) ? Defined(after - before) : null,
    };

    private static double? Defined(double value) => double.IsNaN(value) ? null : Math.Round(value, 6);
}

/// <summary>
/// The <c>backtest --json</c> report: each side's figures as <c>evaluate --json</c> gives them, and the change from
/// the active detector to the candidate.
/// </summary>
internal sealed class BacktestJson
{
    public required BacktestSideJson Active { get; init; }

    public required BacktestSideJson Candidate { get; init; }

    public required BacktestDeltaJson Delta { get; init; }

    public required int CardsPerDay { get; init; }

    public required long SkippedLines { get; init; }
}

/// <summary>One detector of a backtest: what it is made of and its figures.</summary>
internal sealed class BacktestSideJson
{
    public string? ModelVersion { get; init; }

    public string? RulesVersion { get; init; }

    public string? ClassifierVersion { get; init; }

    public required double AlertThreshold { get; init; }

    public required MetricsJson Overall { get; init; }

    public required Dictionary<string, MetricsJson> Scenarios { get; init; }
}

/// <summary>Candidate minus active, overall and per scenario.</summary>
internal sealed class BacktestDeltaJson
{
    public required MetricsJson Overall { get; init; }

    public required Dictionary<string, MetricsJson> Scenarios { get; init; }
}
