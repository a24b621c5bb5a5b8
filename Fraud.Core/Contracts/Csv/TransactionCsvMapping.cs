using System.Diagnostics.CodeAnalysis;

namespace Fraud.Core;

/// <summary>
/// How the columns of a CSV file become <see cref="Transaction"/>s and, optionally, <see cref="Label"/>s: which
/// column fills which field of the contract (<c>--map amount=TX_AMOUNT,ts=TX_DATETIME</c>), and constants for fields
/// that a file lacks or leaves empty (<c>--default location=FR</c>). A field that is not mapped is read from a column
/// of its own name when the header has one, so a CSV written in the contract's names (<c>tx_id,user_id,amount,…</c>)
/// needs no mapping at all; a file without a <c>tx_id</c> gets <c>row_&lt;n&gt;</c>, n counting data rows from 1.
/// <see cref="TryBind"/> checks the mapping against a header.
/// </summary>
public sealed class TransactionCsvMapping
{
    /// <summary>The fields a column or a constant can fill: the transaction's, then the label's.</summary>
    public static IReadOnlyList<string> Fields { get; } =
        ["tx_id", "user_id", "amount", "currency", "location", "ts", "merchant_id", "mcc", "channel", "device_id", "lat", "lon", "is_fraud", "scenario"];

    private readonly string?[] _columns;
    private readonly string?[] _constants;

    private TransactionCsvMapping(string?[] columns, string?[] constants)
    {
        _columns = columns;
        _constants = constants;
    }

    /// <summary>
    /// Reads the mapping from the command line's values: each of <paramref name="maps"/> is <c>field=COLUMN</c>, each
    /// of <paramref name="constants"/> is <c>field=VALUE</c>, several of either separated by commas. A constant fills a
    /// field that has no column, and the empty cells of one that has.
    /// </summary>
    /// <param name="maps">The <c>--map</c> values.</param>
    /// <param name="constants">The <c>--default</c> values.</param>
    /// <param name="mapping">The mapping, when valid.</param>
    /// <param name="error">Otherwise why not, e.g. <c>"--map: 'amt' is not a field; they are tx_id, user_id, …"</c>.</param>
    /// <returns>True when every entry names a field once and every constant is a valid value of its field.</returns>
    public static bool TryCreate(
        IEnumerable<string> maps,
        IEnumerable<string> constants,
        [NotNullWhen(true)] out TransactionCsvMapping? mapping,
        [NotNullWhen(false)] out string? error)
    {
        mapping = null;
        var columns = new string?[Fields.Count];
        var values = new string?[Fields.Count];
        error = Read("--map", maps, columns) ?? Read("--default", constants, values);
        for (int field = 0; error is null && field < Fields.Count; field++)
        {
            if (values[field] is { } value && CsvFieldValues.Check(field, value) is { } problem)
            {
                error = $"--default: {Fields[field]}: {problem}";
            }
        }

        if (error is not null)
        {
            return false;
        }

        mapping = new TransactionCsvMapping(columns, values);
        return true;
    }

    /// <summary>
    /// Finds each field's column in <paramref name="header"/>. Fails when a mapped column is not there or is there twice
    /// (the error names it and lists the header), or when a required field (<c>user_id</c>, <c>amount</c>,
    /// <c>location</c>, <c>ts</c>) has neither a column nor a constant.
    /// </summary>
    /// <param name="header">The header row's names, in order.</param>
    /// <param name="columns">The bound columns, which read the rows.</param>
    /// <param name="error">Why the header does not fit, otherwise.</param>
    /// <returns>True when every field the mapping needs is found.</returns>
    public bool TryBind(IReadOnlyList<string> header, [NotNullWhen(true)] out TransactionCsvColumns? columns, [NotNullWhen(false)] out string? error)
    {
        columns = null;
        error = null;
        var indexes = new int[Fields.Count];
        for (int field = 0; field < Fields.Count; field++)
        {
            string name = _columns[field] ?? Fields[field];
            int index = IndexOf(header, name, out bool twice);

            // A repeated name is ambiguous, which matters only for a column that would be read: a mapped one, or a
            // same-named one with no constant to fall back on.
            if (twice && (_columns[field] is not null || _constants[field] is null))
            {
                error = $"column '{name}' (for {Fields[field]}) appears more than once in the header: {Listed(header)}";
                return false;
            }

            if (index < 0 && _columns[field] is not null)
            {
                error = $"no column '{name}' (mapped to {Fields[field]}); the header has: {Listed(header)}";
                return false;
            }

            indexes[field] = twice ? -1 : index;
        }

        foreach (int field in CsvFieldValues.Required)
        {
            if (indexes[field] < 0 && _constants[field] is null)
            {
                error = $"nothing gives {Fields[field]}: map a column with --map {Fields[field]}=COLUMN or give --default {Fields[field]}=VALUE; the header has: {Listed(header)}";
                return false;
            }
        }

        columns = new TransactionCsvColumns(header, indexes, _constants);
        return true;
    }

    private static string? Read(string option, IEnumerable<string> entries, string?[] into)
    {
        foreach (string entry in entries.SelectMany(value => value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)))
        {
            int equals = entry.IndexOf('=', StringComparison.Ordinal);
            string name = equals < 0 ? entry : entry[..equals].Trim();
            int field = IndexOfField(name);
            if (field < 0)
            {
                return $"{option}: '{name}' is not a field; they are {string.Join(", ", Fields)}";
            }

            if (equals < 0 || entry[(equals + 1)..].Trim() is not { Length: > 0 } value)
            {
                return $"{option}: '{entry}' needs a {(option == "--map" ? "column" : "value")}: {name}={(option == "--map" ? "COLUMN" : "VALUE")}";
            }

            if (into[field] is not null)
            {
                return $"{option}: {name} is given twice";
            }

            into[field] = value;
        }

        return null;
    }

    private static int IndexOfField(string name)
    {
        for (int field = 0; field < Fields.Count; field++)
        {
            if (string.Equals(Fields[field], name, StringComparison.Ordinal))
            {
                return field;
            }
        }

        return -1;
    }

    private static int IndexOf(IReadOnlyList<string> header, string name, out bool twice)
    {
        int found = -1;
        twice = false;
        for (int index = 0; index < header.Count; index++)
        {
            if (string.Equals(header[index], name, StringComparison.Ordinal))
            {
                twice |= found >= 0;
                found = found >= 0 ? found : index;
            }
        }

        return found;
    }

    private static string Listed(IReadOnlyList<string> header) => string.Join(", ", header.Select(name => name.Length == 0 ? "''" : name));
}
