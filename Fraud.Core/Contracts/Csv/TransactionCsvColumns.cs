using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using static Fraud.Core.CsvFieldValues;

namespace Fraud.Core;

/// <summary>
/// A <see cref="TransactionCsvMapping"/> bound to a file's header: reads each data row into a
/// <see cref="Transaction"/>, checked by the same contract rules as JSON, and its <see cref="Label"/> when the file
/// has an <c>is_fraud</c> column. One per file, read from one thread: it keeps the last currency, location and
/// scenario text so that a file repeating them does not allocate a string per row.
/// </summary>
public sealed class TransactionCsvColumns
{
    private readonly int _fieldCount;
    private readonly int[] _indexes;
    private readonly string?[] _constants;
    private readonly string?[] _names;
    private string? _lastCurrency;
    private string? _lastLocation;
    private string? _lastScenario;

    internal TransactionCsvColumns(IReadOnlyList<string> header, int[] indexes, string?[] constants)
    {
        _fieldCount = header.Count;
        _indexes = indexes;
        _constants = constants;
        _names = [.. indexes.Select(index => index < 0 ? null : header[index])];
    }

    /// <summary>Whether rows carry a label: an <c>is_fraud</c> column (or constant) was found.</summary>
    public bool HasLabels => _indexes[IsFraud] >= 0 || _constants[IsFraud] is not null;

    /// <summary>Reads one data row.</summary>
    /// <typeparam name="TRecord">The reader's row type.</typeparam>
    /// <param name="record">The row's fields.</param>
    /// <param name="rowNumber">The row's number among data rows, from 1; names the transaction when no column gives <c>tx_id</c>.</param>
    /// <param name="transaction">The transaction, when the row is valid.</param>
    /// <param name="label">Its label, when the file has labels and this row's <c>is_fraud</c> cell is not empty.</param>
    /// <param name="error">
    /// Otherwise why not, e.g. <c>"amount: must be greater than 0"</c> (the contract's wording) or
    /// <c>"amount: must be a number (column TX_AMOUNT has 'abc')"</c>.
    /// </param>
    /// <returns>True when the row is a valid transaction.</returns>
    public bool TryRead<TRecord>(
        TRecord record,
        long rowNumber,
        [NotNullWhen(true)] out Transaction? transaction,
        out Label? label,
        [NotNullWhen(false)] out string? error)
        where TRecord : ICsvRecord, allows ref struct
    {
        transaction = null;
        label = null;
        if (record.FieldCount != _fieldCount)
        {
            error = $"{record.FieldCount} fields where the header has {_fieldCount}";
            return false;
        }

        var wire = new TransactionWire
        {
            TxId = _indexes[TxId] < 0 && _constants[TxId] is null
                ? string.Create(CultureInfo.InvariantCulture, $"row_{rowNumber}")
                : Text(Cell(record, TxId)),
            Currency = Reuse(Cell(record, Currency), ref _lastCurrency),
            Location = Reuse(Cell(record, Location), ref _lastLocation),
            MerchantId = Text(Cell(record, MerchantId)),
            DeviceId = Text(Cell(record, DeviceId)),
        };
        error = null;
        wire.UserId = Parsed<long>(Cell(record, UserId), UserId, TryParseUserId, "must be an integer", ref error);
        wire.Amount = Parsed<decimal>(Cell(record, Amount), Amount, TryParseAmount, "must be a number", ref error);
        wire.Ts = Parsed<DateTimeOffset>(Cell(record, Ts), Ts, TryParseTimestamp, TimestampExpectation, ref error);
        wire.Mcc = Parsed<int>(Cell(record, Mcc), Mcc, TryParseMcc, "must be an integer", ref error);
        wire.Channel = Parsed<Channel>(Cell(record, CsvFieldValues.Channel), CsvFieldValues.Channel, TryParseChannel, ChannelConverter.Expectation, ref error);
        wire.Lat = Parsed<double>(Cell(record, Lat), Lat, TryParseCoordinate, "must be a number", ref error);
        wire.Lon = Parsed<double>(Cell(record, Lon), Lon, TryParseCoordinate, "must be a number", ref error);
        bool? isFraud = Parsed<bool>(Cell(record, IsFraud), IsFraud, TryParseFlag, FlagExpectation, ref error);
        if (error is not null)
        {
            return false;
        }

        if (!TransactionJson.TryCreate(wire, out transaction, out error))
        {
            return false;
        }

        if (isFraud is { } fraud)
        {
            label = new Label(transaction.TxId, fraud, Reuse(Cell(record, Scenario), ref _lastScenario));
        }

        return true;
    }

    private delegate bool Parser<T>(ReadOnlySpan<char> text, out T value);

    /// <summary>The field's cell, or its constant when it has no column or the cell is empty; empty when neither.</summary>
    private ReadOnlySpan<char> Cell<TRecord>(TRecord record, int field)
        where TRecord : ICsvRecord, allows ref struct
    {
        ReadOnlySpan<char> cell = _indexes[field] >= 0 ? record[_indexes[field]] : [];
        return cell.IsEmpty ? _constants[field] : cell;
    }

    // Constants were checked when the mapping was made, so a value that does not parse comes from a column.

    /// <summary>
    /// The field's value; null when its cell is empty (an absent value, as JSON's null) or does not parse, which sets
    /// <paramref name="error"/> unless an earlier field already did.
    /// </summary>
    private T? Parsed<T>(ReadOnlySpan<char> cell, int field, Parser<T> parse, string expectation, ref string? error)
        where T : struct
    {
        if (error is not null || cell.IsEmpty)
        {
            return null;
        }

        if (!parse(cell, out var value))
        {
            error = $"{TransactionCsvMapping.Fields[field]}: {expectation} (column {_names[field]} has {WireReader.Quote(cell.ToString())})";
            return null;
        }

        return value;
    }

    private static bool TryParseUserId(ReadOnlySpan<char> text, out long value) =>
        long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value);

    private static bool TryParseMcc(ReadOnlySpan<char> text, out int value) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value);

    private static string? Text(ReadOnlySpan<char> cell) => cell.IsEmpty ? null : cell.ToString();

    private static string? Reuse(ReadOnlySpan<char> cell, ref string? last)
    {
        if (cell.IsEmpty)
        {
            return null;
        }

        if (!cell.SequenceEqual(last))
        {
            last = cell.ToString();
        }

        return last;
    }
}
