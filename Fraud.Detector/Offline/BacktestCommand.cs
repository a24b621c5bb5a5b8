using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Fraud.CommandLine;
using Fraud.Core;
using Fraud.Core.Decision;
using Fraud.Core.Evaluation;
using Spectre.Console;

namespace Fraud.Detector.Offline;

/// <summary>
/// <c>backtest</c>: decides a labelled file of transactions, in one pass, with the active detector and a candidate
/// (each with its own per-user feature state) and compares them with the same figures as <c>evaluate</c>. A
/// candidate part that is not given is the active one's, so <c>--candidate-model</c> alone tries a new model with
/// the active rules and decision options.
/// </summary>
internal static class BacktestCommand
{
    public static Command Create()
    {
        var input = TransactionInputOptions.InputOption();
        var labels = EvaluateCommand.LabelsOption();
        var model = ExistingFile("--model", "The active Isolation Forest model file; omit for rules only.");
        var rules = ExistingFile("--rules", "The active rule set JSON; omit for the forest only.");
        var decision = ExistingFile("--decision", "The active decision options JSON; defaults otherwise.");
        var candidateModel = ExistingFile("--candidate-model", "The candidate model file; the active model when omitted.");
        var candidateRules = ExistingFile("--candidate-rules", "The candidate rule set JSON; the active rules when omitted.");
        var candidateDecision = ExistingFile("--candidate-decision", "The candidate decision options JSON; the active options when omitted.");
        var classifier = ExistingFile("--classifier", "The active supervised classifier file; none when omitted.");
        var candidateClassifier = ExistingFile("--candidate-classifier", "The candidate supervised classifier file; the active one (if any) when omitted.");
        var from = new Option<DateTimeOffset?>("--from")
        {
            Description = "Compare only transactions at or after this time (ISO-8601, UTC unless it says otherwise), e.g. from a classifier's --as-of; earlier ones still build the users' histories.",
            CustomParser = result =>
            {
                if (CommandLineValues.TryParseUtcTime(result.Tokens.Single().Value, out var time))
                {
                    return time;
                }

                result.AddError($"--from: '{result.Tokens.Single().Value}' is not an ISO-8601 time such as 2025-09-15T00:00:00Z.");
                return null;
            },
        };
        var cardsPerDay = EvaluateCommand.CardsPerDayOption();
        var knownCards = new KnownCardsOptions();
        var json = new Option<bool>("--json") { Description = "Print the comparison as JSON instead of a table." };

        var inputOptions = new TransactionInputOptions(input);
        var command = new Command("backtest", "Compare a candidate model, rule set or decision options with the active ones on a labelled file of transactions.")
        {
            input, labels, model, rules, decision, classifier, candidateModel, candidateRules, candidateDecision, candidateClassifier, from, cardsPerDay, json,
        };
        inputOptions.AddTo(command);
        knownCards.AddTo(command);
        inputOptions.TakeLabelsFromCsvUnless(labels, command);
        command.Validators.Add(result =>
        {
            // Whether each was given, not its value: a file that does not exist already has its own error, and reading its value would throw.
            if (result.GetResult(model) is null && result.GetResult(rules) is null)
            {
                result.AddError("backtest needs the active --model, --rules or both.");
            }

            if (result.GetResult(candidateModel) is null && result.GetResult(candidateRules) is null && result.GetResult(candidateDecision) is null
                && result.GetResult(candidateClassifier) is null)
            {
                result.AddError("backtest needs a candidate: --candidate-model, --candidate-rules, --candidate-decision, --candidate-classifier or several.");
            }
        });
        command.SetAction(parse =>
        {
            var active = Side.Open("active", parse.GetValue(model), parse.GetValue(rules), parse.GetValue(decision), parse.GetValue(classifier));
            var candidate = Side.Open(
                "candidate",
                parse.GetValue(candidateModel) ?? parse.GetValue(model),
                parse.GetValue(candidateRules) ?? parse.GetValue(rules),
                parse.GetValue(candidateDecision) ?? parse.GetValue(decision),
                parse.GetValue(candidateClassifier) ?? parse.GetValue(classifier));
            return Run(
                inputOptions.Get(parse)!, parse.GetValue(labels), active, candidate, parse.GetValue(from), knownCards.Get(parse), parse.GetValue(cardsPerDay), parse.GetValue(json));
        });
        return command;
    }

    private static Option<FileInfo> ExistingFile(string name, string description) =>
        new Option<FileInfo>(name) { Description = description }.AcceptExistingOnly();

    private static int Run(
        TransactionInput input, FileInfo? labelsFile, Side active, Side candidate, DateTimeOffset? from, KnownFraudCards? knownCards, int cardsPerDay, bool asJson)
    {
        var labelSkips = new SkippedLines(labelsFile?.ToString() ?? string.Empty);
        var labels = labelsFile is null ? new Dictionary<string, Label>(StringComparer.Ordinal) : EvaluateCommand.ReadLabels(labelsFile, labelSkips);
        string labelSource = labelsFile?.ToString() ?? "its is_fraud column";
        var inputSkips = new SkippedLines(input.ToString());
        input.Read(inputSkips, $"Backtesting {input}", (transaction, _) =>
        {
            // Both decide every transaction, labelled or not, so that their feature states see what score's would.
            var activeVerdict = active.Engine.Decide(transaction);
            MerchantLabels.Fold(active.Engine.Merchants, transaction, labels);
            bool compared = !(transaction.Ts < from);
            if (compared)
            {
                active.Add(transaction, activeVerdict, labels);
            }

            var candidateVerdict = candidate.Engine.Decide(transaction);
            MerchantLabels.Fold(candidate.Engine.Merchants, transaction, labels);
            if (compared)
            {
                candidate.Add(transaction, candidateVerdict, labels);
            }

            if (!labels.TryGetValue(transaction.TxId, out var label))
            {
                return $"no label for tx_id '{transaction.TxId}'";
            }

            knownCards?.Add(CardAndDay.Of(transaction), label.IsFraud);
            return null;
        }, labelsFile is null ? labels : null);
        if (active.Evaluated.Count == 0)
        {
            throw new BadInputException(from is null
                ? $"{input}: no transaction has a label in {labelSource}; nothing to compare."
                : $"{input}: no transaction from {from:u} on has a label in {labelSource}; nothing to compare.");
        }

        int leftOut = 0;
        if (knownCards is not null)
        {
            leftOut = active.LeaveOut(knownCards);
            candidate.LeaveOut(knownCards);
        }

        var before = DetectionEvaluation.Evaluate(active.Evaluated, cardsPerDay);
        var after = DetectionEvaluation.Evaluate(candidate.Evaluated, cardsPerDay);
        long skipped = labelSkips.Count + inputSkips.Count;
        if (asJson)
        {
            var report = new BacktestJson
            {
                Active = active.Json(before),
                Candidate = candidate.Json(after),
                Delta = new BacktestDeltaJson
                {
                    Overall = MetricsJson.Delta(before.Overall, after.Overall),
                    Scenarios = before.Scenarios.Zip(after.Scenarios).ToDictionary(
                        pair => pair.First.Key, pair => MetricsJson.Delta(pair.First.Value, pair.Second.Value), StringComparer.Ordinal),
                },
                CardsPerDay = cardsPerDay,
                SkippedLines = skipped,
            };
            Console.Out.WriteLine(JsonSerializer.Serialize(report, OfflineJsonContext.Default.BacktestJson));
        }
        else
        {
            Terminal.Out.Write(Table(input, labelSource, active, candidate, before, after));
            if (knownCards is not null)
            {
                Terminal.Out.MarkupLine($"[grey]{leftOut:N0} transactions of cards with a fraud known on their day left out.[/]");
            }
        }

        return ExitCodes.ForSkipped(skipped);
    }

    private static Table Table(TransactionInput input, string labels, Side active, Side candidate, EvaluationReport before, EvaluationReport after)
    {
        var table = new Table()
            .Title($"Backtest on {Markup.Escape(input.ToString())} against {Markup.Escape(labels)}")
            .AddColumn("")
            .AddColumns(new[] { "active", "candidate", "Δ candidate − active" }.Select(header => new TableColumn(header).RightAligned()).ToArray());
        table.AddRow("detector", Markup.Escape(active.Description), Markup.Escape(candidate.Description), "");
        table.AddRow("alert threshold", Threshold(active), Threshold(candidate), "");
        var (a, c) = (before.Overall, after.Overall);
        table.AddRow("transactions", $"{a.Transactions:N0}", $"{c.Transactions:N0}", "");
        table.AddRow("frauds", $"{a.Frauds:N0}", $"{c.Frauds:N0}", "");
        table.AddRow("alerts", $"{a.Alerts:N0}", $"{c.Alerts:N0}", $"{c.Alerts - a.Alerts:+#,0;-#,0;0}");
        table.AddRow("alert rate", Rate(a), Rate(c), $"{(AlertRate(c) - AlertRate(a)) * 100:+0.00;-0.00;0} pp");
        AddFigure(table, "precision", a.Precision, c.Precision);
        AddFigure(table, "recall", a.Recall, c.Recall);
        AddFigure(table, "ROC-AUC", a.RocAuc, c.RocAuc);
        AddFigure(table, "avg precision", a.AveragePrecision, c.AveragePrecision);
        AddFigure(table, $"card P@{before.CardsPerDay}/day", a.CardPrecisionAtK ?? double.NaN, c.CardPrecisionAtK ?? double.NaN);
        foreach (var (scenario, candidateMetrics) in after.Scenarios)
        {
            var activeMetrics = before.Scenarios.Single(pair => pair.Key == scenario).Value;
            AddFigure(table, $"recall {scenario}", activeMetrics.Recall, candidateMetrics.Recall);
        }

        return table;
    }

    private static void AddFigure(Table table, string name, double active, double candidate) =>
        table.AddRow(Markup.Escape(name), EvaluateCommand.Figure(active), EvaluateCommand.Figure(candidate), Change(active, candidate));

    private static string Change(double active, double candidate) => double.IsNaN(candidate - active)
        ? "–"
        : (candidate - active).ToString("+0.0000;-0.0000;0", CultureInfo.InvariantCulture);

    private static double AlertRate(MetricSet metrics) => metrics.Alerts / (double)metrics.Transactions;

    private static string Rate(MetricSet metrics) => AlertRate(metrics).ToString("P2", CultureInfo.InvariantCulture);

    private static string Threshold(Side side) => side.Options.AlertThreshold.ToString(CultureInfo.InvariantCulture);

    /// <summary>One detector of the comparison: its engine and the labelled verdicts it has given.</summary>
    private sealed class Side(DecisionEngine engine, DecisionOptions options, string? modelVersion, string? rulesVersion, string? classifierVersion, string description)
    {
        public DecisionEngine Engine { get; } = engine;

        public DecisionOptions Options { get; } = options;

        public string Description { get; } = description;

        public List<EvaluatedTransaction> Evaluated { get; private set; } = [];

        /// <summary>Leaves out the verdicts of cards known to be compromised on their day.</summary>
        /// <returns>How many were left out.</returns>
        public int LeaveOut(KnownFraudCards knownCards)
        {
            int before = Evaluated.Count;
            Evaluated = knownCards.LeaveOutKnown(Evaluated);
            return before - Evaluated.Count;
        }

        public static Side Open(string name, FileInfo? modelFile, FileInfo? rulesFile, FileInfo? decisionFile, FileInfo? classifierFile)
        {
            var model = DetectionInputs.Model(modelFile);
            var rules = DetectionInputs.Rules(rulesFile);
            var options = DetectionInputs.Decision(decisionFile);
            var classifier = DetectionInputs.Classifier(classifierFile);
            return new Side(
                DetectionInputs.Engine(model, rules, options, classifier, name), options, model?.Version, rules?.Version, classifier?.Version,
                DetectionInputs.Describe(model, rules, classifier));
        }

        /// <summary>Keeps the verdict of a labelled transaction, its risk rounded as the score file keeps it.</summary>
        public void Add(Transaction transaction, in Verdict verdict, Dictionary<string, Label> labels)
        {
            if (labels.TryGetValue(transaction.TxId, out var label))
            {
                Evaluated.Add(new EvaluatedTransaction(
                    ScoreLineWriter.Rounded(verdict.Risk), verdict.IsAlert, label.IsFraud, label.Scenario, CardAndDay.Of(transaction)));
            }
        }

        public BacktestSideJson Json(EvaluationReport report) => new()
        {
            ModelVersion = modelVersion,
            RulesVersion = rulesVersion,
            ClassifierVersion = classifierVersion,
            AlertThreshold = Options.AlertThreshold,
            Overall = MetricsJson.From(report.Overall),
            Scenarios = EvaluationJson.ScenariosOf(report),
        };
    }
}
