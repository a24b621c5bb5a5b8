using System.CommandLine;
using Fraud.CommandLine;
using Fraud.LoadTest;

// One verb for now (`run`); a later sweep or comparison can sit beside it.
var root = new RootCommand(
    "Fraud.LoadTest: starts the whole system (AppHost, local mode) and measures the online detector end to end. "
    + "See docs/benchmarks.md, \"End-to-end (detector)\".")
{
    RunCommand.Create(),
};
var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    foreach (var error in parsed.Errors)
    {
        await Console.Error.WriteLineAsync(error.Message);
    }

    return ExitCodes.Usage("Run 'Fraud.LoadTest run --help' for usage.");
}

// Ctrl+C cancels the run, which then stops the system it started: give it time to.
return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(60) });
