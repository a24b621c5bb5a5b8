namespace Fraud.Core.Evaluation;

/// <summary>One transaction as the evaluation sees it: the detector's output joined with its label.</summary>
/// <param name="Risk">The detector's risk, higher is riskier.</param>
/// <param name="Alert">Whether the detector alerted.</param>
/// <param name="IsFraud">The label.</param>
/// <param name="Scenario">The fraud scenario of a fraudulent transaction, when the label names one.</param>
/// <param name="Card">Its user and UTC day, when known; card precision needs them.</param>
public sealed record EvaluatedTransaction(double Risk, bool Alert, bool IsFraud, string? Scenario = null, CardAndDay? Card = null);

/// <summary>The user (card) and UTC day of a transaction.</summary>
/// <param name="UserId">The user.</param>
/// <param name="Day">The UTC day.</param>
public readonly record struct CardAndDay(long UserId, DateOnly Day)
{
    /// <summary>The user and UTC day of <paramref name="transaction"/>.</summary>
    /// <param name="transaction">The transaction.</param>
    /// <returns>Its card and day.</returns>
    public static CardAndDay Of(Transaction transaction) => new(transaction.UserId, DateOnly.FromDateTime(transaction.Ts.UtcDateTime));
}

/// <summary>The metrics of one population of transactions.</summary>
/// <param name="Transactions">How many transactions.</param>
/// <param name="Frauds">How many of them are fraudulent.</param>
/// <param name="Alerts">How many the detector alerted on.</param>
/// <param name="RocAuc">ROC-AUC of the risk; NaN without both classes.</param>
/// <param name="AveragePrecision">Average precision of the risk; NaN without frauds.</param>
/// <param name="Precision">Precision of the alert flag; NaN without alerts.</param>
/// <param name="Recall">Recall of the alert flag; NaN without frauds.</param>
/// <param name="CardPrecisionAtK">Card precision top-k per day; null when a transaction lacks its user or day.</param>
public sealed record MetricSet(
    int Transactions,
    int Frauds,
    int Alerts,
    double RocAuc,
    double AveragePrecision,
    double Precision,
    double Recall,
    double? CardPrecisionAtK);

/// <summary>Metrics over every transaction, and per fraud scenario.</summary>
/// <param name="Overall">Over every transaction.</param>
/// <param name="Scenarios">Per scenario, by name: the legitimate transactions plus that scenario's frauds.</param>
/// <param name="CardsPerDay">The k of card precision top-k.</param>
public sealed record EvaluationReport(MetricSet Overall, IReadOnlyList<KeyValuePair<string, MetricSet>> Scenarios, int CardsPerDay);

/// <summary>Computes an <see cref="EvaluationReport"/> from labelled detector output.</summary>
public static class DetectionEvaluation
{
    /// <summary>The scenario name given to a fraudulent transaction whose label names none.</summary>
    public const string UnnamedScenario = "(unnamed)";

    /// <summary>
    /// Evaluates overall and per scenario. A scenario's population is every legitimate transaction plus that
    /// scenario's frauds, so its figures read as "if this were the only kind of fraud".
    /// </summary>
    /// <param name="transactions">The detector's output joined with labels.</param>
    /// <param name="cardsPerDay">The k of card precision top-k.</param>
    /// <returns>The report; scenarios ordered by name.</returns>
    public static EvaluationReport Evaluate(IReadOnlyList<EvaluatedTransaction> transactions, int cardsPerDay = CardPrecision.DefaultCardsPerDay)
    {
        var scenarios = transactions
            .Where(transaction => transaction.IsFraud)
            .Select(ScenarioOf)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .Select(scenario => KeyValuePair.Create(
                scenario,
                Measure(transactions.Where(t => !t.IsFraud || ScenarioOf(t) == scenario).ToList(), cardsPerDay)))
            .ToList();
        return new EvaluationReport(Measure(transactions, cardsPerDay), scenarios, cardsPerDay);
    }

    private static string ScenarioOf(EvaluatedTransaction transaction) =>
        string.IsNullOrWhiteSpace(transaction.Scenario) ? UnnamedScenario : transaction.Scenario;

    private static MetricSet Measure(IReadOnlyList<EvaluatedTransaction> transactions, int cardsPerDay)
    {
        double[] risks = transactions.Select(t => t.Risk).ToArray();
        bool[] labels = transactions.Select(t => t.IsFraud).ToArray();
        bool[] alerts = transactions.Select(t => t.Alert).ToArray();
        var atThreshold = ThresholdMetrics.Of(alerts, labels);
        double? cardPrecision = transactions.All(t => t.Card is not null)
            ? CardPrecision.TopKPerDay(transactions.Select(t => new CardDay(t.Card!.Value.UserId, t.Card.Value.Day, t.Risk, t.IsFraud)), cardsPerDay)
            : null;
        return new MetricSet(
            transactions.Count,
            labels.Count(label => label),
            alerts.Count(alert => alert),
            RankingMetrics.RocAuc(risks, labels),
            RankingMetrics.AveragePrecision(risks, labels),
            atThreshold.Precision,
            atThreshold.Recall,
            cardPrecision);
    }
}
