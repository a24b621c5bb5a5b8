using Fraud.Producer.Publishing;
using Fraud.Simulation;
using Spectre.Console;

namespace Fraud.Producer.CommandLine;

/// <summary>
/// Runs the simulator until the plan says stop (or Ctrl+C), handing every transaction to an output, with progress
/// shown. The tally's clock keeps running: the caller stops it once the output is complete (files closed, broker acknowledged).
/// </summary>
internal static class SimulationRun
{
    // Progress is refreshed every this many transactions: often enough to look live, rare enough to cost nothing.
    private const long ProgressStride = 4096;

    public static async Task<SimulationTally> RunAsync(
        string description, SimulationPlan plan, Pacer pacer, Action<SimulatedTransaction> output, CancellationToken cancellationToken)
    {
        var tally = new SimulationTally();
        await NewProgress().StartAsync(async context =>
        {
            var progress = context.AddTask(description, maxValue: plan.Count ?? plan.Duration?.TotalSeconds ?? 1);
            progress.IsIndeterminate = plan.Count is null && plan.Duration is null;
            while (plan.Count is not { } count || tally.Count < count)
            {
                var next = plan.Simulator.Next();
                if (next.Transaction.Ts >= plan.End)
                {
                    break;
                }

                await pacer.WaitAsync(tally.Count, next.Transaction.Ts, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                if (cancellationToken.IsCancellationRequested)
                {
                    break;
                }

                output(next);
                tally.Add(next);
                if (tally.Count % ProgressStride == 0)
                {
                    Report(progress, description, plan, tally);
                }
            }

            Report(progress, description, plan, tally);
            progress.StopTask();
        });
        return tally;
    }

    /// <summary>The progress display every verb uses; it stays on screen when done.</summary>
    public static Progress NewProgress() => AnsiConsole.Progress()
        .AutoClear(false)
        .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn());

    private static void Report(ProgressTask progress, string description, SimulationPlan plan, SimulationTally tally)
    {
        if (plan.Count is not null)
        {
            progress.Value = tally.Count;
        }
        else if (tally.Last is { } last && plan.Duration is not null)
        {
            progress.Value = (last - plan.Start).TotalSeconds;
        }
        else
        {
            // No end to measure against: show the count instead.
            progress.Description = $"{description}: {tally.Count:N0}";
        }
    }
}
