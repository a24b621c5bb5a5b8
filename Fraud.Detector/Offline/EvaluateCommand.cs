using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Fraud.CommandLine;
using Fraud.Core;
using Fraud.Core.Evaluation;
using Spectre.Console;

namespace Fraud.Detector.Offline;

/// <summary>
/// <c>evaluate</c>: joins a scores file with its labels by <c>tx_id</c> and reports ROC-AUC, average precision,
/// precision and recall of the alert flag, card precision top-k per day, overall and per fraud scenario. Card
/// precision needs each transaction's user and day, which the scores file does not carry: give the scored
/// transactions with <c>--transactions</c> to get it.
/// </summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var scores = new Option<FileInfo>("--scores") { Description = "Scores written by the score command." }.AcceptExistingOnly();
        var baseline = new Option<string?>("--baseline")
        {
            Description = "Instead of --scores, evaluate a baseline ranking of the --transactions: 'amount' ranks them by amount, highest first (the Fraud Detection Handbook's simplest baseline).",
        };
        baseline.AcceptOnlyFromAmong("amount");
        var from = new Option<DateTimeOffset?>("--from")
        {
            Description = "Evaluate only transactions at or after this time (ISO-8601, UTC unless it says otherwise), e.g. a test period after the label delay; needs --transactions.",
            CustomParser = result =>
            {
                if (Fraud.CommandLine.CommandLineValues.TryParseUtcTime(result.Tokens.Single().Value, out var time))
                {
                    return time;
                }

                result.AddError($"--from: '{result.Tokens.Single().Value}' is not an ISO-8601 time such as 2025-09-15T00:00:00Z.");
                return null;
            },
        };
        var labels = LabelsOption();
        var transactions = new Option<FileInfo>("--transactions")
        {
            Description = "The scored transactions, for card precision (it needs user and day): JSONL, or CSV (see --format, --map, --default), whose is_fraud column can give the labels.",
        }.AcceptExistingOnly();
        var cardsPerDay = CardsPerDayOption();
        var knownCards = new KnownCardsOptions();
        var json = new Option<bool>("--json") { Description = "Print the report as JSON instead of a table." };

        var command = new Command("evaluate", "Measure scores against labels: ROC-AUC, average precision, precision/recall at the alert threshold, card precision@k per day, per scenario.")
        {
            scores, baseline, labels, transactions, from, cardsPerDay, json,
        };
        command.Validators.Add(result =>
        {
            // Presence only: a value that failed its own validation (a missing file) must not be read here.
            if ((result.GetResult(scores) is null) == (result.GetResult(baseline) is null))
            {
                result.AddError("evaluate needs --scores or --baseline, not both.");
            }

            if ((result.GetResult(baseline) is not null || result.GetResult(from) is not null || knownCards.IsGiven(result)) && result.GetResult(transactions) is null)
            {
                result.AddError("--baseline, --from and --leave-out-known-cards need --transactions (amounts, users and times come from there).");
            }
        });
        var transactionOptions = new TransactionInputOptions(transactions);
        transactionOptions.AddTo(command);
        knownCards.AddTo(command);
        transactionOptions.TakeLabelsFromCsvUnless(labels, command);
        command.SetAction(parse => Run(
            parse.GetValue(scores),
            parse.GetValue(labels),
            transactionOptions.Get(parse),
            parse.GetValue(from),
            knownCards.Get(parse),
            parse.GetValue(cardsPerDay),
            parse.GetValue(json)));
        return command;
    }

    /// <summary><c>--labels</c>: optional where a CSV's <c>is_fraud</c> column can give them instead.</summary>
    public static Option<FileInfo> LabelsOption() =>
        new Option<FileInfo>("--labels")
        {
            Description = "Labels, one {\"tx_id\",\"is_fraud\",\"scenario\"} object per line. Omit to take them from the CSV's is_fraud (and scenario) column.",
        }.AcceptExistingOnly();

    /// <summary><c>--cards-per-day</c>, the k of card precision top-k per day.</summary>
    public static Option<int> CardsPerDayOption()
    {
        var option = new Option<int>("--cards-per-day") { Description = "k of card precision top-k per day.", DefaultValueFactory = _ => CardPrecision.DefaultCardsPerDay };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1)
            {
                result.AddError("--cards-per-day must be at least 1.");
            }
        });
        return option;
    }

    private static int Run(
        FileInfo? scoresFile, FileInfo? labelsFile, TransactionInput? transactions, DateTimeOffset? from, KnownFraudCards? knownCards, int cardsPerDay, bool asJson)
    {
        var labelSkips = new SkippedLines(labelsFile?.ToString() ?? string.Empty);
        var labels = labelsFile is null ? new Dictionary<string, Label>(StringComparer.Ordinal) : ReadLabels(labelsFile, labelSkips);
        var transactionSkips = new SkippedLines(transactions?.ToString() ?? string.Empty);
        var scored = transactions is null ? null : ReadTransactions(transactions, transactionSkips, labelsFile is null ? labels : null);
        var scoreSkips = new SkippedLines(scoresFile?.ToString() ?? string.Empty);
        var evaluated = scoresFile is null ? RankByAmount(scored!, labels, from) : ReadScores(scoresFile, labels, scored, from, scoreSkips);
        string what = scoresFile?.ToString() ?? $"{transactions} ranked by amount";
        int leftOut = 0;
        if (knownCards is not null)
        {
            foreach (var (txId, transaction) in scored!)
            {
                if (labels.TryGetValue(txId, out var label))
                {
                    knownCards.Add(transaction.Card, label.IsFraud);
                }
            }

            int before = evaluated.Count;
            evaluated = knownCards.LeaveOutKnown(evaluated);
            leftOut = before - evaluated.Count;
        }

        if (evaluated.Count == 0)
        {
            throw new BadInputException($"{what}: no {(from is null ? string.Empty : $"transaction from {from:u} on that was ")}scored has a label; nothing to evaluate.");
        }

        var report = DetectionEvaluation.Evaluate(evaluated, cardsPerDay);
        long skipped = labelSkips.Count + transactionSkips.Count + scoreSkips.Count;
        if (asJson)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(EvaluationJson.From(report, skipped), OfflineJsonContext.Default.EvaluationJson));
        }
        else
        {
            Terminal.Out.Write(Table(report, what, labelsFile?.ToString() ?? $"the is_fraud column of {transactions}"));
            if (knownCards is not null)
            {
                Terminal.Out.MarkupLine($"[grey]{leftOut:N0} transactions of cards with a fraud known on their day left out.[/]");
            }

            if (report.Overall.CardPrecisionAtK is null)
            {
                Terminal.Out.MarkupLine("[grey]Card precision needs each transaction's user and day: add --transactions with the scored file.[/]");
            }
        }

        return ExitCodes.ForSkipped(skipped);
    }

    /// <summary>Reads a labels file into a map by <c>tx_id</c>; a line that is invalid or labels a transaction twice is skipped.</summary>
    public static Dictionary<string, Label> ReadLabels(FileInfo file, SkippedLines skipped)
    {
        var labels = new Dictionary<string, Label>(StringComparer.Ordinal);
        JsonlLines.Read(file, skipped, $"Reading {file}", line =>
        {
            if (!LabelJson.TryParse(line, out var label, out string? error))
            {
                return error;
            }

            return labels.TryAdd(label.TxId, label) ? null : $"tx_id '{label.TxId}' is labelled twice";
        });
        return labels;
    }

    /// <param name="transactions">The scored transactions.</param>
    /// <param name="skipped">Where invalid lines are reported.</param>
    /// <param name="labels">When given, where the CSV's labels go.</param>
    private static Dictionary<string, ScoredTransaction> ReadTransactions(TransactionInput transactions, SkippedLines skipped, Dictionary<string, Label>? labels)
    {
        var scored = new Dictionary<string, ScoredTransaction>(StringComparer.Ordinal);
        transactions.Read(skipped, $"Reading {transactions}", (transaction, _) =>
        {
            scored[transaction.TxId] = new ScoredTransaction(CardAndDay.Of(transaction), transaction.Ts, transaction.Amount);
            return null;
        }, labels);
        return scored;
    }

    /// <summary>The "sort by amount" baseline: every labelled transaction's risk is its amount; nothing is an alert.</summary>
    private static List<EvaluatedTransaction> RankByAmount(Dictionary<string, ScoredTransaction> transactions, Dictionary<string, Label> labels, DateTimeOffset? from) =>
        [.. transactions
            .Where(pair => !(pair.Value.Ts < from) && labels.ContainsKey(pair.Key))
            .Select(pair => new EvaluatedTransaction((double)pair.Value.Amount, Alert: false, labels[pair.Key].IsFraud, labels[pair.Key].Scenario, pair.Value.Card))];

    private static List<EvaluatedTransaction> ReadScores(
        FileInfo file,
        Dictionary<string, Label> labels,
        Dictionary<string, ScoredTransaction>? cards,
        DateTimeOffset? from,
        SkippedLines skipped)
    {
        var evaluated = new List<EvaluatedTransaction>();
        JsonlLines.Read(file, skipped, $"Reading {file}", line =>
        {
            if (ParseScore(line, out string? error) is not { TxId: { } txId, Risk: { } risk } score)
            {
                return error;
            }

            if (!labels.TryGetValue(txId, out var label))
            {
                return $"no label for tx_id '{txId}'";
            }

            CardAndDay? card = null;
            if (cards is not null)
            {
                if (!cards.TryGetValue(txId, out var found))
                {
                    return $"tx_id '{txId}' is not in the transactions file";
                }

                if (found.Ts < from)
                {
                    return null;
                }

                card = found.Card;
            }

            evaluated.Add(new EvaluatedTransaction(risk, score.Alert ?? false, label.IsFraud, label.Scenario, card));
            return null;
        });
        return evaluated;
    }

    private static ScoreLine? ParseScore(ReadOnlySpan<byte> line, out string? error)
    {
        ScoreLine? score;
        try
        {
            score = JsonSerializer.Deserialize(line, OfflineJsonContext.Default.ScoreLine);
        }
        catch (JsonException exception)
        {
            error = $"invalid JSON: {exception.Message}";
            return null;
        }

        error = score switch
        {
            null => "invalid JSON: expected an object",
            { TxId: null or "" } => "tx_id: required",
            { Risk: null } => "risk: required",
            { Risk: { } risk } when !double.IsFinite(risk) => "risk: must be a finite number",
            _ => null,
        };
        return error is null ? score : null;
    }

    private static Table Table(EvaluationReport report, string scores, string labels)
    {
        var table = new Table()
            .Title($"{Markup.Escape(scores)} against {Markup.Escape(labels)}")
            .AddColumn("population")
            .AddColumns(
                new[] { "transactions", "frauds", "alerts", "ROC-AUC", "avg precision", "precision", "recall", $"card P@{report.CardsPerDay}/day" }
                    .Select(header => new TableColumn(header).RightAligned())
                    .ToArray());
        AddRow(table, "all", report.Overall);
        foreach (var (scenario, metrics) in report.Scenarios)
        {
            AddRow(table, scenario, metrics);
        }

        return table;
    }

    private static void AddRow(Table table, string population, MetricSet metrics) => table.AddRow(
        Markup.Escape(population),
        $"{metrics.Transactions:N0}",
        $"{metrics.Frauds:N0}",
        $"{metrics.Alerts:N0}",
        Figure(metrics.RocAuc),
        Figure(metrics.AveragePrecision),
        Figure(metrics.Precision),
        Figure(metrics.Recall),
        metrics.CardPrecisionAtK is { } value ? Figure(value) : "–");

    public static string Figure(double value) => double.IsNaN(value) ? "–" : value.ToString("0.0000", CultureInfo.InvariantCulture);
}

/// <summary>What evaluate needs of a scored transaction: its card and day, its time and its amount.</summary>
internal sealed record ScoredTransaction(CardAndDay Card, DateTimeOffset Ts, decimal Amount);
