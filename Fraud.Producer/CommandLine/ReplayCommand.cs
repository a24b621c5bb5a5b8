using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Fraud.Core;
using Fraud.Producer.Publishing;
using Fraud.ServiceDefaults.Files;
using Spectre.Console;

namespace Fraud.Producer.CommandLine;

/// <summary><c>replay</c>: publishes a JSONL file of transactions in order; invalid lines are reported, skipped and counted.</summary>
internal static class ReplayCommand
{
    // Past this many, skipped lines are only counted: a wholly wrong file should not flood the terminal.
    private const int MaxReportedLines = 100;
    private static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(60);

    public static Command Create()
    {
        var broker = new BrokerArguments("Lines per second; 0, the default, is as fast as possible.");
        var input = new Option<string>("--input")
        {
            Description = "JSONL file, one transaction per line (the contract of transactions.v1). Blank lines are ignored.",
            HelpName = "file",
            Required = true,
        };
        var command = new Command(
            "replay",
            "Publish a JSONL file of transactions to the broker in file order (key = user_id). Invalid lines are reported "
            + $"with their number and reason (the first {MaxReportedLines}), skipped and counted; the exit code is 1 if any was skipped.");
        command.Options.Add(input);
        broker.AddTo(command);
        command.SetAction((parsed, cancellationToken) => RunAsync(
            parsed.GetRequiredValue(input),
            Pacer.PerSecond(broker.Rate(parsed), TimeProvider.System),
            broker.Bootstrap(parsed),
            broker.Topic(parsed),
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string inputPath, Pacer pacer, string? bootstrap, string topic, CancellationToken cancellationToken)
    {
        FileStream file;
        try
        {
            file = new FileStream(inputPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return ExitCodes.Usage($"Cannot read {inputPath}: {exception.Message}");
        }

        using (file)
        using (var session = BrokerSession.Open(bootstrap))
        {
            if (session is null)
            {
                return ExitCodes.BadUsage;
            }

            var elapsed = Stopwatch.StartNew();
            var tally = await PublishLinesAsync(new JsonlReader(file), file.Length, session.Publisher, pacer, topic, cancellationToken);
            int inFlight = session.Publisher.Flush(FlushTimeout);
            elapsed.Stop();
            PrintSummary(inputPath, tally, session, topic, inFlight, elapsed.Elapsed);
            bool complete = tally.Skipped == 0 && session.Publisher.Failed == 0 && inFlight == 0 && !cancellationToken.IsCancellationRequested;
            return complete ? ExitCodes.Ok : ExitCodes.Partial;
        }
    }

    private static async Task<ReplayTally> PublishLinesAsync(
        JsonlReader reader, long length, KafkaPublisher publisher, Pacer pacer, string topic, CancellationToken cancellationToken)
    {
        var tally = new ReplayTally();
        await SimulationRun.NewProgress().StartAsync(async context =>
        {
            var progress = context.AddTask("replay", maxValue: Math.Max(length, 1));
            while (reader.TryReadLine(out var line, out bool tooLong))
            {
                if (!tooLong && line.Span.Trim(" \t"u8).IsEmpty)
                {
                    tally.Blank++;
                    continue;
                }

                string? error = null;
                if (tooLong || !TransactionJson.TryParse(line.Span, out var transaction, out error))
                {
                    if (++tally.Skipped <= MaxReportedLines)
                    {
                        error ??= $"longer than {JsonlReader.DefaultMaxLineBytes / (1 << 20)} MiB";
                        AnsiConsole.MarkupLineInterpolated($"[yellow]line {reader.LineNumber}[/]: {error} (skipped)");
                    }

                    continue;
                }

                await pacer.WaitAsync(tally.Published, transaction.Ts, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                if (cancellationToken.IsCancellationRequested)
                {
                    break;
                }

                // The line as written (unknown fields included), minus a byte order mark that only made sense in a file.
                var value = line.Span.StartsWith("\uFEFF"u8) ? line.Span[3..] : line.Span;
                publisher.Publish(topic, transaction.UserId.ToString(CultureInfo.InvariantCulture), value.ToArray());
                tally.Published++;
                progress.Value = reader.BytesRead;
            }

            progress.Value = reader.BytesRead;
            progress.StopTask();
        });

        if (tally.Skipped > MaxReportedLines)
        {
            AnsiConsole.MarkupLineInterpolated($"[yellow]… and {tally.Skipped - MaxReportedLines:N0} more skipped lines[/]");
        }

        return tally;
    }

    private static void PrintSummary(string inputPath, ReplayTally tally, BrokerSession session, string topic, int inFlight, TimeSpan elapsed)
    {
        var publisher = session.Publisher;
        var table = SummaryTable.Create("replay: summary");
        table.AddRow("published", $"{tally.Published:N0}", Markup.Escape($"lines of {inputPath} to {topic} at {session.BootstrapServers}"));
        table.AddRow("delivered", $"{publisher.Delivered:N0}", $"in {elapsed.TotalSeconds:N1} s ({publisher.Delivered / Math.Max(elapsed.TotalSeconds, 1e-9):N0} tx/s)");
        table.AddRow("skipped", $"{tally.Skipped:N0}", "invalid lines");
        table.AddRow("blank", $"{tally.Blank:N0}", "lines ignored");
        if (publisher.Failed > 0 || inFlight > 0)
        {
            table.AddRow("not delivered", $"{publisher.Failed + inFlight:N0}", Markup.Escape($"last error: {publisher.LastError ?? "timed out"}"));
        }

        AnsiConsole.Write(table);
    }

    private sealed class ReplayTally
    {
        public long Published { get; set; }

        public long Skipped { get; set; }

        public long Blank { get; set; }
    }
}
