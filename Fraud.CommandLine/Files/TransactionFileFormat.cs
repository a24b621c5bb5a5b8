using System.Diagnostics.CodeAnalysis;
using Fraud.Core;

namespace Fraud.CommandLine.Files;

/// <summary>
/// How the verbs that read a transactions file (the producer's <c>replay</c>, the detector's offline verbs) tell
/// JSONL from CSV and read the CSV options, so that <c>--format</c>, <c>--map</c> and <c>--default</c> mean the same
/// everywhere.
/// </summary>
public static class TransactionFileFormat
{
    public const string Csv = "csv";
    public const string Jsonl = "jsonl";

    public const string FormatHelp = "csv or jsonl. Default: CSV for a .csv file, JSONL otherwise.";

    public const string DefaultHelp =
        "CSV only: field=VALUE[,field=VALUE…], a constant for a field the file lacks or leaves empty, e.g. location=FR or currency=USD.";

    public static readonly string MapHelp =
        $"CSV only: field=COLUMN[,field=COLUMN…], the header column that fills each field, e.g. user_id=CUSTOMER_ID,amount=TX_AMOUNT,ts=TX_DATETIME. "
        + $"Fields: {string.Join(", ", TransactionCsvMapping.Fields)}. A field not mapped is read from a column of its own name, if any; "
        + "without a tx_id the rows are named row_1, row_2, …; a time without a zone is UTC.";

    /// <summary>Whether the file is read as CSV: <paramref name="format"/> says so, or, when not given, the file ends in <c>.csv</c>.</summary>
    public static bool IsCsv(string path, string? format) =>
        format is null ? Path.GetExtension(path).Equals(".csv", StringComparison.OrdinalIgnoreCase) : format == Csv;

    /// <summary>The CSV mapping of the command line, or null for JSONL, where <c>--map</c> and <c>--default</c> are refused.</summary>
    /// <returns>False, with the usage error, when the values are wrong.</returns>
    public static bool TryCreateMapping(
        bool isCsv, IReadOnlyList<string> maps, IReadOnlyList<string> defaults, out TransactionCsvMapping? mapping, [NotNullWhen(false)] out string? error)
    {
        mapping = null;
        error = null;
        if (!isCsv)
        {
            error = maps.Count + defaults.Count > 0 ? "--map and --default apply to CSV input only (use a .csv file or --format csv)" : null;
            return error is null;
        }

        return TransactionCsvMapping.TryCreate(maps, defaults, out mapping, out error);
    }
}
