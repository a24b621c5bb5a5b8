using System.CommandLine;
using Fraud.CommandLine;

namespace Fraud.Producer.CommandLine;

/// <summary>
/// The producer's verbs: <c>simulate</c>, <c>generate</c> and <c>replay</c>. Without a verb the producer is the
/// long-running service the AppHost starts (see <see cref="ServiceMode"/>).
/// </summary>
internal static class ProducerCommandLine
{
    private static readonly string[] Verbs = ["simulate", "generate", "replay"];

    // Help and version belong to the command line too; other options (e.g. --Producer:Rate=10) configure the service.
    private static readonly string[] RootOptions = ["-h", "--help", "-?", "--version"];

    /// <summary>
    /// Whether the arguments ask for a verb: a first word that is not an option (a misspelt verb is reported by
    /// the parser rather than silently starting the service), or help or version.
    /// </summary>
    public static bool IsCommand(string[] args) =>
        args.Length > 0 && (!args[0].StartsWith('-') || RootOptions.Contains(args[0]));

    public static async Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand(
            "Fraud.Producer: labelled transaction traffic. Without a command it runs as the service the AppHost starts "
            + "(simulating Producer:Rate transactions per second on the wall clock).")
        {
            SimulateCommand.Create(),
            GenerateCommand.Create(),
            ReplayCommand.Create(),
        };
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
            {
                await Console.Error.WriteLineAsync(error.Message);
            }

            return ExitCodes.Usage($"Run 'Fraud.Producer {(args.Length > 0 && Verbs.Contains(args[0]) ? args[0] + " " : "")}--help' for usage.");
        }

        // Ctrl+C cancels the verb, which then flushes what it sent and prints its summary: give it time to.
        return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(90) });
    }
}
