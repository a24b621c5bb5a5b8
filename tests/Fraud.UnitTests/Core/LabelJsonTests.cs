using System.Text;
using Fraud.Core;

namespace Fraud.UnitTests.Core;

public class LabelJsonTests
{
    [Fact]
    public void Writes_the_design_contract_shape()
    {
        Assert.Equal(
            """{"tx_id":"tx_000000001","is_fraud":true,"scenario":"card_testing"}""",
            LabelJson.Serialize(new Label("tx_000000001", true, "card_testing")));
    }

    [Fact]
    public void Scenario_is_omitted_when_null()
    {
        Assert.Equal("""{"tx_id":"tx_2","is_fraud":false}""", LabelJson.Serialize(new Label("tx_2", false)));
    }

    [Theory]
    [InlineData(true, "card_testing")]
    [InlineData(true, null)]
    [InlineData(false, null)]
    public void Label_round_trips(bool isFraud, string? scenario)
    {
        var label = new Label("tx_000000001", isFraud, scenario);

        Assert.True(LabelJson.TryParse(Encoding.UTF8.GetBytes(LabelJson.Serialize(label)), out var parsed, out var error), error);
        Assert.Equal(label, parsed);
    }

    [Fact]
    public void A_label_says_where_and_when_its_transaction_happened_when_its_source_knows()
    {
        var transaction = new Transaction("tx_9", 1, 12.5m, "EUR", "ES", new DateTimeOffset(2025, 9, 1, 10, 0, 0, TimeSpan.Zero), "m_42");
        var label = Label.Of(transaction, "compromised_terminal");
        string json = LabelJson.Serialize(label);

        Assert.Equal("""{"tx_id":"tx_9","is_fraud":true,"scenario":"compromised_terminal","merchant_id":"m_42","ts":"2025-09-01T10:00:00.000000Z"}""", json);
        Assert.True(LabelJson.TryParse(Encoding.UTF8.GetBytes(json), out var parsed, out var error), error);
        Assert.Equal(label, parsed);
    }

    [Fact]
    public void Unknown_fields_are_ignored()
    {
        Assert.True(LabelJson.TryParse("""{"tx_id":"tx_1","is_fraud":false,"analyst":"ana","scenario":null}"""u8, out var label, out var error), error);
        Assert.Equal(new Label("tx_1", false), label);
    }

    [Theory]
    [InlineData("""{"is_fraud":true}""", "tx_id: required")]
    [InlineData("""{"tx_id":null,"is_fraud":true}""", "tx_id: required")]
    [InlineData("""{"tx_id":"","is_fraud":true}""", "tx_id: must not be empty")]
    [InlineData("""{"tx_id":7,"is_fraud":true}""", "tx_id: must be a string")]
    [InlineData("""{"tx_id":"tx_1"}""", "is_fraud: required")]
    [InlineData("""{"tx_id":"tx_1","is_fraud":"yes"}""", "is_fraud: must be true or false")]
    [InlineData("""{"tx_id":"tx_1","is_fraud":1}""", "is_fraud: must be true or false")]
    [InlineData("""{"tx_id":"tx_1","is_fraud":true,"scenario":3}""", "scenario: must be a string")]
    [InlineData("""{"tx_id":"tx_1","is_fraud":true,"merchant_id":" "}""", "merchant_id: must not be empty")]
    [InlineData("""{"tx_id":"tx_1","is_fraud":true,"ts":"yesterday"}""", "ts: must be ISO-8601 UTC (ending in Z or +00:00)")]
    public void Invalid_label_is_rejected_naming_the_field(string json, string expected)
    {
        Assert.False(LabelJson.TryParse(Encoding.UTF8.GetBytes(json), out var label, out var error));
        Assert.Null(label);
        Assert.Equal(expected, error);
    }

    [Theory]
    [InlineData("")]
    [InlineData("true")]
    [InlineData("{\"tx_id\":")]
    public void Text_that_is_not_a_json_object_is_rejected_as_invalid_json(string text)
    {
        Assert.False(LabelJson.TryParse(Encoding.UTF8.GetBytes(text), out _, out var error));
        Assert.StartsWith("invalid JSON: ", error, StringComparison.Ordinal);
    }
}
