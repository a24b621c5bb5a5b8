using System.Buffers;
using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.Json;
using Fraud.CommandLine.Files;
using Fraud.Core;

namespace Fraud.Detector.Offline;

/// <summary>
/// A verb's transactions file and how to read it: JSONL in the contract, or CSV through a column mapping, whose rows
/// may also carry the labels.
/// </summary>
internal sealed class TransactionInput(FileInfo file, TransactionCsvMapping? csv)
{
    /// <summary>Uses one valid transaction and its JSON (the line as written, or a CSV row written as JSON); returns why it cannot be used, or null.</summary>
    public delegate string? TransactionReader(Transaction transaction, ReadOnlySpan<byte> json);

    public FileInfo File { get; } = file;

    public bool IsCsv => csv is not null;

    public override string ToString() => File.ToString();

    /// <summary>Reads the transactions in file order; a line or row that is not a valid transaction is reported and skipped.</summary>
    /// <param name="skipped">Where invalid lines are reported.</param>
    /// <param name="description">What the progress bar says.</param>
    /// <param name="read">Uses each valid transaction.</param>
    /// <param name="labels">When given, the CSV's labels go there as their rows are read (a CSV without them is bad input unless <paramref name="labelsOptional"/>).</param>
    /// <param name="labelsOptional">Whether a CSV without labels is fine: the verb then runs without them.</param>
    public void Read(SkippedLines skipped, string description, TransactionReader read, Dictionary<string, Label>? labels = null, bool labelsOptional = false)
    {
        if (csv is null)
        {
            JsonlLines.Read(File, skipped, description, line => TransactionJson.TryParse(line, out var transaction, out string? error) ? read(transaction, line) : error);
            return;
        }

        using var source = DetectionInputs.OpenInput(File);
        using var reader = OpenCsv(source, csv);
        if (labels is not null && !reader.HasLabels && labelsOptional)
        {
            labels = null;
        }
        else if (labels is not null && !reader.HasLabels)
        {
            throw new BadInputException($"{File}: no is_fraud column to take the labels from: map one with --map is_fraud=COLUMN, or give --labels.");
        }

        // One buffer for every row's JSON: what train hashes for its version, so the same rows give the same model.
        var json = new ArrayBufferWriter<byte>();
        using var writer = new Utf8JsonWriter(json);
        Terminal.WithProgress(description, source.Length, progress =>
        {
            while (reader.TryReadRow(out var transaction, out var label, out string? error))
            {
                if (transaction is not null && labels is not null && label is not null && !labels.TryAdd(label.TxId, label))
                {
                    error = $"tx_id '{label.TxId}' is labelled twice";
                }
                else if (transaction is not null)
                {
                    json.ResetWrittenCount();
                    writer.Reset();
                    TransactionJson.Write(writer, transaction);
                    writer.Flush();
                    error = read(transaction, json.WrittenSpan);
                }

                if (error is not null)
                {
                    skipped.Report(reader.LineNumber, error);
                }

                if (reader.LineNumber % 65_536 == 0)
                {
                    progress(reader.BytesRead);
                }
            }

            return 0;
        });
    }

    private TransactionCsvReader OpenCsv(Stream source, TransactionCsvMapping mapping)
    {
        try
        {
            return TransactionCsvReader.Open(source, mapping);
        }
        catch (InvalidDataException exception)
        {
            throw new BadInputException($"{File}: {exception.Message}");
        }
    }
}

/// <summary>
/// The options that say how to read a verb's transactions file: <c>--format</c>, <c>--map</c> and <c>--default</c>
/// (see <see cref="TransactionFileFormat"/>). A mistake in them is a usage error, exit code 2.
/// </summary>
internal sealed class TransactionInputOptions(Option<FileInfo> file)
{
    private readonly Option<string?> _format = new Option<string?>("--format") { Description = TransactionFileFormat.FormatHelp }
        .AcceptOnlyFromAmong(TransactionFileFormat.Csv, TransactionFileFormat.Jsonl);

    private readonly Option<string[]> _map = new("--map") { Description = TransactionFileFormat.MapHelp, HelpName = "field=COLUMN" };

    private readonly Option<string[]> _default = new("--default") { Description = TransactionFileFormat.DefaultHelp, HelpName = "field=VALUE" };

    /// <summary><c>--input</c>, the transactions file of every verb but evaluate.</summary>
    public static Option<FileInfo> InputOption() =>
        new Option<FileInfo>("--input")
        {
            Description = "Transactions in event-time order: JSONL, one JSON object per line, or CSV with a header (see --format, --map, --default).",
            Required = true,
        }.AcceptExistingOnly();

    /// <summary>Adds the options after <paramref name="command"/>'s own, and a check of the mapping.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(_format);
        command.Options.Add(_map);
        command.Options.Add(_default);
        command.Validators.Add(result =>
        {
            if (!TryCreateMapping(result, out _, out string? error))
            {
                result.AddError(error);
            }
        });
    }

    /// <summary>Whether the file is read as CSV, e.g. to take its labels from it.</summary>
    /// <remarks>From the tokens as typed: a validator must not ask for the value of an option that failed its own check (a missing file).</remarks>
    public bool IsCsv(CommandResult result) =>
        result.GetResult(file) is { Tokens: [.., var path] } && TransactionFileFormat.IsCsv(path.Value, result.GetResult(_format) is { Tokens: [.., var format] } ? format.Value : null);

    /// <summary>The transactions file, or null when the command line does not give one.</summary>
    public TransactionInput? Get(ParseResult parse) =>
        parse.GetValue(file) is { } path && TryCreateMapping(parse.CommandResult, out var mapping, out _) ? new TransactionInput(path, mapping) : null;

    /// <summary>
    /// Makes <paramref name="labels"/> optional: the labels come from it when given, else from the CSV's
    /// <c>is_fraud</c> column.
    /// </summary>
    public void TakeLabelsFromCsvUnless(Option<FileInfo> labels, Command command) => command.Validators.Add(result =>
    {
        if (result.GetResult(labels) is null && !IsCsv(result))
        {
            result.AddError($"{command.Name} needs --labels, or a CSV {file.Name} whose is_fraud column gives them.");
        }
    });

    private bool TryCreateMapping(CommandResult result, out TransactionCsvMapping? mapping, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error) =>
        TransactionFileFormat.TryCreateMapping(IsCsv(result), result.GetValue(_map) ?? [], result.GetValue(_default) ?? [], out mapping, out error);
}
