using System.CommandLine;
using System.Diagnostics;
using Fraud.CommandLine;
using Fraud.Core.Decision;
using Spectre.Console;

namespace Fraud.Detector.Offline;

/// <summary>
/// <c>score</c>: streams a file of transactions (JSONL or CSV), in order, through the same <see cref="DecisionEngine"/> as the
/// online detector and writes one score line per valid transaction. Memory stays constant in the number of
/// transactions, apart from the bounded per-user feature state.
/// </summary>
internal static class ScoreCommand
{
    public static Command Create()
    {
        var input = TransactionInputOptions.InputOption();
        var output = new Option<FileInfo>("--output") { Description = "Where to write the scores, one JSON object per line.", Required = true };
        var model = new Option<FileInfo>("--model") { Description = "Isolation Forest model file written by train; omit to score with rules only." }
            .AcceptExistingOnly();
        var rules = new Option<FileInfo>("--rules") { Description = "Rule set JSON (rules.json ships beside the detector); omit to score with the forest only." }
            .AcceptExistingOnly();
        var decision = new Option<FileInfo>("--decision") { Description = "Decision options JSON (alert threshold, forest weight and scale); defaults otherwise." }
            .AcceptExistingOnly();
        var classifier = new Option<FileInfo>("--classifier") { Description = "Supervised classifier file written by train-classifier; its probability joins the decision." }
            .AcceptExistingOnly();
        var labels = new Option<FileInfo>("--labels")
        {
            Description = "Fraud labels, one {\"tx_id\",\"is_fraud\",\"scenario\"} object per line, for the merchant risk a classifier may read: "
                + "each is used once it is older than the classifier's label delay, as online. A CSV's is_fraud column serves too.",
        }.AcceptExistingOnly();
        var features = new Option<bool>("--features")
        {
            Description = "Also write each transaction's features (\"features\": name → value, as the decision saw them), to explain a score or compare with the online detector.",
        };

        var inputOptions = new TransactionInputOptions(input);
        var command = new Command("score", "Score a file of transactions (JSONL, or CSV with a column mapping) with a model, a rule set or both (and optionally a classifier).")
        {
            input, output, model, rules, decision, classifier, labels, features,
        };
        inputOptions.AddTo(command);
        command.Validators.Add(result =>
        {
            // Whether each was given, not its value: a file that does not exist already has its own error, and reading its value would throw.
            if (result.GetResult(model) is null && result.GetResult(rules) is null)
            {
                result.AddError("score needs --model, --rules or both.");
            }
        });
        command.SetAction(parse => Run(
            inputOptions.Get(parse)!,
            parse.GetRequiredValue(output),
            parse.GetValue(model),
            parse.GetValue(rules),
            parse.GetValue(decision),
            parse.GetValue(classifier),
            parse.GetValue(labels),
            parse.GetValue(features)));
        return command;
    }

    private static int Run(
        TransactionInput input, FileInfo output, FileInfo? modelFile, FileInfo? rulesFile, FileInfo? decisionFile, FileInfo? classifierFile, FileInfo? labelsFile, bool withFeatures)
    {
        var model = DetectionInputs.Model(modelFile);
        var rules = DetectionInputs.Rules(rulesFile);
        var classifier = DetectionInputs.Classifier(classifierFile);
        var engine = DetectionInputs.Engine(model, rules, DetectionInputs.Decision(decisionFile), classifier);
        var labelSkips = new SkippedLines(labelsFile?.ToString() ?? string.Empty);
        var labels = labelsFile is not null ? EvaluateCommand.ReadLabels(labelsFile, labelSkips)
            : input.IsCsv ? new Dictionary<string, Fraud.Core.Label>(StringComparer.Ordinal)
            : null;
        MerchantLabels.RequireFor(classifier, labels is not null);

        var stopwatch = Stopwatch.StartNew();
        var skipped = new SkippedLines(input.ToString());
        long scored = 0, alerts = 0, labelled = 0;
        using (var sink = DetectionInputs.CreateOutput(output))
        using (var writer = new ScoreLineWriter(sink, withFeatures))
        {
            input.Read(skipped, $"Scoring {input}", (transaction, _) =>
            {
                var verdict = engine.Decide(transaction);
                labelled += MerchantLabels.Fold(engine.Merchants, transaction, labels) ? 1 : 0;
                writer.Write(transaction.TxId, verdict, engine.LastFeatures);
                scored++;
                alerts += verdict.IsAlert ? 1 : 0;
                return null;
            }, labelsFile is null ? labels : null, labelsOptional: classifier?.MerchantLabelDelay is null);
        }

        var elapsed = stopwatch.Elapsed;
        var summary = new Table().Title($"Scored {Markup.Escape(input.ToString())} → {Markup.Escape(output.ToString())}").HideHeaders().AddColumns("", "");
        summary.AddRow("transactions scored", $"{scored:N0}");
        summary.AddRow("alerts", scored == 0 ? "0" : $"{alerts:N0} ({alerts / (double)scored:P2})");
        summary.AddRow("invalid lines skipped", $"{skipped.Count + labelSkips.Count:N0}");
        if (labelsFile is not null)
        {
            summary.AddRow("labels for transactions not in the input (unused)", $"{labels!.Count - labelled:N0}");
        }

        summary.AddRow("merchants tracked", $"{engine.Merchants.TrackedMerchants:N0}{(labels is null ? " (no labels: counts only)" : string.Empty)}");
        summary.AddRow("detector", Markup.Escape(DetectionInputs.Describe(model, rules, classifier)));
        summary.AddRow("users tracked / forgotten", $"{engine.Features.TrackedUsers:N0} / {engine.Features.ForgottenUsers:N0}");
        summary.AddRow("elapsed", $"{elapsed.TotalSeconds:0.0} s ({scored / Math.Max(elapsed.TotalSeconds, 1e-3):N0} transactions/s)");
        Terminal.Out.Write(summary);
        return ExitCodes.ForSkipped(skipped.Count + labelSkips.Count);
    }
}
