using System.Text;
using Fraud.Core;
using static Fraud.Testing.TransactionMessages;

namespace Fraud.UnitTests.Core;

public class TransactionParsingTests
{
    [Fact]
    public void Parses_the_design_contract_example()
    {
        var transaction = Parse(ContractExample);

        var expected = TransactionMessages.ContractExampleTransaction;
        Assert.Equal(expected, transaction);
    }

    [Fact]
    public void Parses_a_message_with_only_the_required_fields()
    {
        var transaction = Parse(Minimal);

        Assert.Equal(
            new Transaction("tx_1", 7, 12.5m, "EUR", "FR", new DateTimeOffset(2025, 1, 2, 3, 4, 5, 0, 6, TimeSpan.Zero)),
            transaction);
    }

    [Fact]
    public void Currency_defaults_to_EUR()
    {
        Assert.Equal("EUR", Parse(ExampleWith("currency", null)).Currency);
    }

    [Fact]
    public void Currency_is_kept_when_given()
    {
        Assert.Equal("USD", Parse(ExampleWith("currency", "\"USD\"")).Currency);
    }

    [Fact]
    public void Null_currency_means_the_default()
    {
        Assert.Equal("EUR", Parse(ExampleWith("currency", "null")).Currency);
    }

    [Fact]
    public void Null_optional_fields_count_as_absent()
    {
        var transaction = Parse(ExampleWith(
            ("merchant_id", "null"), ("mcc", "null"), ("channel", "null"), ("device_id", "null"), ("lat", "null"), ("lon", "null")));

        Assert.Null(transaction.MerchantId);
        Assert.Null(transaction.Mcc);
        Assert.Null(transaction.Channel);
        Assert.Null(transaction.DeviceId);
        Assert.Null(transaction.Lat);
        Assert.Null(transaction.Lon);
    }

    [Fact]
    public void Unknown_fields_are_ignored()
    {
        var json = ExampleWith(
            ("schema_version", "2"),
            ("card", """{"bin":"411111","tags":["a",null,{"deep":[1,2,3]}]}"""),
            ("TX_ID", "\"shouting is another field\""));

        Assert.Equal(Parse(ContractExample), Parse(json));
    }

    [Fact]
    public void Field_order_does_not_matter()
    {
        const string json =
            """{"ts":"2025-01-02T03:04:05.000006Z","location":"FR","amount":12.5,"user_id":7,"tx_id":"tx_1"}""";

        Assert.Equal(Parse(Minimal), Parse(json));
    }

    [Fact]
    public void Whitespace_around_the_object_and_its_values_is_fine()
    {
        Assert.Equal(Parse(Minimal), Parse("\r\n  " + Minimal.Replace(",", " ,\t", StringComparison.Ordinal) + "  \n"));
    }

    [Fact]
    public void A_leading_utf8_byte_order_mark_is_skipped()
    {
        byte[] utf8 = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(Minimal)];

        Assert.True(TransactionJson.TryParse(utf8, out var transaction, out var error), error);
        Assert.Equal(Parse(Minimal), transaction);
    }

    [Theory]
    [InlineData("2025-09-13T07:46:41.314350Z")]
    [InlineData("2025-09-13T07:46:41.314350+00:00")]
    public void Timestamp_in_utc_is_accepted_with_Z_or_plus_00_00(string ts)
    {
        var transaction = Parse(ExampleWith("ts", $"\"{ts}\""));

        Assert.Equal(new DateTimeOffset(2025, 9, 13, 7, 46, 41, 314, 350, TimeSpan.Zero), transaction.Ts);
        Assert.Equal(TimeSpan.Zero, transaction.Ts.Offset);
    }

    [Theory]
    [InlineData("2025-09-13T07:46:41Z", 0)]
    [InlineData("2025-09-13T07:46:41.4Z", 400_000)]
    [InlineData("2025-09-13T07:46:41.400Z", 400_000)]
    [InlineData("2025-09-13T07:46:41.000001Z", 1)]
    [InlineData("2025-09-13T07:46:41.1234567Z", 123_456)]
    [InlineData("2025-09-13T07:46:41.123456789Z", 123_456)]
    public void Timestamp_fraction_may_have_any_precision_and_is_kept_to_the_microsecond(string ts, int microseconds)
    {
        var transaction = Parse(ExampleWith("ts", $"\"{ts}\""));

        var whole = new DateTimeOffset(2025, 9, 13, 7, 46, 41, TimeSpan.Zero);
        Assert.Equal(whole.AddTicks(microseconds * TimeSpan.TicksPerMicrosecond), transaction.Ts);
    }

    [Fact]
    public void Timestamp_written_with_json_escapes_is_read()
    {
        var transaction = Parse(ExampleWith("ts", "\"\\u0032025-09-13T07:46:41.314350\\u005A\""));

        Assert.Equal(new DateTimeOffset(2025, 9, 13, 7, 46, 41, 314, 350, TimeSpan.Zero), transaction.Ts);
    }

    [Fact]
    public void Leap_day_is_a_valid_date()
    {
        Assert.Equal(29, Parse(ExampleWith("ts", "\"2024-02-29T23:59:59Z\"")).Ts.Day);
    }

    [Theory]
    [InlineData("pos", Channel.Pos)]
    [InlineData("ecom", Channel.Ecom)]
    [InlineData("atm", Channel.Atm)]
    public void Channel_is_read_from_its_lowercase_name(string wire, Channel channel)
    {
        Assert.Equal(channel, Parse(ExampleWith("channel", $"\"{wire}\"")).Channel);
    }

    [Theory]
    [InlineData("1881.22", "1881.22")]
    [InlineData("1881.20", "1881.20")]
    [InlineData("7", "7")]
    [InlineData("0.01", "0.01")]
    public void Amount_is_read_exactly_as_a_decimal_keeping_its_scale(string wire, string expected)
    {
        decimal amount = Parse(ExampleWith("amount", wire)).Amount;

        Assert.Equal(expected, amount.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("tx_id", "\"t\"")]
    [InlineData("user_id", "0")]
    [InlineData("user_id", "9223372036854775807")]
    [InlineData("amount", "0.0001")]
    [InlineData("amount", "1000000000000")]
    [InlineData("amount", "1000000000000.00")]
    [InlineData("mcc", "0")]
    [InlineData("mcc", "9999")]
    [InlineData("lat", "90")]
    [InlineData("lat", "-90")]
    [InlineData("lon", "180")]
    [InlineData("lon", "-180")]
    [InlineData("currency", "\"XCG\"")]
    [InlineData("location", "\"AQ\"")]
    [InlineData("location", "\"BQ\"")]
    public void Values_on_the_edge_of_their_range_are_accepted(string field, string value)
    {
        Parse(ExampleWith(field, value));
    }

    [Fact]
    public void Tx_id_of_64_characters_is_accepted()
    {
        string txId = new('x', 64);

        Assert.Equal(txId, Parse(ExampleWith("tx_id", $"\"{txId}\"")).TxId);
    }
}
