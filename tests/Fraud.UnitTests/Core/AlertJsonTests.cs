using System.Text;
using Fraud.Core;

namespace Fraud.UnitTests.Core;

public class AlertJsonTests
{
    /// <summary>The design's alert example, extended with the rule set's version.</summary>
    private const string ContractExample =
        """{"tx_id":"tx_1539","user_id":4405,"amount":"1881.22","location":"ES","ts":"2025-09-13T07:46:41.314350Z","score":-0.767,"reason":"iforest_score=-0.767; threshold=-0.657","created_at":"2025-09-13T07:46:41.400Z","risk":0.91,"rules":["amount_vs_user_history"],"model_version":"if-2025-09-13-01","status":"open","rules_version":"rules-2025-09-13","classifier_version":null}""";

    private static readonly Alert Example = new(
        TxId: "tx_1539",
        UserId: 4405,
        Amount: 1881.22m,
        Location: "ES",
        Ts: new DateTimeOffset(2025, 9, 13, 7, 46, 41, 314, 350, TimeSpan.Zero),
        Score: -0.767,
        Reason: "iforest_score=-0.767; threshold=-0.657",
        CreatedAt: new DateTimeOffset(2025, 9, 13, 7, 46, 41, 400, TimeSpan.Zero),
        Risk: 0.91,
        Rules: ["amount_vs_user_history"],
        ModelVersion: "if-2025-09-13-01",
        Status: "open",
        RulesVersion: "rules-2025-09-13");

    [Fact]
    public void Writes_the_design_contract_example()
    {
        Assert.Equal(ContractExample, AlertJson.Serialize(Example));
    }

    [Fact]
    public void Reads_the_design_contract_example()
    {
        Assert.Equal(Example, AlertJson.Deserialize(Encoding.UTF8.GetBytes(ContractExample)));
    }

    [Theory]
    [InlineData("1881.22", "1881.22")]
    [InlineData("1881.2", "1881.20")]
    [InlineData("5", "5.00")]
    [InlineData("0.5", "0.50")]
    [InlineData("1.005", "1.01")]
    [InlineData("1.004", "1.00")]
    [InlineData("1000000000000", "1000000000000.00")]
    public void Alert_amount_is_a_string_with_two_decimals(string amount, string expected)
    {
        decimal value = decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture);

        Assert.Contains($"\"amount\":\"{expected}\"", AlertJson.Serialize(Example with { Amount = value }), StringComparison.Ordinal);
    }

    [Fact]
    public void Null_score_is_written_as_null()
    {
        Assert.Contains("\"score\":null,", AlertJson.Serialize(Example with { Score = null }), StringComparison.Ordinal);
    }

    [Fact]
    public void Null_score_is_read_back_as_null()
    {
        var alert = AlertJson.Deserialize(AlertJson.SerializeToUtf8Bytes(Example with { Score = null }));

        Assert.NotNull(alert);
        Assert.Null(alert.Score);
    }

    [Fact]
    public void Without_rules_the_rules_version_is_written_as_null()
    {
        Assert.EndsWith("\"status\":\"open\",\"rules_version\":null,\"classifier_version\":null}", AlertJson.Serialize(Example with { RulesVersion = null }), StringComparison.Ordinal);
    }

    [Fact]
    public void An_alert_written_before_rules_version_existed_reads_it_as_null()
    {
        byte[] json = Encoding.UTF8.GetBytes(ContractExample.Replace(",\"rules_version\":\"rules-2025-09-13\"", "", StringComparison.Ordinal));

        Assert.Equal(Example with { RulesVersion = null }, AlertJson.Deserialize(json));
    }

    [Fact]
    public void Created_at_is_written_in_utc_with_milliseconds()
    {
        var createdAt = new DateTimeOffset(2025, 9, 13, 9, 46, 41, 400, 999, TimeSpan.FromHours(2));

        Assert.Contains("\"created_at\":\"2025-09-13T07:46:41.400Z\"", AlertJson.Serialize(Example with { CreatedAt = createdAt }), StringComparison.Ordinal);
    }

    [Fact]
    public void Ts_is_written_in_utc_with_six_fraction_digits()
    {
        var ts = new DateTimeOffset(2025, 9, 13, 7, 46, 41, TimeSpan.Zero);

        Assert.Contains("\"ts\":\"2025-09-13T07:46:41.000000Z\"", AlertJson.Serialize(Example with { Ts = ts }), StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_rules_are_written_as_an_empty_array()
    {
        Assert.Contains("\"rules\":[],", AlertJson.Serialize(Example with { Rules = [] }), StringComparison.Ordinal);
    }

    [Fact]
    public void Bytes_and_text_forms_are_the_same_json()
    {
        Assert.Equal(AlertJson.Serialize(Example), Encoding.UTF8.GetString(AlertJson.SerializeToUtf8Bytes(Example)));
    }

    [Fact]
    public void Serialize_then_deserialize_round_trips()
    {
        var alert = Example with { Rules = ["amount_vs_user_history", "new_device", "velocity_1m"], Status = "confirmed" };

        Assert.Equal(alert, AlertJson.Deserialize(AlertJson.SerializeToUtf8Bytes(alert)));
    }

    [Fact]
    public void Amount_may_also_be_read_from_a_json_number()
    {
        byte[] json = Encoding.UTF8.GetBytes(ContractExample.Replace("\"amount\":\"1881.22\"", "\"amount\":1881.22", StringComparison.Ordinal));

        Assert.Equal(1881.22m, AlertJson.Deserialize(json)?.Amount);
    }

    [Fact]
    public void A_seed_shaped_alert_is_read_with_defaults_for_the_later_fields()
    {
        const string seed =
            """{"tx_id":"tx_1539","user_id":4405,"amount":"1881.22","location":"ES","ts":"2025-09-13T07:46:41.314350Z","score":-0.767,"reason":"iforest_score=-0.767; threshold=-0.657","created_at":"2025-09-13T07:46:41.400Z"}""";

        var alert = AlertJson.Deserialize(Encoding.UTF8.GetBytes(seed));

        Assert.Equal(Example with { Risk = 0, Rules = [], ModelVersion = "", Status = "open", RulesVersion = null }, alert);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("{}")]
    [InlineData("""{"tx_id":"tx_1","user_id":1,"amount":"1.00","location":"ES","ts":"2025-09-13T07:46:41Z","reason":"r"}""")]
    [InlineData("""{"tx_id":"tx_1","user_id":1,"amount":"one","location":"ES","ts":"2025-09-13T07:46:41Z","reason":"r","created_at":"2025-09-13T07:46:41Z"}""")]
    [InlineData("""{"tx_id":"tx_1","user_id":1,"amount":"1.00","location":"ES","ts":"2025-09-13T09:46:41+02:00","reason":"r","created_at":"2025-09-13T07:46:41Z"}""")]
    public void Text_that_is_not_an_alert_deserializes_to_null(string text)
    {
        Assert.Null(AlertJson.Deserialize(Encoding.UTF8.GetBytes(text)));
    }

    [Fact]
    public void Alerts_with_the_same_rules_in_different_lists_are_equal()
    {
        var first = Example with { Rules = new List<string> { "a", "b" } };
        var second = Example with { Rules = new[] { "a", "b" } };

        Assert.Equal(first, second);
        Assert.Equal(first.GetHashCode(), second.GetHashCode());
    }

    [Theory]
    [InlineData("b", "a")]
    [InlineData("a")]
    [InlineData("a", "b", "c")]
    public void Alerts_with_different_rules_are_not_equal(params string[] rules)
    {
        Assert.NotEqual(Example with { Rules = ["a", "b"] }, Example with { Rules = rules });
    }

    [Fact]
    public void Alerts_differing_in_any_other_value_are_not_equal()
    {
        Assert.NotEqual(Example, Example with { Status = "dismissed" });
        Assert.NotEqual(Example, Example with { Score = null });
        Assert.NotEqual(Example, Example with { Risk = 0.5 });
        Assert.NotEqual(Example, Example with { RulesVersion = null });
    }
}
