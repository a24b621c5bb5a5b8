using System.Text;
using Fraud.Core;
using static Fraud.Testing.TransactionMessages;

namespace Fraud.UnitTests.Core;

public class TransactionValidationTests
{
    private const string NotUtc = "must be ISO-8601 UTC (ending in Z or +00:00)";

    [Fact]
    public void Missing_tx_id_is_rejected_with_the_field_name()
    {
        Assert.Equal("tx_id: required", ParseError(ExampleWith("tx_id", null)));
    }

    [Theory]
    [InlineData("tx_id")]
    [InlineData("user_id")]
    [InlineData("amount")]
    [InlineData("location")]
    [InlineData("ts")]
    public void Missing_required_field_is_rejected_as_required(string field)
    {
        Assert.Equal($"{field}: required", ParseError(ExampleWith(field, null)));
    }

    [Theory]
    [InlineData("tx_id")]
    [InlineData("user_id")]
    [InlineData("amount")]
    [InlineData("location")]
    [InlineData("ts")]
    public void Null_required_field_is_rejected_as_required(string field)
    {
        Assert.Equal($"{field}: required", ParseError(ExampleWith(field, "null")));
    }

    [Theory]
    // tx_id: a non-empty string of at most 64 characters
    [InlineData("tx_id", "\"\"", "tx_id: must not be empty")]
    [InlineData("tx_id", "\"   \"", "tx_id: must not be empty")]
    [InlineData("tx_id", "\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"", "tx_id: must be at most 64 characters")]
    [InlineData("tx_id", "42", "tx_id: must be a string")]
    [InlineData("tx_id", "[\"tx_1\"]", "tx_id: must be a string")]
    // user_id: a JSON integer, not negative
    [InlineData("user_id", "-1", "user_id: must not be negative")]
    [InlineData("user_id", "\"4405\"", "user_id: must be an integer")]
    [InlineData("user_id", "4405.5", "user_id: must be an integer")]
    [InlineData("user_id", "4405.0", "user_id: must be an integer")]
    [InlineData("user_id", "4.405e3", "user_id: must be an integer")]
    [InlineData("user_id", "99999999999999999999", "user_id: must be an integer")]
    [InlineData("user_id", "true", "user_id: must be an integer")]
    [InlineData("user_id", "{}", "user_id: must be an integer")]
    // amount: a JSON number, greater than 0, at most 1e12
    [InlineData("amount", "0", "amount: must be greater than 0")]
    [InlineData("amount", "0.00", "amount: must be greater than 0")]
    [InlineData("amount", "-0", "amount: must be greater than 0")]
    [InlineData("amount", "-12.50", "amount: must be greater than 0")]
    [InlineData("amount", "1000000000000.01", "amount: must be at most 1000000000000")]
    [InlineData("amount", "1e13", "amount: must be at most 1000000000000")]
    [InlineData("amount", "1e400", "amount: must be a number")]
    [InlineData("amount", "\"1881.22\"", "amount: must be a number")]
    [InlineData("amount", "false", "amount: must be a number")]
    // currency: an ISO-4217 code, uppercase
    [InlineData("currency", "\"eur\"", "currency: 'eur' is not an active ISO-4217 code")]
    [InlineData("currency", "\"EURO\"", "currency: 'EURO' is not an active ISO-4217 code")]
    [InlineData("currency", "\"XYZ\"", "currency: 'XYZ' is not an active ISO-4217 code")]
    [InlineData("currency", "\"\"", "currency: '' is not an active ISO-4217 code")]
    [InlineData("currency", "978", "currency: must be a string")]
    // location: an assigned ISO-3166 alpha-2 code, uppercase
    [InlineData("location", "\"XX\"", "location: 'XX' is not an ISO-3166 alpha-2 code")]
    [InlineData("location", "\"es\"", "location: 'es' is not an ISO-3166 alpha-2 code")]
    [InlineData("location", "\"ESP\"", "location: 'ESP' is not an ISO-3166 alpha-2 code")]
    [InlineData("location", "\"UK\"", "location: 'UK' is not an ISO-3166 alpha-2 code")]
    [InlineData("location", "\"XK\"", "location: 'XK' is not an ISO-3166 alpha-2 code")]
    [InlineData("location", "\"\"", "location: '' is not an ISO-3166 alpha-2 code")]
    [InlineData("location", "34", "location: must be a string")]
    // ts: ISO-8601 with a UTC designator
    [InlineData("ts", "\"2025-09-13T07:46:41.314350\"", "ts: " + NotUtc)]
    [InlineData("ts", "\"2025-09-13T09:46:41.314350+02:00\"", "ts: " + NotUtc)]
    [InlineData("ts", "\"2025-09-13T07:46:41.314350-00:00\"", "ts: " + NotUtc)]
    [InlineData("ts", "\"2025-09-13T07:46:41.314350+0000\"", "ts: " + NotUtc)]
    [InlineData("ts", "\"2025-09-13T07:46:41.314350z\"", "ts: " + NotUtc)]
    [InlineData("ts", "\"2025-09-13 07:46:41.314350Z\"", "ts: " + NotUtc)]
    [InlineData("ts", "\"2025-09-13T07:46Z\"", "ts: " + NotUtc)]
    [InlineData("ts", "\"2025-09-13T07:46:41.Z\"", "ts: " + NotUtc)]
    [InlineData("ts", "\"2025-09-13T07:46:41.1234567890Z\"", "ts: " + NotUtc)]
    [InlineData("ts", "\"2025-09-13\"", "ts: " + NotUtc)]
    [InlineData("ts", "\"2025-02-29T00:00:00Z\"", "ts: " + NotUtc)]
    [InlineData("ts", "\"2025-13-01T00:00:00Z\"", "ts: " + NotUtc)]
    [InlineData("ts", "\"2025-09-13T24:00:00Z\"", "ts: " + NotUtc)]
    [InlineData("ts", "\"2016-12-31T23:59:60Z\"", "ts: " + NotUtc)]
    [InlineData("ts", "\"0000-01-01T00:00:00Z\"", "ts: " + NotUtc)]
    [InlineData("ts", "\"Sat, 13 Sep 2025 07:46:41 GMT\"", "ts: " + NotUtc)]
    [InlineData("ts", "\"\"", "ts: " + NotUtc)]
    [InlineData("ts", "1757749601", "ts: " + NotUtc)]
    // merchant_id and device_id: when present, like tx_id
    [InlineData("merchant_id", "\"\"", "merchant_id: must not be empty")]
    [InlineData("merchant_id", "5", "merchant_id: must be a string")]
    [InlineData("device_id", "\" \"", "device_id: must not be empty")]
    [InlineData("device_id", "\"ddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd\"", "device_id: must be at most 64 characters")]
    // mcc: an integer in 0..9999
    [InlineData("mcc", "10000", "mcc: must be between 0 and 9999")]
    [InlineData("mcc", "-1", "mcc: must be between 0 and 9999")]
    [InlineData("mcc", "54.11", "mcc: must be an integer")]
    [InlineData("mcc", "\"5411\"", "mcc: must be an integer")]
    // channel: pos | ecom | atm, lowercase
    [InlineData("channel", "\"POS\"", "channel: must be one of pos, ecom, atm")]
    [InlineData("channel", "\"Ecom\"", "channel: must be one of pos, ecom, atm")]
    [InlineData("channel", "\"online\"", "channel: must be one of pos, ecom, atm")]
    [InlineData("channel", "\"\"", "channel: must be one of pos, ecom, atm")]
    [InlineData("channel", "0", "channel: must be one of pos, ecom, atm")]
    // lat and lon: degrees in range
    [InlineData("lat", "90.0001", "lat: must be between -90 and 90")]
    [InlineData("lat", "-91", "lat: must be between -90 and 90")]
    [InlineData("lat", "\"40.41\"", "lat: must be a number")]
    [InlineData("lon", "180.5", "lon: must be between -180 and 180")]
    [InlineData("lon", "-181", "lon: must be between -180 and 180")]
    [InlineData("lon", "null", "lon: required when lat is given")]
    [InlineData("lat", "null", "lat: required when lon is given")]
    public void Invalid_value_is_rejected_naming_the_field_and_why(string field, string value, string expected)
    {
        Assert.Equal(expected, ParseError(ExampleWith(field, value)));
    }

    [Fact]
    public void Lat_without_lon_is_rejected()
    {
        Assert.Equal("lon: required when lat is given", ParseError(ExampleWith("lon", null)));
    }

    [Fact]
    public void Lon_without_lat_is_rejected()
    {
        Assert.Equal("lat: required when lon is given", ParseError(ExampleWith("lat", null)));
    }

    [Fact]
    public void A_field_given_twice_is_rejected()
    {
        string json = Minimal.Replace("\"amount\":12.5", "\"amount\":12.5,\"amount\":-1", StringComparison.Ordinal);

        Assert.Equal("amount: must appear only once", ParseError(json));
    }

    [Fact]
    public void The_first_broken_field_in_contract_order_is_reported()
    {
        string json = ExampleWith(("location", "\"XX\""), ("amount", "-1"), ("tx_id", null));

        Assert.Equal("tx_id: required", ParseError(json));
    }

    [Fact]
    public void A_value_of_the_wrong_json_type_is_reported_before_missing_fields()
    {
        string json = ExampleWith(("tx_id", null), ("mcc", "\"5411\""));

        Assert.Equal("mcc: must be an integer", ParseError(json));
    }

    [Fact]
    public void A_long_invalid_value_is_cut_short_in_the_error()
    {
        string location = new('Q', 10_000);

        string error = ParseError(ExampleWith("location", $"\"{location}\""));

        Assert.StartsWith("location: 'QQQQ", error, StringComparison.Ordinal);
        Assert.True(error.Length < 100, error);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n")]
    [InlineData("not json")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("\"tx_000000001\"")]
    [InlineData("4405")]
    [InlineData("{")]
    [InlineData("{\"tx_id\":")]
    [InlineData("{\"tx_id\":\"tx_1")]
    [InlineData("{\"tx_id\":\"tx_1\",}")]
    [InlineData("{'tx_id':'tx_1'}")]
    [InlineData("{\"tx_id\":\"tx_1\"} {\"tx_id\":\"tx_2\"}")]
    [InlineData("{\"tx_id\":\"tx_1\" /* comment */}")]
    [InlineData("{\"unknown\":[1,2}")]
    public void Text_that_is_not_a_json_object_is_rejected_as_invalid_json(string text)
    {
        Assert.StartsWith("invalid JSON: ", ParseError(text), StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_json_error_names_the_path()
    {
        string error = ParseError("""{"tx_id":"tx_1","user_id":12,}""");

        Assert.StartsWith("invalid JSON: ", error, StringComparison.Ordinal);
        Assert.Contains("Path: $", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_utf8_is_rejected_as_invalid_json()
    {
        byte[] utf8 = [.. Encoding.UTF8.GetBytes("{\"tx_id\":\"tx_"), 0xC3, 0x28, .. Encoding.UTF8.GetBytes("\"}")];

        Assert.False(TransactionJson.TryParse(utf8, out _, out var error));
        Assert.Equal("invalid JSON: not valid UTF-8", error);
    }
}
