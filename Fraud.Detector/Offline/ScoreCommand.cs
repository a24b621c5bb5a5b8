using System.CommandLine;
using System.Diagnostics;
using Fraud.Core.Decision;
using Fraud.Core;
using Fraud.ServiceDefaults.Files;
using Spectre.Console;

namespace Fraud.Detector.Offline;

/// <summary>
/// <c>score</c>: streams a JSONL file of transactions, in order, through the same <see cref="DecisionEngine"/> as the
/// online detector and writes one score line per valid transaction. Memory stays constant in the number of
/// transactions, apart from the bounded per-user feature state.
/// </summary>
internal static class ScoreCommand
{
    public static Command Create()
    {
        var input = new Option<FileInfo>("--input") { Description = "Transactions, one JSON object per line, in event-time order.", Required = true }
            .AcceptExistingOnly();
        var output = new Option<FileInfo>("--output") { Description = "Where to write the scores, one JSON object per line.", Required = true };
        var model = new Option<FileInfo>("--model") { Description = "Isolation Forest model file written by train; omit to score with rules only." }
            .AcceptExistingOnly();
        var rules = new Option<FileInfo>("--rules") { Description = "Rule set JSON (rules.json ships beside the detector); omit to score with the forest only." }
            .AcceptExistingOnly();
        var decision = new Option<FileInfo>("--decision") { Description = "Decision options JSON (alert threshold, forest weight and scale); defaults otherwise." }
            .AcceptExistingOnly();

        var command = new Command("score", "Score a JSONL file of transactions with a model, a rule set or both.")
        {
            input, output, model, rules, decision,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(model) is null && result.GetValue(rules) is null)
            {
                result.AddError("score needs --model, --rules or both.");
            }
        });
        command.SetAction(parse => Run(
            parse.GetRequiredValue(input),
            parse.GetRequiredValue(output),
            parse.GetValue(model),
            parse.GetValue(rules),
            parse.GetValue(decision)));
        return command;
    }

    private static int Run(FileInfo input, FileInfo output, FileInfo? modelFile, FileInfo? rulesFile, FileInfo? decisionFile)
    {
        var model = DetectionInputs.Model(modelFile);
        var rules = DetectionInputs.Rules(rulesFile);
        DecisionEngine engine;
        try
        {
            engine = new DecisionEngine(model, rules, DetectionInputs.Decision(decisionFile));
        }
        catch (ArgumentException exception)
        {
            throw new BadInputException(exception.Message);
        }

        var stopwatch = Stopwatch.StartNew();
        var skipped = new SkippedLines(input.ToString());
        using var source = DetectionInputs.OpenInput(input);
        using var sink = DetectionInputs.CreateOutput(output);
        var (scored, alerts) = Terminal.WithProgress($"Scoring {input}", source.Length, progress =>
        {
            var reader = new JsonlReader(source);
            using var writer = new ScoreLineWriter(sink);
            long scored = 0, alerts = 0;
            while (reader.TryReadLine(out var line, out bool tooLong))
            {
                if (!TransactionLines.TryParse(line.Span, tooLong, out var transaction, out string? error))
                {
                    if (error is not null)
                    {
                        skipped.Report(reader.LineNumber, error);
                    }

                    continue;
                }

                var verdict = engine.Decide(transaction);
                writer.Write(transaction.TxId, verdict);
                scored++;
                alerts += verdict.IsAlert ? 1 : 0;
                if (scored % 65_536 == 0)
                {
                    progress(reader.BytesRead);
                }
            }

            return (scored, alerts);
        });

        var elapsed = stopwatch.Elapsed;
        var summary = new Table().Title($"Scored {Markup.Escape(input.ToString())} → {Markup.Escape(output.ToString())}").HideHeaders().AddColumns("", "");
        summary.AddRow("transactions scored", $"{scored:N0}");
        summary.AddRow("alerts", scored == 0 ? "0" : $"{alerts:N0} ({alerts / (double)scored:P2})");
        summary.AddRow("invalid lines skipped", $"{skipped.Count:N0}");
        summary.AddRow("detector", Markup.Escape(Describe(model?.Version, rules?.Version)));
        summary.AddRow("users tracked / forgotten", $"{engine.Features.TrackedUsers:N0} / {engine.Features.ForgottenUsers:N0}");
        summary.AddRow("elapsed", $"{elapsed.TotalSeconds:0.0} s ({scored / Math.Max(elapsed.TotalSeconds, 1e-3):N0} transactions/s)");
        Terminal.Out.Write(summary);
        return ExitCodes.ForSkipped(skipped.Count);
    }

    private static string Describe(string? modelVersion, string? rulesVersion) => (modelVersion, rulesVersion) switch
    {
        ({ } m, { } r) => $"model {m} + rules {r}",
        ({ } m, null) => $"model {m} (forest only)",
        (null, { } r) => $"rules {r} (rules only)",
        _ => "nothing",
    };
}

/// <summary>How the commands read a transaction line: blank lines are skipped silently, anything else invalid is reported.</summary>
internal static class TransactionLines
{
    /// <param name="line">The line's bytes.</param>
    /// <param name="tooLong">Whether the reader skipped it for its length.</param>
    /// <param name="transaction">The transaction, when valid.</param>
    /// <param name="error">Why the line is invalid; null for a blank line.</param>
    public static bool TryParse(ReadOnlySpan<byte> line, bool tooLong, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Transaction? transaction, out string? error)
    {
        transaction = null;
        if (tooLong)
        {
            error = $"line longer than {JsonlReader.DefaultMaxLineBytes / (1 << 20)} MiB";
            return false;
        }

        if (line.Trim(" \t"u8).IsEmpty)
        {
            error = null;
            return false;
        }

        return TransactionJson.TryParse(line, out transaction, out error);
    }
}
