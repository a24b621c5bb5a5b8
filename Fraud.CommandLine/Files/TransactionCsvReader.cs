using Fraud.Core;
using nietras.SeparatedValues;

namespace Fraud.CommandLine.Files;

/// <summary>
/// Reads a CSV file of transactions through a <see cref="TransactionCsvMapping"/>: RFC 4180 (comma-separated, a
/// header row, quoted fields with embedded commas, quotes and line breaks), parsed by Sep. Each data row becomes a
/// contract-checked <see cref="Transaction"/> or the reason it is not; blank lines are skipped. Shared by the
/// producer's and the detector's file verbs, beside <see cref="JsonlReader"/>.
/// </summary>
public sealed class TransactionCsvReader : IDisposable
{
    private readonly Stream _stream;
    private readonly SepReader _reader;
    private readonly TransactionCsvColumns _columns;
    private long _rows;

    private TransactionCsvReader(Stream stream, SepReader reader, TransactionCsvColumns columns)
    {
        _stream = stream;
        _reader = reader;
        _columns = columns;
    }

    /// <summary>Whether the rows carry labels (the file has an <c>is_fraud</c> column, or a constant gives one).</summary>
    public bool HasLabels => _columns.HasLabels;

    /// <summary>The 1-based line on which the row last returned starts (a quoted line break makes a row span lines).</summary>
    public long LineNumber { get; private set; }

    /// <summary>Bytes consumed from the stream so far, for progress (read ahead by a buffer).</summary>
    public long BytesRead => _stream.Position;

    /// <summary>Reads the header and binds the mapping to it.</summary>
    /// <param name="stream">The file, positioned at its start; left open.</param>
    /// <param name="mapping">Which columns fill which fields.</param>
    /// <returns>The reader, positioned on the first data row.</returns>
    /// <exception cref="InvalidDataException">The file has no header, or the header lacks a mapped column; the message says which.</exception>
    public static TransactionCsvReader Open(Stream stream, TransactionCsvMapping mapping)
    {
        // The header is read as a plain row, so that names repeated or left empty (as some exports do) are the
        // mapping's business, reported only when they matter, rather than an exception of the parser.
        var reader = Sep.New(',').Reader(options => options with { HasHeader = false, Unescape = true, DisableColCountCheck = true }).From(stream, leaveOpen: true);
        try
        {
            if (!reader.MoveNext())
            {
                throw new InvalidDataException("empty file: a CSV input needs a header row naming its columns");
            }

            var row = reader.Current;
            var header = new string[row.ColCount];
            for (int index = 0; index < header.Length; index++)
            {
                header[index] = row[index].ToString();
            }

            if (!mapping.TryBind(header, out var columns, out string? error))
            {
                throw new InvalidDataException(error);
            }

            return new TransactionCsvReader(stream, reader, columns);
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    /// <summary>Reads the next data row.</summary>
    /// <param name="transaction">The row's transaction, when it is valid.</param>
    /// <param name="label">Its label, when the file has labels and the row's <c>is_fraud</c> cell is not empty.</param>
    /// <param name="error">Why the row is not a valid transaction, otherwise; <see cref="LineNumber"/> says where.</param>
    /// <returns>False at the end of the file.</returns>
    public bool TryReadRow(out Transaction? transaction, out Label? label, out string? error)
    {
        while (_reader.MoveNext())
        {
            var row = _reader.Current;
            if (row.ColCount == 1 && row[0].Span.IsEmpty)
            {
                continue;   // a blank line
            }

            LineNumber = row.LineNumberFrom;
            _columns.TryRead(new Record(row), ++_rows, out transaction, out label, out error);
            return true;
        }

        (transaction, label, error) = (null, null, null);
        return false;
    }

    public void Dispose() => _reader.Dispose();

    /// <summary>Sep's row as the mapping reads it, field by field in place.</summary>
    private readonly ref struct Record(SepReader.Row row) : ICsvRecord
    {
        private readonly SepReader.Row _row = row;

        public int FieldCount => _row.ColCount;

        public ReadOnlySpan<char> this[int index] => _row[index].Span;
    }
}
