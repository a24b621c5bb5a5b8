using System.CommandLine;
using Fraud.CommandLine;
using Spectre.Console;

namespace Fraud.Detector.Offline;

/// <summary>
/// The detector's offline verbs — <c>train</c>, <c>train-classifier</c>, <c>score</c>, <c>evaluate</c>, <c>backtest</c> — on JSONL files, with the same Core
/// code as the online service. Exit codes: 0 done, 1 done but some lines were invalid and skipped, 2 bad usage or
/// unusable input.
/// </summary>
internal static class OfflineCommands
{
    private static readonly string[] HelpOptions = ["--help", "-h", "-?", "--version"];

    /// <summary>
    /// Whether the command line asks for an offline verb or for help rather than the service. The service's own
    /// arguments are configuration (<c>--Key=value</c>, <c>--Key value</c> or <c>Key=value</c>), so a first argument
    /// that is a bare word is a verb, known or mistyped; a mistyped one gets the verbs' usage and exit code 2.
    /// </summary>
    public static bool AreRequested(string[] args) => args is [var first, ..]
        && (HelpOptions.Contains(first, StringComparer.Ordinal) || (!first.StartsWith('-') && !first.Contains('=', StringComparison.Ordinal)));

    public static int Run(string[] args)
    {
        var root = new RootCommand("Fraud detector. Without a verb it runs as the online service; these verbs work on files: JSONL in the contract, or CSV with a column mapping.")
        {
            TrainCommand.Create(),
            TrainClassifierCommand.Create(),
            ScoreCommand.Create(),
            EvaluateCommand.Create(),
            BacktestCommand.Create(),
        };
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            parse.Invoke(); // prints the errors and the command's help
            return ExitCodes.BadUsage;
        }

        try
        {
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (BadInputException exception)
        {
            Terminal.Error.MarkupLineInterpolated($"[red]{exception.Message}[/]");
            return ExitCodes.BadUsage;
        }
    }
}
