using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Fraud.Core;

/// <summary>A wire value of the wrong form; <see cref="WireReader"/> prefixes its message with the field's name.</summary>
internal sealed class WireFormatException(string message) : JsonException(message);

/// <summary>Reads a UTC timestamp (<see cref="UtcTimestamp"/>); writes it with six fraction digits and Z.</summary>
internal sealed class UtcMicrosecondsConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        WireText.ReadTimestamp(ref reader);

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        Span<byte> buffer = stackalloc byte[UtcTimestamp.MaxLength];
        writer.WriteStringValue(buffer[..UtcTimestamp.FormatMicroseconds(value, buffer)]);
    }
}

/// <summary>Reads a UTC timestamp (<see cref="UtcTimestamp"/>); writes it with three fraction digits and Z.</summary>
internal sealed class UtcMillisecondsConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        WireText.ReadTimestamp(ref reader);

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        Span<byte> buffer = stackalloc byte[UtcTimestamp.MaxLength];
        writer.WriteStringValue(buffer[..UtcTimestamp.FormatMilliseconds(value, buffer)]);
    }
}

/// <summary><see cref="Channel"/> as <c>"pos"</c>, <c>"ecom"</c> or <c>"atm"</c>; any other spelling is an error.</summary>
internal sealed class ChannelConverter : JsonConverter<Channel>
{
    public const string Expectation = "must be one of pos, ecom, atm";

    public override Channel Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType != JsonTokenType.String ? throw new WireFormatException(Expectation)
        : reader.ValueTextEquals("pos"u8) ? Channel.Pos
        : reader.ValueTextEquals("ecom"u8) ? Channel.Ecom
        : reader.ValueTextEquals("atm"u8) ? Channel.Atm
        : throw new WireFormatException(Expectation);

    public override void Write(Utf8JsonWriter writer, Channel value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value switch
        {
            Channel.Pos => "pos"u8,
            Channel.Ecom => "ecom"u8,
            Channel.Atm => "atm"u8,
            _ => throw new ArgumentOutOfRangeException(nameof(value), value, "Not a channel of the contract."),
        });
}

/// <summary>
/// An alert's amount: written as a JSON string with two decimals (<c>"1881.22"</c>, the seed's shape, rounded half
/// away from zero); read from such a string or from a plain number.
/// </summary>
internal sealed class TwoDecimalStringConverter : JsonConverter<decimal>
{
    public override decimal Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            return reader.GetDecimal();
        }

        string text = reader.TokenType == JsonTokenType.String
            ? reader.GetString()!
            : throw new WireFormatException("must be a decimal string such as \"12.50\"");
        return decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal value)
            ? value
            : throw new WireFormatException("must be a decimal string such as \"12.50\"");
    }

    public override void Write(Utf8JsonWriter writer, decimal value, JsonSerializerOptions options)
    {
        Span<byte> buffer = stackalloc byte[48];
        decimal rounded = Math.Round(value, 2, MidpointRounding.AwayFromZero);
        rounded.TryFormat(buffer, out int written, "F2", CultureInfo.InvariantCulture);
        writer.WriteStringValue(buffer[..written]);
    }
}

internal static class WireText
{
    public static DateTimeOffset ReadTimestamp(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new WireFormatException(UtcTimestamp.Expectation);
        }

        // The common case reads the bytes in place. An escaped or segmented value is unescaped into a small buffer
        // first; one too long for it stays empty (no valid timestamp is longer than UtcTimestamp.MaxLength, even with
        // every character escaped in six bytes).
        Span<byte> buffer = stackalloc byte[UtcTimestamp.MaxLength * 6];
        scoped ReadOnlySpan<byte> text = [];
        if (!reader.HasValueSequence && !reader.ValueIsEscaped)
        {
            text = reader.ValueSpan;
        }
        else if ((reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length) <= buffer.Length)
        {
            text = buffer[..reader.CopyString(buffer)];
        }

        return UtcTimestamp.TryParse(text, out var value) ? value : throw new WireFormatException(UtcTimestamp.Expectation);
    }
}
