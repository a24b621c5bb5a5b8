namespace Fraud.Core;

/// <summary>
/// One CSV record's fields, already unquoted, as a CSV reader hands them over. A reader's own row type implements it
/// (a <c>ref struct</c> may), so <see cref="TransactionCsvColumns"/> reads fields in place, without a string per field.
/// </summary>
public interface ICsvRecord
{
    /// <summary>How many fields the record has.</summary>
    int FieldCount { get; }

    /// <summary>The field at <paramref name="index"/> (0-based), unquoted.</summary>
    /// <param name="index">The field's position in the record.</param>
    ReadOnlySpan<char> this[int index] { get; }
}
