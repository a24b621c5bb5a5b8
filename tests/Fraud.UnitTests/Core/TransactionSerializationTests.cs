using System.Text;
using Fraud.Core;
using static Fraud.Testing.TransactionMessages;

namespace Fraud.UnitTests.Core;

public class TransactionSerializationTests
{
    private static readonly Transaction Example = TransactionMessages.ContractExampleTransaction;

    [Fact]
    public void Writes_the_design_contract_example_with_snake_case_names_in_contract_order()
    {
        // Same text as the contract's example, except that a double has no trailing zero: -3.70 is written -3.7.
        Assert.Equal(
            """{"tx_id":"tx_000000001","user_id":4405,"amount":1881.22,"currency":"EUR","location":"ES","ts":"2025-09-13T07:46:41.314350Z","merchant_id":"m_01234","mcc":5411,"channel":"pos","device_id":"d_000099","lat":40.41,"lon":-3.7}""",
            TransactionJson.Serialize(Example));
    }

    [Fact]
    public void Null_optional_fields_are_omitted()
    {
        var transaction = new Transaction("tx_1", 7, 12.5m, "EUR", "FR", new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero));

        Assert.Equal(
            """{"tx_id":"tx_1","user_id":7,"amount":12.5,"currency":"EUR","location":"FR","ts":"2025-01-02T03:04:05.000000Z"}""",
            TransactionJson.Serialize(transaction));
    }

    [Theory]
    [InlineData(0, "2025-09-13T07:46:41.314350Z")]
    [InlineData(2, "2025-09-13T05:46:41.314350Z")]
    [InlineData(-5, "2025-09-13T12:46:41.314350Z")]
    public void Timestamp_is_written_in_utc_with_six_fraction_digits(int offsetHours, string expected)
    {
        var local = new DateTimeOffset(2025, 9, 13, 7, 46, 41, 314, 350, TimeSpan.FromHours(offsetHours));

        string json = TransactionJson.Serialize(Example with { Ts = local });

        Assert.Contains($"\"ts\":\"{expected}\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Timestamp_on_a_whole_second_still_has_six_fraction_digits()
    {
        string json = TransactionJson.Serialize(Example with { Ts = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero) });

        Assert.Contains("\"ts\":\"2025-01-01T00:00:00.000000Z\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Timestamp_finer_than_a_microsecond_is_truncated()
    {
        var ts = new DateTimeOffset(2025, 9, 13, 7, 46, 41, 314, 350, TimeSpan.Zero).AddTicks(9);

        Assert.Contains("\"ts\":\"2025-09-13T07:46:41.314350Z\"", TransactionJson.Serialize(Example with { Ts = ts }), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1881.22", "1881.22")]
    [InlineData("10.50", "10.50")]
    [InlineData("10.500", "10.500")]
    [InlineData("7", "7")]
    [InlineData("0.001", "0.001")]
    public void Amount_is_a_json_number_keeping_its_decimal_scale(string amount, string expected)
    {
        decimal value = decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture);

        Assert.Contains($"\"amount\":{expected},", TransactionJson.Serialize(Example with { Amount = value }), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Channel.Pos, "pos")]
    [InlineData(Channel.Ecom, "ecom")]
    [InlineData(Channel.Atm, "atm")]
    public void Channel_is_written_in_lowercase(Channel channel, string expected)
    {
        Assert.Contains($"\"channel\":\"{expected}\"", TransactionJson.Serialize(Example with { Channel = channel }), StringComparison.Ordinal);
    }

    [Fact]
    public void Bytes_and_text_forms_are_the_same_json()
    {
        Assert.Equal(TransactionJson.Serialize(Example), Encoding.UTF8.GetString(TransactionJson.SerializeToUtf8Bytes(Example)));
    }

    [Fact]
    public void Serialize_then_parse_round_trips()
    {
        Assert.True(TransactionJson.TryParse(TransactionJson.SerializeToUtf8Bytes(Example), out var parsed, out var error), error);
        Assert.Equal(Example, parsed);
    }

    [Fact]
    public void Serialize_then_parse_round_trips_without_optional_fields()
    {
        var minimal = new Transaction("tx_1", 0, 0.01m, "JPY", "JP", new DateTimeOffset(2025, 1, 2, 3, 4, 5, 6, 7, TimeSpan.Zero));

        Assert.Equal(minimal, Parse(TransactionJson.Serialize(minimal)));
    }

    [Fact]
    public void Serialize_then_parse_round_trips_a_timestamp_given_in_local_time()
    {
        var local = Example with { Ts = new DateTimeOffset(2025, 9, 13, 9, 46, 41, 314, 350, TimeSpan.FromHours(2)) };

        var parsed = Parse(TransactionJson.Serialize(local));

        Assert.Equal(local, parsed);
        Assert.Equal(TimeSpan.Zero, parsed.Ts.Offset);
    }

    [Fact]
    public void Text_needing_escapes_round_trips()
    {
        var odd = Example with { TxId = "tx \"quoted\" \\ é 🙂", MerchantId = "m<script>", DeviceId = "d\n1" };

        Assert.Equal(odd, Parse(TransactionJson.Serialize(odd)));
    }

    [Fact]
    public void Parse_then_serialize_gives_the_canonical_line()
    {
        const string loose =
            """{ "lon": -3.70, "lat": 40.41, "ts": "2025-09-13T07:46:41.31435+00:00", "tx_id": "tx_000000001", "user_id": 4405, "amount": 1881.22, "location": "ES", "channel": "pos", "mcc": 5411, "merchant_id": "m_01234", "device_id": "d_000099", "extra": 1 }""";

        Assert.Equal(TransactionJson.Serialize(Example), TransactionJson.Serialize(Parse(loose)));
    }
}
