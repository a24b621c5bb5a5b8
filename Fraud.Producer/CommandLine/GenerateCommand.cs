using System.CommandLine;
using Fraud.CommandLine;
using Fraud.Core;
using Fraud.Producer.Publishing;

namespace Fraud.Producer.CommandLine;

/// <summary><c>generate</c>: the simulator into JSONL files, no broker: datasets for backtests and benchmarks.</summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var simulation = new SimulationArguments();
        var output = new Option<string>("--output")
        {
            Description = "JSONL file for the transactions, one per line, in event-time order.",
            HelpName = "file",
            Required = true,
        };
        var command = new Command(
            "generate",
            "Simulate labelled transactions into a JSONL file, as fast as possible, without a broker. "
            + "The same options give the same bytes. Needs --count or --duration.");
        command.Options.Add(output);
        simulation.AddTo(command);
        command.SetAction((parsed, cancellationToken) => simulation.TryRead(parsed, out var plan, out string? problem)
            ? RunAsync(plan, parsed.GetRequiredValue(output), cancellationToken)
            : Task.FromResult(ExitCodes.Usage(problem)));
        return command;
    }

    private static async Task<int> RunAsync(SimulationPlan plan, string outputPath, CancellationToken cancellationToken)
    {
        if (plan.Count is null && plan.Duration is null)
        {
            return ExitCodes.Usage("generate needs --count or --duration: a file has to end somewhere.");
        }

        var transactions = JsonlWriter.Create(outputPath);
        var labels = plan.LabelsOut is { } labelsPath ? JsonlWriter.Create(labelsPath) : null;
        if (transactions is null || (plan.LabelsOut is not null && labels is null))
        {
            transactions?.Dispose();
            return ExitCodes.BadUsage;
        }

        SimulationTally tally;
        using (transactions)
        using (labels)
        {
            tally = await SimulationRun.RunAsync("generate", plan, Pacer.Unpaced, next =>
            {
                transactions.WriteLine(TransactionJson.SerializeToUtf8Bytes(next.Transaction));
                labels?.WriteLine(LabelJson.SerializeToUtf8Bytes(next.Label));
            }, cancellationToken);
        }

        tally.Stop();
        var outputs = new List<(string, string)> { ("transactions", transactions.Path) };
        if (labels is not null)
        {
            outputs.Add(("labels", labels.Path));
        }

        tally.Print("generate", outputs);
        // Interrupted with Ctrl+C: the files hold less than asked for.
        return cancellationToken.IsCancellationRequested ? ExitCodes.Partial : ExitCodes.Ok;
    }
}
