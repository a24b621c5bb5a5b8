using Spectre.Console;

namespace Fraud.Detector.Offline;

/// <summary>
/// Where the offline commands write: results and summaries to stdout, problems to stderr, and a progress bar only
/// when stdout is an interactive terminal (a log or a pipe gets the summary alone).
/// </summary>
internal static class Terminal
{
    /// <summary>Wide enough for the evaluation table when stdout is a file or a pipe, where Spectre assumes 80 columns.</summary>
    private const int RedirectedWidth = 160;

    public static IAnsiConsole Out { get; } = CreateOut();

    public static IAnsiConsole Error { get; } = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });

    private static IAnsiConsole CreateOut()
    {
        var console = AnsiConsole.Console;
        if (Console.IsOutputRedirected)
        {
            console.Profile.Width = RedirectedWidth;
        }

        return console;
    }

    /// <summary>Runs <paramref name="work"/>, showing its progress through a file of <paramref name="totalBytes"/>.</summary>
    /// <param name="description">What is being done, e.g. "Scoring tx.jsonl".</param>
    /// <param name="totalBytes">The file's size.</param>
    /// <param name="work">The work; it reports the bytes consumed so far through the callback it is given.</param>
    public static T WithProgress<T>(string description, long totalBytes, Func<Action<long>, T> work)
    {
        if (!Out.Profile.Capabilities.Interactive || Console.IsOutputRedirected)
        {
            return work(static _ => { });
        }

        return Out.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(context =>
            {
                var task = context.AddTask(Markup.Escape(description), maxValue: Math.Max(1, totalBytes));
                var result = work(bytes => task.Value = bytes);
                task.Value = task.MaxValue;
                return result;
            });
    }
}
