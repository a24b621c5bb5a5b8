using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.Unicode;

namespace Fraud.Core;

/// <summary>
/// Deserializes a wire DTO and turns a failure into the contract's error text: <c>"&lt;field&gt;: &lt;why&gt;"</c> when
/// a field is at fault, <c>"invalid JSON: &lt;why, with the path&gt;"</c> when the text is not a JSON object.
/// </summary>
internal static class WireReader
{
    private const int MaxQuotedLength = 24;

    /// <param name="utf8Json">The message; a leading UTF-8 byte order mark is skipped.</param>
    /// <param name="typeInfo">The source-generated DTO metadata.</param>
    /// <param name="expectation">What a field's value must be, e.g. <c>"must be an integer"</c>, for a value of the wrong JSON type.</param>
    /// <param name="wire">The DTO, on success.</param>
    /// <param name="error">The reason, on failure.</param>
    public static bool TryRead<T>(
        ReadOnlySpan<byte> utf8Json,
        JsonTypeInfo<T> typeInfo,
        Func<string, string> expectation,
        [NotNullWhen(true)] out T? wire,
        [NotNullWhen(false)] out string? error)
        where T : class
    {
        wire = null;
        utf8Json = SkipByteOrderMark(utf8Json);
        if (!StartsWithObject(utf8Json))
        {
            error = utf8Json.Trim(" \t\r\n"u8).IsEmpty ? "invalid JSON: empty input" : "invalid JSON: expected an object";
            return false;
        }

        // Checked up front (vectorised, cheap) so that a bad byte inside a string is not mistaken for a wrong type.
        if (!Utf8.IsValid(utf8Json))
        {
            error = "invalid JSON: not valid UTF-8";
            return false;
        }

        try
        {
            wire = JsonSerializer.Deserialize(utf8Json, typeInfo)!;
            error = null;
            return true;
        }
        catch (JsonException exception)
        {
            error = Describe(exception, expectation);
            return false;
        }
    }

    /// <summary>A value echoed in an error, quoted and cut short so that a huge value cannot bloat a DLQ header.</summary>
    public static string Quote(string value) =>
        value.Length <= MaxQuotedLength ? $"'{value}'" : $"'{value[..MaxQuotedLength]}…'";

    private static string Describe(JsonException exception, Func<string, string> expectation)
    {
        // Malformed JSON (the reader's own message names the path and byte position), or a fault outside any field.
        if (exception.InnerException is JsonException || FieldOf(exception.Path) is not { } field)
        {
            return $"invalid JSON: {exception.Message}";
        }

        return (exception, exception.InnerException) switch
        {
            (WireFormatException, _) => $"{field}: {exception.Message}",
            // A value of the wrong JSON type (a string for a number, a fraction for an integer, an overflow).
            (_, InvalidOperationException or FormatException) => $"{field}: {expectation(field)}",
            // The only remaining cause inside a known field: AllowDuplicateProperties = false.
            (_, null) => $"{field}: must appear only once",
            _ => $"{field}: {exception.Message}",
        };
    }

    /// <summary><c>$.user_id</c> → <c>user_id</c>; null for the root or for a name that needs bracket syntax.</summary>
    private static string? FieldOf(string? path)
    {
        if (path is null || !path.StartsWith("$.", StringComparison.Ordinal))
        {
            return null;
        }

        var name = path.AsSpan(2);
        int end = name.IndexOfAny('.', '[');
        return (end < 0 ? name : name[..end]).ToString() is { Length: > 0 } field ? field : null;
    }

    private static ReadOnlySpan<byte> SkipByteOrderMark(ReadOnlySpan<byte> utf8Json) =>
        utf8Json.StartsWith("\uFEFF"u8) ? utf8Json[3..] : utf8Json;

    private static bool StartsWithObject(ReadOnlySpan<byte> utf8Json)
    {
        var start = utf8Json.TrimStart(" \t\r\n"u8);
        return !start.IsEmpty && start[0] == (byte)'{';
    }
}
