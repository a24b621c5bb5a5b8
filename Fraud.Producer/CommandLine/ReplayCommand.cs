using System.CommandLine;
using System.CommandLine.Parsing;
using System.Diagnostics;
using System.Globalization;
using Fraud.CommandLine;
using Fraud.CommandLine.Files;
using Fraud.Core;
using Fraud.Producer.Publishing;
using Spectre.Console;

namespace Fraud.Producer.CommandLine;

/// <summary>
/// <c>replay</c>: publishes a file of transactions in order, JSONL in the contract or CSV through a column mapping;
/// invalid lines or rows are reported, skipped and counted.
/// </summary>
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
            Description = "JSONL file, one transaction per line (the contract of transactions.v1), or CSV with a header (see --format, --map, --default). Blank lines are ignored.",
            HelpName = "file",
            Required = true,
        };
        var format = new Option<string?>("--format") { Description = TransactionFileFormat.FormatHelp }
            .AcceptOnlyFromAmong(TransactionFileFormat.Csv, TransactionFileFormat.Jsonl);
        var map = new Option<string[]>("--map") { Description = TransactionFileFormat.MapHelp, HelpName = "field=COLUMN" };
        var defaults = new Option<string[]>("--default") { Description = TransactionFileFormat.DefaultHelp, HelpName = "field=VALUE" };
        var command = new Command(
            "replay",
            "Publish a file of transactions to the broker in file order (key = user_id): JSONL lines as written, CSV rows as the contract's JSON. "
            + $"Invalid lines are reported with their number and reason (the first {MaxReportedLines}), skipped and counted; the exit code is 1 if any was skipped.");
        command.Options.Add(input);
        command.Options.Add(format);
        command.Options.Add(map);
        command.Options.Add(defaults);
        broker.AddTo(command);
        TransactionCsvMapping? Mapping(CommandResult result, out string? error)
        {
            // From the tokens as typed: a validator must not ask for the value of an option that failed its own check.
            bool isCsv = result.GetValue(input) is { } path
                && TransactionFileFormat.IsCsv(path, result.GetResult(format) is { Tokens: [.., var token] } ? token.Value : null);
            return TransactionFileFormat.TryCreateMapping(isCsv, result.GetValue(map) ?? [], result.GetValue(defaults) ?? [], out var mapping, out error) ? mapping : null;
        }

        command.Validators.Add(result =>
        {
            if (Mapping(result, out string? error) is null && error is not null)
            {
                result.AddError(error);
            }
        });
        command.SetAction((parsed, cancellationToken) => RunAsync(
            parsed.GetRequiredValue(input),
            Mapping(parsed.CommandResult, out _),
            Pacer.PerSecond(broker.Rate(parsed), TimeProvider.System),
            broker.Bootstrap(parsed),
            broker.Topic(parsed),
            cancellationToken));
        return command;
    }

    /// <param name="inputPath">The file.</param>
    /// <param name="csv">How to read it as CSV; null for JSONL.</param>
    /// <param name="pacer">How fast to publish.</param>
    /// <param name="bootstrap">The <c>--bootstrap</c> value, if given.</param>
    /// <param name="topic">Where to publish.</param>
    /// <param name="cancellationToken">Stops publishing (Ctrl+C).</param>
    private static async Task<int> RunAsync(
        string inputPath, TransactionCsvMapping? csv, Pacer pacer, string? bootstrap, string topic, CancellationToken cancellationToken)
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
        {
            // A CSV's header is checked before the broker is: a wrong mapping is the user's to fix first.
            ReplayInput records;
            try
            {
                records = csv is null ? new JsonlInput(file) : new CsvInput(TransactionCsvReader.Open(file, csv));
            }
            catch (InvalidDataException exception)
            {
                return ExitCodes.Usage($"{inputPath}: {exception.Message}");
            }

            using (records)
            using (var session = BrokerSession.Open(bootstrap))
            {
                if (session is null)
                {
                    return ExitCodes.BadUsage;
                }

                var elapsed = Stopwatch.StartNew();
                var tally = await PublishAsync(records, file.Length, session.Publisher, pacer, topic, cancellationToken);
                int inFlight = session.Publisher.Flush(FlushTimeout);
                elapsed.Stop();
                PrintSummary(inputPath, tally, session, topic, inFlight, elapsed.Elapsed);
                bool complete = tally.Skipped == 0 && session.Publisher.Failed == 0 && inFlight == 0 && !cancellationToken.IsCancellationRequested;
                return complete ? ExitCodes.Ok : ExitCodes.Partial;
            }
        }
    }

    private static async Task<ReplayTally> PublishAsync(
        ReplayInput records, long length, KafkaPublisher publisher, Pacer pacer, string topic, CancellationToken cancellationToken)
    {
        var tally = new ReplayTally();
        await SimulationRun.NewProgress().StartAsync(async context =>
        {
            var progress = context.AddTask("replay", maxValue: Math.Max(length, 1));
            while (records.TryRead(out var transaction, out byte[]? message, out string? error))
            {
                if (error is not null)
                {
                    if (++tally.Skipped <= MaxReportedLines)
                    {
                        AnsiConsole.MarkupLineInterpolated($"[yellow]line {records.LineNumber}[/]: {error} (skipped)");
                    }

                    continue;
                }

                if (transaction is null)
                {
                    tally.Blank++;
                    continue;
                }

                await pacer.WaitAsync(tally.Published, transaction.Ts, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                if (cancellationToken.IsCancellationRequested)
                {
                    break;
                }

                publisher.Publish(topic, transaction.UserId.ToString(CultureInfo.InvariantCulture), message!);
                tally.Published++;
                progress.Value = records.BytesRead;
            }

            progress.Value = records.BytesRead;
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
        table.AddRow("published", $"{tally.Published:N0}", Markup.Escape($"transactions of {inputPath} to {topic} at {session.BootstrapServers}"));
        table.AddRow("delivered", $"{publisher.Delivered:N0}", $"in {elapsed.TotalSeconds:N1} s ({publisher.Delivered / Math.Max(elapsed.TotalSeconds, 1e-9):N0} tx/s)");
        table.AddRow("skipped", $"{tally.Skipped:N0}", "invalid lines");
        table.AddRow("blank", $"{tally.Blank:N0}", "lines ignored");
        if (publisher.Failed > 0 || inFlight > 0)
        {
            table.AddRow("not delivered", $"{publisher.Failed + inFlight:N0}", Markup.Escape($"last error: {publisher.LastError ?? "timed out"}"));
        }

        AnsiConsole.Write(table);
    }

    /// <summary>A file's records one at a time: a transaction and its message, why the record is skipped, or (neither) a blank line.</summary>
    private abstract class ReplayInput : IDisposable
    {
        public abstract long LineNumber { get; }

        public abstract long BytesRead { get; }

        /// <returns>False at the end of the file.</returns>
        public abstract bool TryRead(out Transaction? transaction, out byte[]? message, out string? error);

        public virtual void Dispose()
        {
        }
    }

    private sealed class JsonlInput(Stream file) : ReplayInput
    {
        private readonly JsonlReader _reader = new(file);

        public override long LineNumber => _reader.LineNumber;

        public override long BytesRead => _reader.BytesRead;

        public override bool TryRead(out Transaction? transaction, out byte[]? message, out string? error)
        {
            (transaction, message, error) = (null, null, null);
            if (!_reader.TryReadLine(out var line, out bool tooLong))
            {
                return false;
            }

            if (tooLong)
            {
                error = $"longer than {JsonlReader.DefaultMaxLineBytes / (1 << 20)} MiB";
            }
            else if (!line.Span.Trim(" \t"u8).IsEmpty && TransactionJson.TryParse(line.Span, out transaction, out error))
            {
                // The line as written (unknown fields included), minus a byte order mark that only made sense in a file.
                message = (line.Span.StartsWith("\uFEFF"u8) ? line.Span[3..] : line.Span).ToArray();
            }

            return true;
        }
    }

    private sealed class CsvInput(TransactionCsvReader reader) : ReplayInput
    {
        public override long LineNumber => reader.LineNumber;

        public override long BytesRead => reader.BytesRead;

        public override bool TryRead(out Transaction? transaction, out byte[]? message, out string? error)
        {
            if (!reader.TryReadRow(out transaction, out _, out error))
            {
                message = null;
                return false;
            }

            message = transaction is null ? null : TransactionJson.SerializeToUtf8Bytes(transaction);
            return true;
        }

        public override void Dispose() => reader.Dispose();
    }

    private sealed class ReplayTally
    {
        public long Published { get; set; }

        public long Skipped { get; set; }

        public long Blank { get; set; }
    }
}
